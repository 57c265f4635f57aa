"""More of the reference's portal in a real browser at phone width (390 px): points and redeeming,
the history, adding a booked call to the calendar, and the refusal page of a bad or revoked link."""

import re

import icalendar
from playwright.sync_api import expect

from refdesk.portal import links, services
from tests.browser.conftest import PHONE


def _open(new_context, live_server, reference, path: str = ""):
    """A phone-sized page that followed a fresh portal link of `reference` (landing on `path`)."""
    page = new_context(viewport=PHONE).new_page()
    page.goto(live_server.url + links.link_path(services.access_for(reference.contact), path))
    return page


def _fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_points_balance_ledger_and_redeeming_on_a_phone(
    new_context, live_server, ada, program_manager, screenshot
):
    from refdesk.rewards.models import CatalogueItem, ItemKind, Redemption
    from refdesk.rewards.services import holder_for_reference, points_adjust

    points_adjust(
        actor=program_manager,
        holder_id=holder_for_reference(ada.pk).pk,
        points=300,
        reason="Welcome",
    )
    CatalogueItem.objects.create(
        name="Training day", kind=ItemKind.values[0], points_cost=200, value=0
    )
    page = _open(new_context, live_server, ada)
    expect(page.locator("#points-balance")).to_have_text("300")
    page.get_by_role("link", name="Points", exact=True).click()
    expect(page).to_have_url(re.compile(r"/portal/rewards/$"))
    expect(page.locator("#points-balance")).to_have_text("300")
    expect(page.locator("#ledger")).to_contain_text("Welcome")
    expect(page.locator("#ledger")).to_contain_text("300")
    screenshot(page, "portal-rewards-phone")
    _fits_the_phone(page)

    page.get_by_role("button", name="Redeem Training day").click()
    expect(page.get_by_text(re.compile("Training day is on its way"))).to_be_visible()
    expect(page.locator("#points-balance")).to_have_text("100")
    expect(page.locator("#redemptions")).to_contain_text("Training day")
    # Not enough left for a second one: no button, a plain message.
    expect(page.get_by_role("button", name="Redeem Training day")).to_have_count(0)
    expect(page.get_by_text("Not enough points yet.")).to_be_visible()
    screenshot(page, "portal-rewards-redeemed-phone")
    assert Redemption.objects.get().holder.reference_id == ada.pk
    _fits_the_phone(page)


def test_the_history_lists_a_past_completed_activity(new_context, live_server, ada, screenshot):
    import datetime as dt

    from django.utils import timezone

    from refdesk.activities.models import Activity

    Activity.objects.create(
        reference=ada,
        activity_type="case_study",
        status="completed",
        occurred_at=timezone.now() - dt.timedelta(days=40),
    )
    page = _open(new_context, live_server, ada)
    page.get_by_role("link", name="History", exact=True).click()
    expect(page).to_have_url(re.compile(r"/portal/history/$"))
    row = page.locator("#activity-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Case study")
    screenshot(page, "portal-history-phone")
    _fits_the_phone(page)


def test_an_upcoming_call_is_added_to_the_calendar(
    new_context, live_server, invited, requester, screenshot
):
    from refdesk.asks import services as asks
    from tests.asks.helpers import fresh, later

    asks.invitation_accept(candidate=invited)
    asks.call_schedule(
        actor=requester, request=fresh(invited.request), candidate_id=invited.pk, starts_at=later()
    )
    page = _open(new_context, live_server, invited.reference)
    calls = page.locator("#upcoming-calls")
    expect(calls).to_contain_text("Big Sky Ranch")
    screenshot(page, "portal-upcoming-call-phone")
    _fits_the_phone(page)
    with page.expect_download() as download:
        calls.get_by_role("link", name=re.compile("Add to calendar")).click()
    assert download.value.suggested_filename == f"reference-call-{invited.pk}.ics"
    with open(download.value.path(), "rb") as handle:
        event = icalendar.Calendar.from_ical(handle.read()).walk("VEVENT")[0]
    contact = invited.reference.contact
    assert str(event["SUMMARY"]).startswith(f"Reference call: {contact.name}")
    assert event.decoded("DTSTART") == fresh(invited).scheduled_start


def _assert_refusal(page, reference):
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    expect(page.get_by_role("heading", name="Get a new link")).to_be_visible()
    expect(page.get_by_label("Your email address")).to_be_visible()
    expect(page.get_by_role("button", name="Email me a link")).to_be_visible()
    # Nothing of the person: no name, no address, no portal navigation.
    html = page.content()
    assert reference.contact.name not in html and reference.contact.email not in html
    expect(page.get_by_role("navigation", name="Your reference page")).to_have_count(0)
    _fits_the_phone(page)


def test_a_tampered_link_shows_the_refusal_page(new_context, live_server, ada, screenshot):
    token = links.token_for(services.access_for(ada.contact))
    bad = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    page = new_context(viewport=PHONE).new_page()
    response = page.goto(f"{live_server.url}/portal/t/{bad}/")
    assert response.status == 400
    expect(page.get_by_text("This link is not valid")).to_be_visible()
    _assert_refusal(page, ada)
    screenshot(page, "portal-link-tampered-phone")


def test_a_revoked_link_shows_the_refusal_page_and_a_new_one_can_be_asked(
    new_context, live_server, ada, program_manager, screenshot
):
    link = live_server.url + links.link_path(services.access_for(ada.contact))
    services.portal_links_revoke(actor=program_manager, contact=ada.contact)
    page = new_context(viewport=PHONE).new_page()
    response = page.goto(link)
    assert response.status == 410
    _assert_refusal(page, ada)
    screenshot(page, "portal-link-revoked-phone")
    # The form on the refusal page asks for a new link (the same answer for any address).
    page.get_by_label("Your email address").fill("someone@nowhere.example")
    page.get_by_role("button", name="Email me a link").click()
    expect(page).to_have_url(re.compile(r"/portal/link/$"))
