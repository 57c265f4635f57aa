"""Referral targets, the ask plan, fees, lead costs, passed referrals and cross-sell through their pages, API and CLI,
and the referrer kept informed through the notify outbox."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.core import mail

from refdesk.cli import main
from refdesk.growth.models import GiveBack
from refdesk.notify.models import OutboundEmail
from refdesk.referrals import rules, selectors, services
from refdesk.referrals.models import AskPlanItem, ReferralFee, ReferralTarget, SourceCost
from tests.factories import AccountFactory, ContactFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def referrer(account):
    return ContactFactory(account=account, name="Dana Fox", email="dana@prairie.example")


def won_lead(owner_rep, referrer, company="Northwind Grain", amount="40000.00", **kw):
    lead = services.lead_create(
        actor=owner_rep, company=company, source="customer", referrer_contact_id=referrer.pk, **kw
    )
    return services.lead_stage_set(actor=owner_rep, lead=lead, to_stage="won", amount=amount)


# --- the referrer is kept informed ------------------------------------------------------------


def test_the_referrer_is_thanked_on_arrival_and_told_of_each_step_by_email(
    owner_rep, referrer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lead = services.lead_create(
            actor=owner_rep,
            company="Northwind Grain",
            source="customer",
            referrer_contact_id=referrer.pk,
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.lead_stage_set(actor=owner_rep, lead=lead, to_stage="qualified")
    with django_capture_on_commit_callbacks(execute=True):
        services.lead_stage_set(actor=owner_rep, lead=lead, to_stage="won", amount="1000")
    keys = list(OutboundEmail.objects.order_by("pk").values_list("key", "status"))
    assert keys == [
        (f"referral:{lead.pk}:arrived", "sent"),
        (f"referral:{lead.pk}:qualified", "sent"),
        (f"referral:{lead.pk}:won", "sent"),
    ]
    assert [m.to for m in mail.outbox] == [["dana@prairie.example"]] * 3
    assert "Thank you for referring Northwind Grain" in mail.outbox[0].body
    assert "looks like a good fit" in mail.outbox[1].body
    assert "became a customer. Thank you for the introduction" in mail.outbox[2].body
    assert {t.occasion for t in lead.thank_yous.all()} == {"arrival", "close"}


def test_muted_history_is_on_the_timeline_but_emails_nobody(
    owner_rep, referrer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), services.referrer_emails_muted():
        lead = services.lead_create(
            actor=owner_rep,
            company="Northwind Grain",
            source="customer",
            referrer_contact_id=referrer.pk,
        )
    assert not OutboundEmail.objects.exists() and not mail.outbox
    assert lead.events.filter(kind="referrer_informed").count() == 1


def test_a_web_lead_with_nobody_to_tell_sends_nothing(owner_rep):
    services.lead_create(
        actor=owner_rep, company="Web Lead Co", source="web", referrer_name="Website form"
    )
    assert not OutboundEmail.objects.exists()


# --- figures ------------------------------------------------------------------------------------


def test_cost_per_won_deal_is_fees_over_won_to_the_cent():
    figures = rules.SourceFigures(
        source="customer", leads=7, won=3, lost=2, fees=Decimal("1000.00")
    )
    assert figures.cost_per_lead == Decimal("142.86")  # 1000 / 7 = 142.857…
    assert figures.cost_per_won == Decimal("333.33")  # 1000 / 3 = 333.333…
    assert figures.closure_rate == Decimal("60.0")  # 3 of 5 decided
    assert rules.SourceFigures(source="web", leads=2).cost_per_won is None


def test_the_cost_page_sets_referral_sources_beside_entered_channels(
    client_for, program_manager, owner_rep, referrer
):
    services.fee_rule_create(
        actor=program_manager, name="Flat", source="customer", kind="flat", flat_amount="300"
    )
    won_lead(owner_rep, referrer)
    services.lead_create(
        actor=owner_rep, company="Second Co", source="customer", referrer_contact_id=referrer.pk
    )
    client = client_for(program_manager)
    response = client.post(
        "/referrals/costs/", {"channel": "Trade shows", "cost_per_lead": "780", "note": "booths"}
    )
    assert response.status_code == 302 and SourceCost.objects.get().cost_per_lead == Decimal(
        "780.00"
    )
    assert (
        client.post(
            "/referrals/costs/", {"channel": "Paid search", "cost_per_lead": "lots"}
        ).status_code
        == 422
    )
    page = client.get("/referrals/costs/").content.decode()
    assert (
        "Trade shows" in page
        and "Referral: Customer" in page
        and "150.00" in page
        and "300.00" in page
    )
    rows = {r["channel"]: r for r in client.get("/api/referrals/costs").json()}
    assert (
        rows["Referral: Customer"]["cost_per_lead"] == "150.00"
        and rows["Referral: Customer"]["cost_per_won"] == "300.00"
    )
    assert (
        client_for(owner_rep)
        .post("/referrals/costs/", {"channel": "X", "cost_per_lead": "1"})
        .status_code
        == 403
    )


# --- targets ------------------------------------------------------------------------------------


def test_a_pm_sets_a_target_on_the_page_and_everyone_sees_progress(
    client_for, program_manager, owner_rep, referrer
):
    today = dt.date.today()
    client = client_for(program_manager)
    response = client.post("/referrals/targets/", {"label": "This quarter", "starts_on": (today - dt.timedelta(days=30)).isoformat(),
                                                   "ends_on": (today + dt.timedelta(days=60)).isoformat(), "lead_count": "4", "value": "80000"})  # fmt: skip
    assert response.status_code == 302
    bad = client.post(
        "/referrals/targets/",
        {
            "label": "Backwards",
            "starts_on": "2026-06-01",
            "ends_on": "2026-01-01",
            "lead_count": "1",
            "value": "1",
        },
    )
    assert bad.status_code == 422 and b"before the start" in bad.content
    won_lead(owner_rep, referrer, amount="40000")
    page = client_for(owner_rep).get("/referrals/targets/").content.decode()
    assert (
        "1 of 4" in page
        and "(25 %)" in page
        and "40000.00 of 80000.00" in page
        and "(50 %)" in page
    )
    assert client_for(owner_rep).post("/referrals/targets/", {"label": "Mine"}).status_code == 403
    (row,) = client_for(owner_rep).get("/api/referrals/targets").json()
    assert (
        row["leads"],
        row["lead_target"],
        row["leads_percent"],
        row["value_percent"],
        row["current"],
    ) == (1, 4, 25, 50, True)


def test_the_targets_api_refuses_reps_and_bad_periods(client_for, program_manager, owner_rep):
    body = {
        "label": "Q1",
        "starts_on": "2026-01-01",
        "ends_on": "2026-03-31",
        "lead_count": 10,
        "value": "100000",
    }
    assert (
        client_for(owner_rep)
        .post("/api/referrals/targets", body, content_type="application/json")
        .status_code
        == 403
    )
    created = client_for(program_manager).post(
        "/api/referrals/targets", body, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["value_target"] == "100000.00"
    bad = client_for(program_manager).post(
        "/api/referrals/targets", {**body, "ends_on": "2025-01-01"}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["details"] == {"ends_on": "is before the start"}
    assert ReferralTarget.objects.count() == 1


# --- the ask plan -------------------------------------------------------------------------------


def test_a_rep_plans_an_ask_and_records_how_it_went(client_for, owner_rep, other_rep, referrer):
    client = client_for(owner_rep)
    due = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    response = client.post(
        "/referrals/plan/",
        {"contact_id": referrer.pk, "due_on": due, "review_on": "", "note": "After the QBR"},
    )
    assert response.status_code == 302
    item = AskPlanItem.objects.get()
    assert (item.owner, item.status) == (owner_rep, "planned")
    assert client.post("/referrals/plan/", {"partner_name": "", "due_on": due}).status_code == 422
    client.post(f"/referrals/plan/{item.pk}/", {"status": "asked", "note": "Asked at the QBR"})
    item.refresh_from_db()
    assert (item.status, item.note, item.completed_on) == (
        "asked",
        "Asked at the QBR",
        dt.date.today(),
    )
    assert "Dana Fox (Prairie Cattle Co)" in client.get("/referrals/plan/").content.decode()
    # Sam sees neither the item nor a way to change it.
    assert (
        client_for(other_rep).post(f"/referrals/plan/{item.pk}/", {"status": "done"}).status_code
        == 404
    )
    assert client_for(other_rep).get("/api/referrals/plan").json() == []


def test_the_plan_api_adds_lists_and_updates(client_for, program_manager, owner_rep, referrer):
    client = client_for(program_manager)
    body = {
        "contact_id": referrer.pk,
        "owner_email": owner_rep.email,
        "due_on": "2026-01-10",
        "review_on": "2026-01-05",
    }
    bad = client.post("/api/referrals/plan", body, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["details"] == {
        "review_on": "is before the due date"
    }
    created = client.post(
        "/api/referrals/plan", {**body, "review_on": "2026-01-20"}, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["owner"] == owner_rep.email
    item_id = created.json()["id"]
    updated = client_for(owner_rep).post(
        f"/api/referrals/plan/{item_id}", {"status": "referred"}, content_type="application/json"
    )
    assert updated.status_code == 200 and updated.json()["status"] == "referred"
    assert (
        client.post(
            f"/api/referrals/plan/{item_id}", {"status": "maybe"}, content_type="application/json"
        ).status_code
        == 422
    )


# --- fees ---------------------------------------------------------------------------------------


def test_fees_show_owed_then_paid_on_the_page(client_for, program_manager, owner_rep, referrer):
    client = client_for(program_manager)
    response = client.post("/referrals/fees/", {"name": "Customer 10%", "source": "customer", "kind": "percent", "percent": "10",
                                                "employee_share_percent": "25"})  # fmt: skip
    assert response.status_code == 302
    assert (
        client.post(
            "/referrals/fees/", {"name": "Half", "kind": "percent", "percent": ""}
        ).status_code
        == 422
    )
    lead = won_lead(owner_rep, referrer, amount="12345.67", surfaced_by_email=owner_rep.email)
    fees = {f.payee: f for f in ReferralFee.objects.filter(lead=lead)}
    assert (fees["referrer"].amount, fees["employee"].amount) == (
        Decimal("925.93"),
        Decimal("308.64"),
    )  # 1,234.57 split 75/25
    page = client.get("/referrals/fees/").content.decode()
    assert "925.93" in page and "Owed" in page and "10.00 % of the sale" in page
    assert (
        client_for(owner_rep).post(f"/referrals/fees/{fees['referrer'].pk}/pay/").status_code == 403
    )
    client = client_for(program_manager)
    response = client.post(f"/referrals/fees/{fees['referrer'].pk}/pay/", {"paid_on": "not a date"})
    assert (
        response.status_code == 302
        and ReferralFee.objects.get(pk=fees["referrer"].pk).status == "owed"
    )
    client.post(f"/referrals/fees/{fees['referrer'].pk}/pay/", {"paid_on": "2026-11-01"})
    fee = ReferralFee.objects.get(pk=fees["referrer"].pk)
    assert (fee.status, fee.paid_on) == ("paid", dt.date(2026, 11, 1))
    assert selectors.fee_totals(user=program_manager) == {"owed": Decimal("308.64"), "paid": Decimal("925.93"),
                                                          "employee_owed": Decimal("308.64"), "employee_paid": Decimal("0.00")}  # fmt: skip


def test_the_fee_api_lists_pays_once_and_switches_rules(
    client_for, program_manager, owner_rep, referrer
):
    client = client_for(program_manager)
    rule = client.post(
        "/api/referrals/fee-rules",
        {"name": "Flat 500", "kind": "flat", "flat_amount": "500"},
        content_type="application/json",
    )
    assert rule.status_code == 201 and rule.json()["source"] == ""
    assert (
        client.post(
            "/api/referrals/fee-rules",
            {"name": "Pct", "kind": "percent", "percent": "120"},
            content_type="application/json",
        ).status_code
        == 422
    )
    won_lead(owner_rep, referrer)
    (fee,) = client.get("/api/referrals/fees?status=owed").json()
    assert (fee["amount"], fee["payee"], fee["rule"]) == ("500.00", "referrer", "Flat 500")
    assert (
        client_for(owner_rep)
        .post(f"/api/referrals/fees/{fee['id']}/pay", {}, content_type="application/json")
        .status_code
        == 403
    )
    client = client_for(program_manager)
    paid = client.post(f"/api/referrals/fees/{fee['id']}/pay", {}, content_type="application/json")
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    assert (
        client.post(
            f"/api/referrals/fees/{fee['id']}/pay", {}, content_type="application/json"
        ).status_code
        == 409
    )
    off = client.post(
        f"/api/referrals/fee-rules/{rule.json()['id']}/active",
        {"active": False},
        content_type="application/json",
    )
    assert off.json()["active"] is False
    won_lead(owner_rep, referrer, company="Second Farm")
    assert (
        len(client.get("/api/referrals/fees").json()) == 1
    )  # no active rule: the second win owes nothing


def test_the_lead_api_shows_the_timeline_fees_and_thank_yous(
    client_for, program_manager, owner_rep, other_rep, referrer
):
    services.fee_rule_create(actor=program_manager, name="Flat", kind="flat", flat_amount="100")
    lead = won_lead(owner_rep, referrer)
    body = client_for(owner_rep).get(f"/api/referrals/leads/{lead.pk}").json()
    assert {"arrived", "referrer_informed", "stage", "fee"} <= {e["kind"] for e in body["events"]}
    assert body["fees"][0]["amount"] == "100.00" and {
        t["occasion"] for t in body["thank_yous"]
    } == {"arrival", "close"}
    assert client_for(other_rep).get(f"/api/referrals/leads/{lead.pk}").status_code == 404
    arrival = next(t for t in body["thank_yous"] if t["occasion"] == "arrival")
    done = client_for(owner_rep).post(
        f"/api/referrals/thank-yous/{arrival['id']}/done",
        {"note": "Called"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["done_at"]
    assert [
        t["occasion"] for t in client_for(owner_rep).get("/api/referrals/thank-yous").json()
    ] == ["close"]


# --- passed referrals and cross-sell ------------------------------------------------------------


def test_a_referral_passed_to_a_customer_is_a_give_back(client_for, owner_rep, other_rep, account):
    client = client_for(owner_rep)
    response = client.post(
        "/referrals/passed/",
        {"account_id": account.pk, "company": "Big Sky Ranch", "contact_name": "Bo"},
    )
    assert response.status_code == 302
    assert GiveBack.objects.get().kind == "referral"
    assert "Big Sky Ranch" in client.get("/referrals/passed/").content.decode()
    created = client.post(
        "/api/referrals/passed",
        {"account_id": account.pk, "company": "Open Range Co"},
        content_type="application/json",
    )
    assert (
        created.status_code == 201
        and created.json()["giveback_id"] == GiveBack.objects.order_by("-pk").first().pk
    )
    assert client_for(other_rep).post("/api/referrals/passed", {"account_id": account.pk, "company": "X"},
                                      content_type="application/json").status_code == 403  # fmt: skip
    assert (
        client_for(other_rep)
        .post("/referrals/passed/", {"account_id": 999999, "company": "X"})
        .status_code
        == 422
    )


def test_the_cross_sell_api_lists_products_not_owned_yet(client_for, executive):
    ledger, payroll = ProductFactory(name="Ledger"), ProductFactory(name="Payroll")
    AccountFactory(name="Both Co", products=[ledger, payroll])
    AccountFactory(name="Ledger Only", products=[ledger])
    rows = client_for(executive).get("/api/referrals/cross-sell").json()
    assert rows == [
        {
            "account_id": rows[0]["account_id"],
            "account": "Ledger Only",
            "owner": rows[0]["owner"],
            "owns": ["Ledger"],
            "missing": ["Payroll"],
        }
    ]
    assert client_for(executive).get("/api/referrals/cross-sell?product=Treasury").json() == []


# --- the command line ---------------------------------------------------------------------------


def test_the_cli_lists_targets_and_fees_and_pays_one(capsys, program_manager, owner_rep, referrer):
    services.target_set(
        actor=program_manager,
        label="Q4",
        starts_on="2026-10-01",
        ends_on="2026-12-31",
        lead_count=5,
        value="1000",
    )
    services.fee_rule_create(actor=program_manager, name="Flat", kind="flat", flat_amount="250")
    won_lead(owner_rep, referrer)
    assert main(["referrals", "targets", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["label"] == "Q4"
    assert main(["referrals", "fees", "--status", "owed", "--json"]) == 0
    (fee,) = json.loads(capsys.readouterr().out)
    assert fee["amount"] == "250.00"
    assert main(["referrals", "pay", str(fee["id"]), "--paid-on", "2026-11-02"]) == 0
    assert "paid on 2026-11-02" in capsys.readouterr().out
    assert main(["referrals", "pay", str(fee["id"])]) == 1
    assert "already paid" in capsys.readouterr().err
    assert main(["referrals", "pay", "999999"]) == 1


def test_a_rep_cannot_log_a_referral_for_another_reps_customer_from_the_page(
    client_for, other_rep, referrer
):
    response = client_for(other_rep).post(
        "/referrals/leads/new/",
        {"company": "X Co", "source": "customer", "referrer_contact_id": referrer.pk},
    )
    assert response.status_code == 403


# --- the referrer's address is contact details --------------------------------------------------


def test_a_customer_referrers_email_is_shown_only_to_those_who_may_see_their_details(
    client_for, program_manager, owner_rep, executive, referrer
):
    """The timeline names the referrer; the API gives the address to the program manager and the
    account's owner (each view audited) and "" to an executive without a grant."""
    from refdesk.people.models import AuditEntry

    lead = won_lead(owner_rep, referrer)
    told = list(lead.events.filter(kind="referrer_informed").values_list("text", flat=True))
    assert told and all(t.startswith("Told Dana Fox: ") for t in told)
    assert not any("dana@prairie.example" in t for t in told)

    page = client_for(executive).get(f"/referrals/leads/{lead.pk}/")
    assert page.status_code == 200 and b"Told Dana Fox" in page.content
    assert b"dana@prairie.example" not in page.content
    as_executive = client_for(executive).get(f"/api/referrals/leads/{lead.pk}").json()
    assert as_executive["referrer_email"] == ""
    assert "dana@prairie.example" not in json.dumps(as_executive)
    assert not AuditEntry.objects.filter(actor=executive).exists()

    for reader in (program_manager, owner_rep):
        body = client_for(reader).get(f"/api/referrals/leads/{lead.pk}").json()
        assert body["referrer_email"] == "dana@prairie.example"
        entry = AuditEntry.objects.filter(actor=reader).latest("pk")
        assert entry.kind == "contact_view" and entry.via == "api" and entry.object_ids == [referrer.pk]


def test_timelines_written_before_name_the_referrer_instead_of_the_address(owner_rep, referrer):
    """The data migration rewrites "Told <email>: …" entries; others are left alone."""
    import importlib

    from django.apps import apps

    from refdesk.referrals.models import LeadEvent

    lead = won_lead(owner_rep, referrer)
    old = LeadEvent.objects.create(lead=lead, kind="referrer_informed", text="Told dana@prairie.example: It closed.", at=lead.created_at)
    other = LeadEvent.objects.create(lead=lead, kind="stage", text="Told dana@prairie.example: kept", at=lead.created_at)
    migration = importlib.import_module("refdesk.referrals.migrations.0002_timeline_names_the_referrer")
    migration.name_not_address(apps, None)
    old.refresh_from_db(), other.refresh_from_db()
    assert old.text == "Told Dana Fox: It closed."
    assert other.text == "Told dana@prairie.example: kept"


def test_money_sums_are_kept_to_the_cent(client_for, program_manager, owner_rep, referrer):
    """Sums of amounts (SQLite adds decimals as floats) read as money on the page and in the API."""
    services.fee_rule_create(actor=program_manager, name="Five percent", kind="percent", percent="5")
    for n, amount in enumerate(["0.10", "0.20", "1000.07"]):
        won_lead(owner_rep, referrer, company=f"Farm {n}", amount=amount)
    [customer] = [f for f in selectors.source_report(user=program_manager) if f.source == "customer"]
    assert (str(customer.revenue), str(customer.fees)) == ("1000.37", "50.02")
    totals = selectors.fee_totals(user=program_manager)
    assert all(value.as_tuple().exponent == -2 for value in totals.values())
    page = client_for(program_manager).get("/referrals/").content.decode()
    assert "1000.37" in page and not re.search(r"\d\.\d{3,}", page)


@pytest.mark.parametrize("contact_id", [-1, 2**31])
def test_a_referrer_id_outside_the_database_range_is_refused_with_the_range(owner_rep, contact_id):
    from refdesk.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        services.lead_create(actor=owner_rep, company="Far Farm", source="customer", referrer_contact_id=contact_id)
    assert "between 1 and 2147483647" in str(refused.value.details)
