"""Growing the pool and running referrals in a real browser: a rep nominates a customer, the program
manager accepts, is refused an unready invitation and overrides it with a note; a referral is logged,
won with an amount, its fee owed and then marked paid; the targets page shows progress."""

import datetime as dt
import re

from playwright.sync_api import expect

from refdesk.growth.models import Nomination
from refdesk.pool.choices import ReferenceStatus
from refdesk.referrals import services as referral_services
from refdesk.referrals.models import ReferralFee, ReferralLead
from tests.factories import ContactFactory


def test_a_rep_nominates_and_the_pm_takes_the_nominee_to_invited(
    login_as, program_manager, owner_rep, account, screenshot
):
    contact = ContactFactory(account=account, name="Dana Fox", email="dana@prairie.example")

    olivia = login_as(owner_rep)
    olivia.goto(f"/growth/nominations/new/?contact={contact.pk}")
    olivia.get_by_label("Reason").fill("Went live in record time and tells everyone about it.")
    olivia.get_by_role("button", name="Save").click()
    expect(olivia).to_have_url(re.compile(r"/growth/nominations/$"))
    expect(olivia.locator("main")).to_contain_text("your nomination is with the program team")
    nomination = Nomination.objects.get()

    priya = login_as(program_manager)
    priya.goto("/growth/nominations/")
    expect(priya.locator("main")).to_contain_text("Dana Fox")
    priya.locator(f"#a-{nomination.pk}").select_option("accept")
    priya.get_by_role("button", name="Apply").click()
    expect(priya.locator("main")).to_contain_text("accept done")
    expect(priya.locator("main .badge.status-candidate")).to_have_text("candidate")

    # Not ready (no NPS yet): the invitation is refused with the reasons.
    priya.locator(f"#a-{nomination.pk}").select_option("invite")
    priya.get_by_role("button", name="Apply").click()
    expect(priya.locator("main")).to_contain_text("Dana Fox is not ready to be asked")
    screenshot(priya, "growth-invite-refused")
    nomination.refresh_from_db()
    assert nomination.reference.status == ReferenceStatus.CANDIDATE

    # The program manager overrides with a note.
    priya.locator(f"#a-{nomination.pk}").select_option("invite")
    priya.locator(f"#r-{nomination.pk}").fill("Executive sponsor asked for her; survey pending.")
    priya.get_by_role("button", name="Apply").click()
    expect(priya.locator("main .badge.status-invited")).to_have_text("invited")
    screenshot(priya, "growth-nominee-invited")
    nomination.reference.refresh_from_db()
    assert nomination.reference.status == ReferenceStatus.INVITED
    change = nomination.reference.status_changes.order_by("-changed_at", "-pk").first()
    assert "override by" in change.reason and "survey pending" in change.reason


def test_a_referral_is_won_its_fee_paid_and_the_target_shows_progress(
    login_as, program_manager, account, screenshot
):
    ContactFactory(account=account, name="Dana Fox", email="dana@prairie.example")
    referral_services.fee_rule_create(
        actor=program_manager, name="Customer 5 %", source="customer", kind="percent", percent="5"
    )
    today = dt.date.today()
    referral_services.target_set(actor=program_manager, label="This quarter", starts_on=today - dt.timedelta(days=20),
                                 ends_on=today + dt.timedelta(days=70), lead_count=4, value="100000")  # fmt: skip

    priya = login_as(program_manager)
    priya.goto("/referrals/leads/new/")
    priya.get_by_label("Company").fill("Big Sky Ranch")
    priya.get_by_label("Source").select_option("customer")
    # The contact is picked by name from the list offered while typing (no ids, no emails shown).
    picker = priya.get_by_label("Referring customer contact")
    offered = priya.locator(f"datalist#{picker.get_attribute('list')} option").evaluate_all("os => os.map(o => o.value)")
    assert f"Dana Fox — {account.name}" in offered and not any("@" in o for o in offered)
    picker.fill(f"Dana Fox — {account.name}")
    priya.get_by_role("button", name="Save").click()
    expect(priya).to_have_url(re.compile(r"/referrals/leads/\d+/$"))
    expect(priya.locator("h1")).to_contain_text("Big Sky Ranch")

    priya.get_by_label("Move to").select_option("won")
    priya.get_by_role("button", name="Save").click()
    expect(priya.locator("main")).to_contain_text("Won amount is required")
    priya.get_by_label("Won amount").fill("40000")
    priya.get_by_role("button", name="Save").click()
    expect(priya.locator("h1")).to_contain_text("Closed won")
    fees = priya.locator("#lead-fees")
    expect(fees).to_contain_text("2000.00 — Owed")
    screenshot(priya, "referrals-fee-owed")

    priya.get_by_role("button", name=re.compile("Mark Dana Fox.*fee paid")).click()
    expect(fees).to_contain_text("2000.00 — Paid")
    fee = ReferralFee.objects.get()
    assert (fee.status, fee.lead.stage) == ("paid", "won")
    assert ReferralLead.objects.get().events.filter(kind="referrer_informed").count() == 2

    priya.goto("/referrals/targets/")
    row = priya.locator("#target-table tbody tr").first
    expect(row).to_contain_text("1 of 4 (25 %)")
    expect(row).to_contain_text("40000.00 of 100000.00 (40 %)")
    screenshot(priya, "referrals-targets")
