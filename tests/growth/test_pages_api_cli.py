import datetime as dt
import json

import pytest
from django.utils import timezone

from refdesk.cli import main
from refdesk.growth import services
from refdesk.pool.choices import ReferenceStatus
from tests.factories import ContactFactory, ReferenceFactory


@pytest.mark.parametrize(
    "name",
    [
        "growth:home",
        "growth:nomination-list",
        "growth:readiness",
        "growth:lookalikes",
        "growth:stale",
        "growth:balances",
        "growth:escalation-list",
        "growth:onboarding",
        "referrals:home",
        "referrals:lead-list",
        "referrals:cross-sell",
        "referrals:target-list",
        "referrals:plan-list",
        "referrals:fee-list",
        "referrals:cost-list",
        "referrals:passed-list",
    ],
)
def test_every_page_opens_for_an_executive(client_for, executive, name):
    from django.urls import reverse

    assert client_for(executive).get(reverse(name)).status_code == 200


def test_a_rep_nominates_from_the_page_and_sees_field_errors(client_for, owner_rep, account):
    client = client_for(owner_rep)
    contact = ContactFactory(account=account)
    response = client.post(
        "/growth/nominations/new/",
        {"contact_id": contact.pk, "kind": "happy_customer", "reason": ""},
    )
    assert response.status_code == 422 and b"This field is required" in response.content
    response = client.post(
        "/growth/nominations/new/",
        {"contact_id": contact.pk, "kind": "happy_customer", "reason": "Loves it"},
    )
    assert response.status_code == 302
    assert client.get("/growth/imports/").status_code == 403


def test_the_pm_is_told_why_an_invitation_was_refused(client_for, program_manager, account):
    reference = ReferenceFactory(
        contact=ContactFactory(account=account), status=ReferenceStatus.CANDIDATE, nps=8
    )
    client = client_for(program_manager)
    response = client.post(f"/growth/readiness/{reference.pk}/invite/", follow=True)
    assert b"latest NPS 8 is below 9" in response.content
    reference.refresh_from_db()
    assert reference.status == ReferenceStatus.CANDIDATE


def test_the_api_refuses_an_unready_invite_with_422_or_409_and_the_reason(
    client_for, program_manager, account
):
    reference = ReferenceFactory(
        contact=ContactFactory(account=account), status=ReferenceStatus.CANDIDATE, nps=10
    )
    client = client_for(program_manager)
    response = client.post(
        f"/api/growth/references/{reference.pk}/invite", {}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["details"]["readiness"] == "no go-live date recorded"
    response = client.post(
        f"/api/growth/references/{reference.pk}/invite",
        {"override_note": "Exec sponsor"},
        content_type="application/json",
    )
    assert response.status_code == 200


def test_the_crm_posts_a_win_once(client_for, program_manager):
    client = client_for(program_manager)
    body = {
        "opportunity_id": "OPP-7",
        "account": "Northwind",
        "contact": "Ada",
        "email": "ada@northwind.example",
        "closed_on": "2025-03-01",
        "amount": "100.50",
    }
    first = client.post("/api/growth/wins", body, content_type="application/json")
    again = client.post("/api/growth/wins", body, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["reference_id"] == again.json()["reference_id"]
    bad = client.post(
        "/api/growth/wins",
        {**body, "opportunity_id": "OPP-8", "email": "nope"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "email" in bad.json()["details"]


def test_the_referral_api_logs_and_closes_a_lead(client_for, owner_rep, account):
    referrer = ContactFactory(account=account)
    client = client_for(owner_rep)
    created = client.post(
        "/api/referrals/leads",
        {"company": "Northwind", "source": "customer", "referrer_contact_id": referrer.pk},
        content_type="application/json",
    )
    assert created.status_code == 201
    won = client.post(
        f"/api/referrals/leads/{created.json()['id']}/stage",
        {"to_stage": "won", "amount": "1000.00"},
        content_type="application/json",
    )
    assert won.json()["stage"] == "won" and won.json()["amount"] == "1000.00"
    sources = {s["source"]: s for s in client.get("/api/referrals/sources").json()}
    assert sources["customer"]["closure_rate"] == "100.0"


def test_the_cli_imports_wins_and_reports_bad_rows(tmp_path, capsys, db):
    path = tmp_path / "wins.csv"
    path.write_text(
        "opportunity_id,account,contact,email,closed_on\nOPP-1,Acme,Al,al@acme.example,2025-01-01\nOPP-2,Acme,Bo,bad,2025-01-01\n"
    )
    assert main(["growth", "import-wins", str(path)]) == 1
    assert "line 3: email: 'bad' is not a valid email address" in capsys.readouterr().out
    path.write_text(
        "opportunity_id,account,contact,email,closed_on\nOPP-1,Acme,Al,al@acme.example,2025-01-01\n"
    )
    assert main(["growth", "import-wins", str(path)]) == 0
    assert main(["growth", "readiness", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out.split("\n", 2)[-1])
    assert rows[0]["name"] == "Al" and rows[0]["ready"] is False
    assert main(["referrals", "sources"]) == 0


def test_days_live_counts_from_the_account_go_live(program_manager, account):
    account.live_since = timezone.now().date() - dt.timedelta(days=90)
    account.save()
    reference = ReferenceFactory(
        contact=ContactFactory(account=account), status=ReferenceStatus.CANDIDATE, nps=9
    )
    services.reference_invite(actor=program_manager, reference=reference)
