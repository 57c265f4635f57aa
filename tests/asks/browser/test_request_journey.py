"""A request from the requester's form to the reference's answer, in a real browser."""

import re

from playwright.sync_api import expect

from refdesk.asks import links
from refdesk.asks.models import ReferenceRequest, RequestEvent
from tests.browser.conftest import PHONE


def test_a_request_from_form_to_accepted_reference(
    login_as, new_context, live_server, requester, program_manager, owner_rep, ranch_pool, screenshot
):
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
    priya.get_by_role("button", name=f"Select {name}").click()
    expect(priya.locator(f"#candidate-{best.pk}")).to_contain_text("awaiting approval")

    # The account owner approves from their queue.
    olivia = login_as(owner_rep)
    olivia.goto("/requests/approvals/")
    olivia.get_by_role("button", name=f"Approve {name} for Big Sky Ranch").click()
    expect(olivia.locator("#approvals-empty")).to_be_visible()
    expect(olivia.locator("#owner-feed")).to_contain_text("Invitation sent")

    # The reference opens the link from the invitation and accepts.
    event = RequestEvent.objects.get(kind="invitation.sent")
    url = links.respond_path(event.candidate)
    reference = new_context(viewport=PHONE).new_page()
    reference.goto(live_server.url + url)
    expect(reference.get_by_role("heading", name=f"Hello {name}")).to_be_visible()
    screenshot(reference, "asks-respond-phone")
    reference.get_by_role("button", name="Yes, I can help").click()
    expect(reference.locator("#respond-status")).to_contain_text("accepted")

    # The requester now sees how to reach the reference.
    rita.reload()
    email = best.reference.contact.email
    expect(rita.locator(f"#candidate-{best.pk} .contact-details")).to_contain_text(email)
    expect(rita.locator("#request-status")).to_have_text("Fulfilled")
    expect(rita.locator("#timeline")).to_contain_text("Invitation accepted")
    screenshot(rita, "asks-request")

    phone = login_as(requester, viewport=PHONE)
    phone.goto(f"/requests/{request.pk}/")
    screenshot(phone, "asks-request-phone")
