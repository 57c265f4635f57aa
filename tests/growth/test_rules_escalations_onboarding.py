"""The growth rules form, escalations, onboarding milestones, survey and win lists, and the wish list's one permission rule,
through their pages, API and CLI."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from refdesk.cli import main
from refdesk.growth import selectors, services
from refdesk.growth.models import Escalation, OnboardingMilestone, WishListEntry
from refdesk.pool.choices import ReferenceStatus
from tests.factories import AccountFactory, ContactFactory, ReferenceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def requester(db):
    return UserFactory(email="rita@vendor.example", role="requester")


@pytest.fixture
def candidate(account):
    """Ready in every way: live for a year, NPS 10."""
    account.live_since = timezone.now().date() - dt.timedelta(days=365)
    account.save(update_fields=["live_since"])
    return ReferenceFactory(
        contact=ContactFactory(account=account), status=ReferenceStatus.CANDIDATE, nps=10
    )


# --- the growth rules -----------------------------------------------------------------------------


def test_the_pm_changes_the_readiness_rules_on_the_page_and_readiness_follows(
    client_for, program_manager, candidate
):
    client = client_for(program_manager)
    page = client.get("/growth/settings/")
    assert page.status_code == 200 and b'value="90"' in page.content
    assert selectors.reference_readiness(candidate).ready
    body = {
        "min_live_days": "400",
        "min_nps": "9",
        "stale_after_days": "182",
        "sharing_rule": "on",
        "sharing_min_percent": "25",
        "giveback_gap": "3",
    }
    assert client.post("/growth/settings/", body).status_code == 302
    settings = selectors.growth_settings_get()
    assert (settings.min_live_days, settings.sharing_rule) == (400, True)
    assert not selectors.reference_readiness(candidate).ready
    bad = client.post("/growth/settings/", {**body, "min_nps": "11"})
    assert bad.status_code == 422 and selectors.growth_settings_get().min_nps == 9


def test_only_the_pm_sees_or_changes_the_rules(client_for, owner_rep, executive):
    assert client_for(owner_rep).get("/growth/settings/").status_code == 403
    assert client_for(executive).post("/growth/settings/", {"min_nps": "0"}).status_code == 403
    api = client_for(owner_rep).post(
        "/api/growth/settings", {"min_nps": 0}, content_type="application/json"
    )
    assert api.status_code == 403 and selectors.growth_settings_get().min_nps == 9


def test_the_settings_api_changes_only_what_it_is_given(client_for, program_manager):
    client = client_for(program_manager)
    response = client.post(
        "/api/growth/settings",
        {"stale_after_days": 90, "sharing_rule": True},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json() == {"min_live_days": 90, "min_nps": 9, "stale_after_days": 90, "sharing_rule": True,
                               "sharing_min_percent": 25, "giveback_gap": 3}  # fmt: skip
    assert (
        client.post(
            "/api/growth/settings", {"min_nps": 12}, content_type="application/json"
        ).status_code
        == 422
    )
    assert client.get("/api/growth/settings").json()["stale_after_days"] == 90


def test_the_cli_shows_and_changes_the_rules(capsys, db):
    assert main(["growth", "settings", "--min-nps", "8", "--sharing-rule", "on"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["min_nps"], shown["sharing_rule"], shown["min_live_days"]) == (8, True, 90)
    assert main(["growth", "settings", "--min-nps", "42"]) == 1


# --- escalations ----------------------------------------------------------------------------------


def test_an_escalation_opened_on_the_page_makes_the_account_not_ready_until_closed(
    client_for, owner_rep, other_rep, candidate, account
):
    client = client_for(owner_rep)
    response = client.post(
        "/growth/escalations/",
        {"account_id": account.pk, "summary": "Payroll outage", "opened_on": ""},
    )
    assert response.status_code == 302
    escalation = Escalation.objects.get()
    assert "open escalation" in "; ".join(selectors.reference_readiness(candidate).reasons_not)
    assert "Payroll outage" in client.get("/growth/escalations/").content.decode()
    # Sam does not own the account: he may not open or close escalations there.
    assert (
        client_for(other_rep)
        .post("/growth/escalations/", {"account_id": account.pk, "summary": "X"})
        .status_code
        == 403
    )
    assert (
        client_for(other_rep).post(f"/growth/escalations/{escalation.pk}/close/").status_code == 403
    )
    client = client_for(owner_rep)
    assert (
        client.post(
            f"/growth/escalations/{escalation.pk}/close/", {"closed_on": "not a date"}
        ).status_code
        == 302
    )
    assert Escalation.objects.get().status == "open"
    client.post(f"/growth/escalations/{escalation.pk}/close/")
    assert Escalation.objects.get().status == "closed"
    assert selectors.reference_readiness(candidate).ready


def test_requesters_cannot_log_escalations(client_for, requester, account):
    assert (
        client_for(requester)
        .post("/growth/escalations/", {"account_id": account.pk, "summary": "X"})
        .status_code
        == 403
    )
    api = client_for(requester).post(
        "/api/growth/escalations",
        {"account_id": account.pk, "summary": "X"},
        content_type="application/json",
    )
    assert api.status_code == 403 and not Escalation.objects.exists()


def test_the_escalation_api_opens_lists_and_closes(client_for, program_manager, account):
    client = client_for(program_manager)
    opened = client.post("/api/growth/escalations", {"account_id": account.pk, "summary": "Renewal dispute", "opened_on": "2026-10-01"},
                         content_type="application/json")  # fmt: skip
    assert opened.status_code == 201 and opened.json()["status"] == "open"
    escalation_id = opened.json()["id"]
    assert [e["id"] for e in client.get("/api/growth/escalations?status=open").json()] == [
        escalation_id
    ]
    early = client.post(
        f"/api/growth/escalations/{escalation_id}/close",
        {"closed_on": "2026-09-01"},
        content_type="application/json",
    )
    assert early.status_code == 422 and early.json()["details"] == {
        "closed_on": "is before 2026-10-01"
    }
    closed = client.post(
        f"/api/growth/escalations/{escalation_id}/close",
        {"closed_on": "2026-10-05"},
        content_type="application/json",
    )
    assert closed.json()["closed_on"] == "2026-10-05"
    assert (
        client.post(
            f"/api/growth/escalations/{escalation_id}/close", {}, content_type="application/json"
        ).status_code
        == 409
    )


# --- onboarding and satisfaction -------------------------------------------------------------------


def test_milestones_are_logged_per_account_and_follow_ups_marked_done(
    client_for, owner_rep, account
):
    client = client_for(owner_rep)
    response = client.post(
        "/growth/onboarding/",
        {
            "account_id": account.pk,
            "kind": "check_in",
            "occurred_on": "2026-11-01",
            "note": "Happy",
        },
    )
    assert response.status_code == 302
    assert (
        client.post(
            "/growth/onboarding/",
            {"account_id": account.pk, "kind": "check_in", "occurred_on": "soon"},
        ).status_code
        == 422
    )
    follow_up = services.milestone_log(
        actor=owner_rep, account=account, kind="follow_up", occurred_on="2026-11-30", done=False
    )
    page = client.get(f"/growth/onboarding/?account={account.pk}").content.decode()
    assert "Check-in" in page and "Happy" in page and "Onboarding follow-up due" in page
    client.post(f"/growth/onboarding/{follow_up.pk}/done/")
    assert OnboardingMilestone.objects.get(pk=follow_up.pk).done
    assert client.get("/growth/onboarding/?account=99999999999999999999").status_code == 200


def test_the_milestone_api_logs_lists_due_ones_and_completes(client_for, program_manager, account):
    client = client_for(program_manager)
    body = {
        "account_id": account.pk,
        "kind": "follow_up",
        "occurred_on": "2026-12-01",
        "done": False,
    }
    created = client.post("/api/growth/milestones", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["done"] is False
    assert (
        client.post(
            "/api/growth/milestones", {**body, "kind": "party"}, content_type="application/json"
        ).status_code
        == 422
    )
    assert [m["id"] for m in client.get("/api/growth/milestones?due_only=true").json()] == [
        created.json()["id"]
    ]
    done = client.post(
        f"/api/growth/milestones/{created.json()['id']}/done", content_type="application/json"
    )
    assert (
        done.json()["done"] is True
        and client.get("/api/growth/milestones?due_only=true").json() == []
    )


def test_survey_answers_and_wins_are_listed_by_the_api(
    client_for, program_manager, account, tmp_path
):
    ContactFactory(account=account, email="dana@prairie.example")
    path = tmp_path / "nps.csv"
    path.write_text("email,nps,csat,date\ndana@prairie.example,9,5,2026-10-01\n")
    assert services.survey_import(actor=program_manager, path_or_file=str(path)).ok
    client = client_for(program_manager)
    answers = {
        (a["kind"], a["score"])
        for a in client.get(f"/api/growth/surveys?account_id={account.pk}").json()
    }
    assert answers == {("nps", 9), ("csat", 5)}
    services.win_record(actor=program_manager, opportunity_id="OPP-1", account="New Co", contact="Ann Lee", email="ann@newco.example",
                        closed_on="2026-10-01", amount="5000")  # fmt: skip
    (win,) = client.get("/api/growth/wins").json()
    assert (win["opportunity_id"], win["account"], win["amount"]) == (
        "OPP-1",
        "New Co",
        "5000.00",
    ) and win["reference_id"]


# --- the wish list: one permission rule for page, API and service ----------------------------------


@pytest.mark.parametrize("persona", ["requester", "executive"])
def test_the_wish_page_and_api_refuse_requesters_and_executives_alike(
    client_for, request, persona, account
):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    assert client.post("/growth/wishes/new/", {}).status_code == 403
    assert client.post("/growth/wishes/new/", {"account_id": account.pk}).status_code == 403
    assert (
        client.post(
            "/api/growth/wishes", {"account_id": account.pk}, content_type="application/json"
        ).status_code
        == 403
    )
    assert not WishListEntry.objects.exists()


def test_a_rep_adds_and_removes_a_wish(client_for, owner_rep, other_rep):
    target = AccountFactory(name="Big Logo Inc")
    client = client_for(owner_rep)
    assert (
        client.post("/growth/wishes/new/", {"account_id": target.pk, "note": "Huge"}).status_code
        == 302
    )
    wish = WishListEntry.objects.get()
    assert [w["account"] for w in client.get("/api/growth/wishes").json()] == ["Big Logo Inc"]
    assert (
        client_for(other_rep).post(f"/growth/wishes/{wish.pk}/remove/").status_code == 404
    )  # not theirs to see
    client = client_for(owner_rep)
    assert client.post(f"/growth/wishes/{wish.pk}/remove/").status_code == 302
    assert not WishListEntry.objects.exists()


def test_give_backs_and_balances_are_listed_by_the_api(client_for, program_manager, account):
    services.giveback_log(
        actor=program_manager, account=account, kind="training", note="Admin course", value="1200"
    )
    client = client_for(program_manager)
    (give,) = client.get(f"/api/growth/givebacks?account_id={account.pk}").json()
    assert (give["kind"], give["value"]) == ("training", "1200.00")
    (row,) = client.get("/api/growth/balances").json()
    assert (row["account"], row["gives"], row["flagged"]) == ("Prairie Cattle Co", 1, False)
