"""The reference's portal in a real browser at phone width (390 px): from the emailed link that
reached a real SMTP server to answering, the calendar, points, preferences, stopping and their data."""

import datetime as dt
import re
import time

from playwright.sync_api import expect

from refdesk.notify.dispatch import dispatch_event
from tests.browser.conftest import PHONE


def _link(smtp_server, address: str, timeout: float = 5.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in smtp_server.to(address):
            found = re.search(r"https?://\S+/portal/t/\S+/", message.text())
            if found:
                return found.group(0)
        time.sleep(0.05)
    raise AssertionError(f"no portal link reached {address}")


def test_a_reference_answers_from_the_emailed_link_on_a_phone(
    new_context,
    live_server,
    settings,
    smtp_server,
    submit,
    workflow,
    program_manager,
    owner_rep,
    screenshot,
):
    from refdesk.asks.models import RequestEvent
    from tests.asks.helpers import fresh, to_invited

    settings.SITE_URL = live_server.url
    workflow(owner_approval=True)
    candidate = to_invited(submit(), program_manager, owner_rep)
    dispatch_event(RequestEvent.objects.get(candidate=candidate, kind="invitation.sent").pk)
    email = candidate.reference.contact.email
    link = _link(smtp_server, email)

    page = new_context(viewport=PHONE).new_page()
    page.goto(link)
    expect(page).to_have_url(re.compile(rf"/portal/requests/{candidate.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Big Sky Ranch")
    screenshot(page, "portal-request-phone")
    # Keyboard: the decline reason is reachable and labelled.
    page.get_by_label("Reason (optional)").fill("Travelling that week")
    page.get_by_role("button", name="No, not this time").click()
    expect(page.locator("#request-status")).to_have_text("Declined")
    assert fresh(candidate).reason == "Travelling that week"
    # The page fits the phone: nothing wider than the viewport.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_accepting_with_times_then_preferences_stop_and_data(
    new_context,
    live_server,
    settings,
    smtp_server,
    submit,
    workflow,
    program_manager,
    owner_rep,
    screenshot,
):
    from refdesk.portal import services

    settings.SITE_URL = live_server.url
    from tests.asks.helpers import fresh, to_invited

    workflow(owner_approval=True)
    candidate = to_invited(submit(), program_manager, owner_rep)
    contact = candidate.reference.contact
    services.portal_link_send(actor=program_manager, contact=contact)
    from refdesk.notify.models import OutboundEmail
    from refdesk.notify.services import email_send

    for row in OutboundEmail.objects.filter(kind="portal_link", status="pending"):
        email_send(email_id=row.pk)
    page = new_context(viewport=PHONE).new_page()
    page.goto(_link(smtp_server, contact.email))
    page.get_by_role("link", name="Requests", exact=True).click()
    expect(page).to_have_url(re.compile(r"/portal/$"))
    screenshot(page, "portal-home-phone")
    page.get_by_role("link", name=re.compile("Big Sky Ranch")).click()
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(days=5)).strftime("%Y-%m-%dT10:30")
    page.get_by_label("Time 1").fill(soon)
    page.get_by_label("Your time zone").fill("UTC")
    page.get_by_role("button", name="Yes, I can help").click()
    expect(page.locator("#request-status")).to_have_text("Accepted")
    assert fresh(candidate).slots.count() == 1

    page.get_by_role("link", name="Preferences").click()
    page.get_by_label("Case study").uncheck()
    page.get_by_label("At most this many requests in 30 days").fill("2")
    page.get_by_label("Languages you speak").fill("de; en")
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Einstellungen")
    screenshot(page, "portal-preferences-de-phone")
    candidate.reference.refresh_from_db()
    assert "case_study" not in candidate.reference.activity_types

    page.get_by_role("link", name="Nicht mehr fragen").click()
    page.get_by_role("button", name="Nicht mehr fragen").click()
    expect(page.locator("#stop-state")).to_be_visible()
    candidate.reference.refresh_from_db()
    assert candidate.reference.opted_out

    page.get_by_role("link", name="Meine Daten").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Meine Daten herunterladen").click()
    assert download.value.suggested_filename == "my-reference-data.json"
    page.get_by_label("Ja, bitte löschen Sie meine Daten").check()
    page.get_by_role("button", name="Löschung meiner Daten beantragen").click()
    expect(page.locator("#erasure-state")).to_be_visible()
    screenshot(page, "portal-data-de-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
