"""A program manager logs a media call by hand and sees the fatigue page reflect it; a requester
shares content and the prospect opens the private link."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from refdesk.activities import services
from refdesk.people.choices import Role
from tests.browser.conftest import PHONE
from tests.factories import AccountFactory, ContactFactory, ReferenceFactory, UserFactory


@pytest.fixture
def ada(owner_rep):
    account = AccountFactory(name="Prairie Cattle Co", owner=owner_rep)
    return ReferenceFactory(contact=ContactFactory(account=account, name="Ada Lovelace", email="ada@prairie.example"),
                            activity_types=["reference_call", "media"])  # fmt: skip


def test_log_an_activity_see_fatigue_then_share_content_and_open_the_link(
    login_as, program_manager, ada, screenshot
):
    services.reference_fatigue_set(actor=program_manager, reference=ada, monthly_limit=1)
    page = login_as(program_manager)
    page.get_by_role("link", name="Activities").first.click()
    page.get_by_role("link", name="Log an activity").click()
    page.get_by_label("Reference").select_option(label="Ada Lovelace — Prairie Cattle Co")
    page.get_by_label("Activity").select_option("media")
    page.get_by_label("Opportunity").fill("Trade press interview")
    page.get_by_role("button", name="Log activity").click()
    expect(page.get_by_text("Activity logged.")).to_be_visible()
    expect(page.locator("#results")).to_contain_text("Trade press interview")
    screenshot(page, "activities-log")

    page.get_by_role("link", name="Fatigue").click()
    expect(page.locator("#capped")).to_contain_text("Ada Lovelace")
    expect(page.locator("#capped")).to_contain_text("their own limit of 1 a month")
    screenshot(page, "activities-fatigue")
    page.set_viewport_size(PHONE)
    screenshot(page, "activities-fatigue-phone")
    page.get_by_role("link", name="Log", exact=True).click()
    screenshot(page, "activities-log-phone")

    asset = services.content_create(actor=program_manager, kind="case_study", title="Prairie Cattle goes digital",
                                    body="Herd tracking cut losses by a third.", approved_on=timezone.now().date(),
                                    approved_by="Ada Lovelace", contact_id=ada.contact_id)  # fmt: skip
    rita = UserFactory(email="rita@vendor.example", first_name="Rita", role=Role.REQUESTER)
    phone = login_as(rita, viewport=PHONE)
    phone.goto(f"/activities/content/{asset.pk}/")
    phone.get_by_role("link", name="Share with a prospect").click()
    phone.get_by_label("Prospect company").fill("Big Sky Beef")
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("Private link created")).to_be_visible()
    link = phone.get_by_label("Send this link to the prospect").input_value()
    expect(phone.locator("#opened")).to_have_text("Not opened yet.")
    screenshot(phone, "activities-share-phone")

    prospect = phone.context.browser.new_context().new_page()
    prospect.goto(link)
    expect(prospect.get_by_role("heading", name="Selected for Big Sky Beef")).to_be_visible()
    expect(prospect.get_by_text("Herd tracking cut losses")).to_be_visible()
    screenshot(prospect, "activities-share-open")

    phone.reload()
    expect(phone.locator("#opened")).to_contain_text(re.compile(r"Opened\s+1 time"))
    screenshot(phone, "activities-share-opened-phone")
