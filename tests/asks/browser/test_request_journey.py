"""A request through its whole lifecycle in a real browser: the requester's form, the program
manager's triage, the account owner's approval, the reference's answer through the link in the
email that reached a real SMTP server, the call booked with a calendar invite, done and rated."""

import datetime as dt
import re
import time
from zoneinfo import ZoneInfo

import icalendar
from playwright.sync_api import expect

from refdesk.asks.models import ReferenceRequest
from refdesk.asks.templatetags.asks_tags import in_zone
from tests.browser.conftest import PHONE


def _mail(smtp_server, address: str, match, *, timeout: float = 5.0):
    """The one message to `address` for which match(message) holds, once it has arrived."""
    deadline = time.monotonic() + timeout
    found = []
    while not found and time.monotonic() < deadline:
        found = [m for m in smtp_server.to(address) if match(m)]
        time.sleep(0.05)
    assert len(found) == 1, f"{address} got {[m.subject for m in smtp_server.to(address)]}"
    return found[0]


def test_a_request_through_its_whole_lifecycle(
    login_as, new_context, live_server, settings, smtp_server,
    requester, program_manager, owner_rep, ranch_pool, screenshot,
):  # fmt: skip
    # Emails go to the loopback SMTP server and their links point at the live server.
    settings.SITE_URL = live_server.url

    # The requester files a request.
    rita = login_as(requester)
    rita.goto("/requests/new/")
    rita.get_by_label("Prospect company").fill("Big Sky Ranch")
    rita.get_by_label("Prospect's industry").fill("cattle ranch")
    rita.get_by_label("Prospect's employees").fill("300")
    rita.get_by_label("Prospect's country").select_option("US")
    rita.get_by_label("Topics the prospect cares about").fill("herd tracking")
    rita.get_by_role("button", name="Submit request").click()
    expect(rita).to_have_url(re.compile(r"/requests/\d+/$"))
    expect(rita.locator("#request-status")).to_have_text("Candidates proposed")
    request = ReferenceRequest.objects.get()
    expect(rita.locator("#match-panel article")).to_have_count(request.candidates.count())

    # The program manager triages and selects the best candidate.
    priya = login_as(program_manager)
    priya.goto("/requests/triage/")
    expect(priya.locator("#request-table")).to_contain_text("Big Sky Ranch")
    screenshot(priya, "asks-triage")
    priya.get_by_role("link", name=re.compile("Big Sky Ranch")).click()
    best = request.candidates.order_by("rank").first()
    name = best.reference.contact.name
    email = best.reference.contact.email
    zone = best.reference.contact.time_zone
    priya.get_by_role("button", name=f"Select {name}").click()
    expect(priya.locator(f"#candidate-{best.pk}")).to_contain_text("awaiting approval")

    # The account owner approves from their queue.
    olivia = login_as(owner_rep)
    olivia.goto("/requests/approvals/")
    olivia.get_by_role("button", name=f"Approve {name} for Big Sky Ranch").click()
    expect(olivia.locator("#approvals-empty")).to_be_visible()
    expect(olivia.locator("#owner-feed")).to_contain_text("Invitation sent")

    # The invitation reached the reference by email; its link is the way in.
    invitation = _mail(
        smtp_server, email, lambda m: m.subject.startswith("Would you share your experience")
    )
    assert invitation.subject == "Would you share your experience with Big Sky Ranch?"
    [url] = [u for u in re.findall(r"https?://\S+", invitation.text()) if "/respond/" in u]
    assert url.startswith(live_server.url)

    # The reference opens it on a phone, accepts and suggests a time that suits them.
    reference = new_context(viewport=PHONE).new_page()
    reference.goto(url)
    expect(reference.get_by_role("heading", name=f"Hello {name}")).to_be_visible()
    screenshot(reference, "asks-respond-phone")
    day = (dt.datetime.now(ZoneInfo(zone)) + dt.timedelta(days=7)).date()
    proposed = dt.datetime.combine(day, dt.time(10, 0), tzinfo=ZoneInfo(zone))
    expect(reference.get_by_label("Your time zone")).to_have_value(zone)
    reference.get_by_label("Time 1").fill(f"{day:%Y-%m-%d}T10:00")
    reference.get_by_role("button", name="Yes, I can help").click()
    expect(reference.locator("#respond-status")).to_contain_text("accepted")

    # The requester now sees how to reach the reference, and the time they suggested.
    rita.reload()
    card = rita.get_by_role("article", name=name)
    expect(card.locator(".contact-details")).to_contain_text(email)
    expect(rita.locator("#request-status")).to_have_text("Fulfilled")
    expect(rita.locator("#timeline")).to_contain_text("Invitation accepted")
    expect(card.get_by_role("list", name="Times")).to_contain_text(f"Proposed by {name}")
    screenshot(rita, "asks-request")

    phone = login_as(requester, viewport=PHONE)
    phone.goto(f"/requests/{request.pk}/")
    screenshot(phone, "asks-request-phone")

    # The requester books the call at the reference's time.
    card.get_by_label("Time", exact=True).select_option(
        label=in_zone(proposed, request.requester_time_zone)
    )
    card.get_by_role("button", name="Book the call").click()
    expect(rita.get_by_text("Call booked; both sides get a calendar invite.")).to_be_visible()
    expect(card).to_contain_text(f"Call: {in_zone(proposed, request.requester_time_zone)}")
    expect(card).to_contain_text(f"for {name}: {in_zone(proposed, zone)}")
    expect(rita.locator("#timeline")).to_contain_text("Call scheduled")

    # The reference gets a calendar invite at that time, and sees the call through their link.
    booked = _mail(smtp_server, email, lambda m: bool(m.ics))
    calendar = icalendar.Calendar.from_ical(booked.ics)
    [event] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "REQUEST"
    assert event.decoded("DTSTART") == proposed
    assert event.decoded("DTEND") == proposed + dt.timedelta(minutes=30)
    assert booked.part("text/calendar").get_filename() == "invite.ics"
    reference.reload()
    expect(reference.get_by_text("Your call:")).to_be_visible()

    # The call took place; the requester says so and rates it.
    card.get_by_role("button", name="It took place").click()
    expect(rita.locator("#request-status")).to_have_text("Completed")
    feedback = card.get_by_role("form", name=f"Feedback on {name}")
    feedback.get_by_label("Rating (5 best)").select_option("5")
    feedback.get_by_label("Did it help the deal?").select_option("Yes")
    feedback.get_by_label("Could they speak to what the prospect asked?").select_option("Yes")
    feedback.get_by_label("Comment").fill("Knew herd tracking inside out.")
    feedback.get_by_role("button", name="Send feedback").click()
    expect(rita.get_by_text("Thank you for the feedback.")).to_be_visible()

    # Feedback complete closes the request; the timeline tells the whole story.
    expect(rita.locator("#request-status")).to_have_text("Closed")
    expect(card).to_contain_text("Feedback from the requester: 5/5, helped: yes")
    expect(card).to_contain_text("Knew herd tracking inside out.")
    expect(card.get_by_role("form", name=f"Feedback on {name}")).to_have_count(0)
    steps = rita.locator("#timeline li strong")  # in order; to_contain_text skips the ones left out
    expect(steps).to_contain_text([
        "Request submitted", "Candidate selected", "Approval requested", "Approval granted", "Invitation sent",
        "Invitation accepted", "Slots proposed", "Request fulfilled", "Call scheduled", "Call completed",
        "Request completed", "Feedback given", "Request closed",
    ])  # fmt: skip
    screenshot(rita, "asks-request-closed")
