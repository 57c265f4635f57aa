import datetime as dt
from decimal import Decimal

import pytest

from refdesk.core.errors import Conflict, Forbidden, IllegalTransition, InvalidInput
from refdesk.growth.models import GiveBack
from refdesk.notify.models import OutboundEmail
from refdesk.referrals import rules, selectors, services
from refdesk.referrals.models import ReferralFee, ReferralThankYou
from tests.factories import AccountFactory, ContactFactory, UserFactory


def test_fee_arithmetic_is_decimal_to_the_cent():
    split = rules.fee_for(
        kind="percent",
        amount=Decimal("12345.67"),
        percent=Decimal("7.5"),
        flat=None,
        employee_share_percent=Decimal("20"),
    )
    # 7.5 % of 12,345.67 = 925.92525 → 925.93; 20 % of that = 185.186 → 185.19; the referrer gets the rest.
    assert (split.total, split.employee, split.referrer) == (
        Decimal("925.93"),
        Decimal("185.19"),
        Decimal("740.74"),
    )
    flat = rules.fee_for(
        kind="flat",
        amount=Decimal("1"),
        percent=None,
        flat=Decimal("250"),
        employee_share_percent=Decimal("33.33"),
    )
    assert (flat.total, flat.employee, flat.referrer) == (
        Decimal("250.00"),
        Decimal("83.33"),
        Decimal("166.67"),
    )


@pytest.fixture
def referrer(account):
    return ContactFactory(account=account, name="Dana Fox", email="dana@prairie.example")


def lead(actor, referrer, company, **kw):
    return services.lead_create(
        actor=actor, company=company, source="customer", referrer_contact_id=referrer.pk, **kw
    )


def test_a_customer_referral_arrives_moves_to_won_and_owes_fees(
    program_manager, owner_rep, referrer
):
    support = UserFactory(email="sue@vendor.example", first_name="Sue", role="requester")
    services.fee_rule_create(
        actor=program_manager,
        name="Customer 10%",
        source="customer",
        kind="percent",
        percent="10",
        employee_share_percent="25",
    )
    new = lead(
        owner_rep,
        referrer,
        "Northwind Grain",
        contact_email="buyer@northwind.example",
        surfaced_by_email="sue@vendor.example",
    )
    assert ReferralThankYou.objects.filter(lead=new, occasion="arrival").count() == 1
    # The referrer's thank-you email is in the outbox (it is sent once the transaction commits).
    assert OutboundEmail.objects.get(key=f"referral:{new.pk}:arrived").to == "dana@prairie.example"
    services.lead_stage_set(actor=owner_rep, lead=new, to_stage="qualified")
    with pytest.raises(InvalidInput) as exc:
        services.lead_stage_set(actor=owner_rep, lead=new, to_stage="won")
    assert exc.value.details == {"amount": "is required to close as won"}
    services.lead_stage_set(actor=owner_rep, lead=new, to_stage="won", amount="40,000.10")
    fees = {f.payee: f.amount for f in ReferralFee.objects.filter(lead=new)}
    assert fees == {
        "referrer": Decimal("3000.01"),
        "employee": Decimal("1000.00"),
    }  # 4,000.01 split 75/25
    assert ReferralFee.objects.get(payee="employee").payee_user == support
    assert ReferralThankYou.objects.filter(lead=new, occasion="close").count() == 1
    with pytest.raises(IllegalTransition):
        services.lead_stage_set(actor=owner_rep, lead=new, to_stage="lost")
    totals = selectors.fee_totals(user=program_manager)
    assert totals["owed"] == Decimal("4000.01")
    services.fee_pay(actor=program_manager, fee=ReferralFee.objects.get(payee="referrer"))
    assert selectors.fee_totals(user=program_manager)["paid"] == Decimal("3000.01")
    assert [e.kind for e in new.events.order_by("at", "pk")][:2] == ["arrived", "referrer_informed"]


def test_duplicates_and_self_referrals_are_caught(owner_rep, referrer, account):
    lead(owner_rep, referrer, "Northwind Grain Inc.", contact_email="buyer@northwind.example")
    with pytest.raises(Conflict) as exc:
        lead(owner_rep, referrer, "northwind grain")
    assert "already referred as lead" in exc.value.message
    with pytest.raises(Conflict):
        lead(owner_rep, referrer, "Another Name", contact_email="buyer@northwind.example")
    with pytest.raises(InvalidInput) as exc:
        lead(owner_rep, referrer, account.name)
    assert exc.value.details == {"company": "is the referrer's own company"}
    with pytest.raises(InvalidInput):
        lead(owner_rep, referrer, "Elsewhere Ltd", contact_email="dana@prairie.example")


def test_a_rep_logs_customer_referrals_only_from_their_accounts(other_rep, referrer):
    with pytest.raises(Forbidden):
        lead(other_rep, referrer, "Northwind")


def test_closure_rate_and_revenue_per_source_match_hand_computed_figures(program_manager, referrer):
    def close(company, source, stage, amount=None, **kw):
        new = services.lead_create(actor=program_manager, company=company, source=source, **kw)
        if stage != "new":
            services.lead_stage_set(actor=program_manager, lead=new, to_stage=stage, amount=amount)

    close("A1", "customer", "won", "1000", referrer_contact_id=referrer.pk)
    close("A2", "customer", "won", "2500.50", referrer_contact_id=referrer.pk)
    close("A3", "customer", "lost", referrer_contact_id=referrer.pk)
    close("A4", "customer", "new", referrer_contact_id=referrer.pk)
    close("P1", "partner", "lost", referrer_name="Acme Consulting")
    close("P2", "partner", "won", "999.99", referrer_name="Acme Consulting")
    close("W1", "web", "lost")
    by_source = {f.source: f for f in selectors.source_report(user=program_manager)}
    customer, partner, web = by_source["customer"], by_source["partner"], by_source["web"]
    # customer: 4 leads, 2 won of 3 decided = 66.7 %, revenue 3,500.50; partner 1 of 2 = 50.0 %; web 0 of 1.
    assert (customer.leads, customer.won, customer.lost, customer.open) == (4, 2, 1, 1)
    assert customer.closure_rate == Decimal("66.7") and customer.revenue == Decimal("3500.50")
    assert partner.closure_rate == Decimal("50.0") and partner.revenue == Decimal("999.99")
    assert web.closure_rate == Decimal("0.0") and by_source["event"].closure_rate is None
    total = selectors.report_totals(list(by_source.values()))
    assert (total.leads, total.won, total.revenue) == (7, 3, Decimal("4500.49"))


def test_targets_show_progress(program_manager, referrer):
    services.target_set(
        actor=program_manager,
        label="FY25",
        starts_on="2025-01-01",
        ends_on="2025-12-31",
        lead_count=4,
        value="10000",
    )
    new = lead(program_manager, referrer, "Northwind", received_on="2025-03-01")
    services.lead_stage_set(
        actor=program_manager, lead=new, to_stage="won", amount="2500", closed_on="2025-04-01"
    )
    (row,) = selectors.target_progress(user=program_manager, today=dt.date(2025, 6, 1))
    assert (row["leads"], row["leads_percent"], row["won_value"], row["value_percent"]) == (
        1,
        25,
        Decimal("2500.00"),
        25,
    )
    with pytest.raises(InvalidInput):
        services.target_set(
            actor=program_manager,
            label="bad",
            starts_on="2025-02-01",
            ends_on="2025-01-01",
            lead_count=1,
            value="1",
        )


def test_the_ask_plan_tracks_owner_dates_and_status(owner_rep, referrer):
    item = services.plan_add(
        actor=owner_rep, contact_id=referrer.pk, due_on="2025-01-10", review_on="2025-02-01"
    )
    (listed,) = selectors.plan_list(user=owner_rep, today=dt.date(2025, 1, 15))
    assert listed.overdue and not listed.review_due
    services.plan_update(actor=owner_rep, item=item, status="referred", note="Introduced Northwind")
    assert item.completed_on is not None
    with pytest.raises(InvalidInput):
        services.plan_add(
            actor=owner_rep, contact_id=referrer.pk, due_on="2025-01-10", review_on="2025-01-01"
        )


def test_passing_a_referral_to_a_customer_counts_as_a_give_back(owner_rep, account):
    services.referral_pass(
        actor=owner_rep, account=account, company="Big Feedlot", passed_on="2025-05-01"
    )
    assert GiveBack.objects.get(account=account).kind == "referral"


def test_cross_sell_lists_products_a_customer_does_not_own(program_manager):
    AccountFactory(name="Has Ledger", products=["Ledger"])
    AccountFactory(name="Has Both", products=["Ledger", "Payroll"])
    rows = selectors.cross_sell(user=program_manager)
    assert rows == [
        {
            "account_id": rows[0]["account_id"],
            "account": "Has Ledger",
            "owner": "",
            "owns": ["Ledger"],
            "missing": ["Payroll"],
        }
    ]


def test_cost_per_lead_sets_referrals_beside_entered_channels(program_manager, referrer):
    services.fee_rule_create(actor=program_manager, name="Flat", kind="flat", flat_amount="300")
    won = lead(program_manager, referrer, "Northwind")
    lead(program_manager, referrer, "Southwind")
    services.lead_stage_set(actor=program_manager, lead=won, to_stage="won", amount="1000")
    services.source_cost_set(actor=program_manager, channel="Paid search", cost_per_lead="420.00")
    rows = selectors.cost_comparison(user=program_manager)
    assert [(r["channel"], r["cost_per_lead"]) for r in rows] == [
        ("Referral: Customer", Decimal("150.00")),
        ("Paid search", Decimal("420.00")),
    ]
