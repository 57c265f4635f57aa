import datetime as dt
import io

import pytest
from django.utils import timezone

from refdesk.asks.models import ReferenceRequest
from refdesk.core.errors import Conflict, InvalidInput
from refdesk.growth import selectors, services
from refdesk.growth.models import GiveBack, OnboardingMilestone, SurveyResponse, Win
from refdesk.notify.models import OutboundEmail
from refdesk.pool.choices import ReferenceStatus
from refdesk.pool.models import NaicsIndustry, ReferenceProfile
from tests.factories import AccountFactory, ContactFactory, ReferenceFactory, UserFactory


def acct(name, code, employees, country, products=()):
    return AccountFactory(
        name=name,
        industry=NaicsIndustry.objects.get(pk=code),
        employees=employees,
        country=country,
        products=list(products),
    )


@pytest.fixture
def pool(owner_rep):
    """Two wished-for regional banks in the US; customers near and far from that profile."""
    wished = [
        acct("First Prairie Bank", "522110", 800, "US", ["Ledger"]),
        acct("Plains Savings", "522110", 1200, "US", ["Ledger"]),
    ]
    for a in wished:
        services.wish_add(actor=owner_rep, account=a)
    return {
        "bank_us": acct("Great Lakes Bank", "522110", 1000, "US", ["Ledger"]),
        "credit_union_ca": acct("Maple Credit Union", "522130", 900, "CA", []),
        "insurer_de": acct("Rhein Versicherung", "524126", 50000, "DE", []),
        "ranch": acct("Prairie Cattle", "112111", 40, "US", []),
        "bank_already_reference": acct("Reference Bank", "522110", 1000, "US", ["Ledger"]),
    }


def test_it_ranks_customers_by_fit_to_the_wish_list_with_reasons(program_manager, pool):
    ReferenceFactory(contact=ContactFactory(account=pool["bank_already_reference"]))
    result = selectors.lookalike_list(user=program_manager)
    names = [c["account"] for c in result["candidates"]]
    assert names[:3] == ["Great Lakes Bank", "Maple Credit Union", "Rhein Versicherung"]
    assert "Reference Bank" not in names and "First Prairie Bank" not in names
    assert (
        "Prairie Cattle" not in names
    )  # same country and size never make a ranch look like a bank
    top = result["candidates"][0]
    # 50 industry + 19 size (1,000 staff against 800 and 1,200) + 15 location + 15 products.
    assert top["score"] == 98.0
    assert {r["criterion"] for r in top["reasons"]} == {"industry", "size", "location", "products"}
    second = result["candidates"][1]
    # Same industry group (5221) scores 0.7 of 50; Canada shares the region with the US: half of 15.
    assert [r["points"] for r in second["reasons"] if r["criterion"] == "industry"] == [35.0]
    assert [r["points"] for r in second["reasons"] if r["criterion"] == "location"] == [7.5]
    assert result["profile"]["industries"][0]["code"] == "522110"
    assert result["sources"] == {"wished_accounts": 2, "unfilled_requests": 0}


def test_unfilled_requests_shape_the_profile(program_manager, owner_rep):
    ranch = acct("Prairie Cattle", "112111", 40, "US")
    bank = acct("Great Lakes Bank", "522110", 1000, "US")
    ReferenceRequest.objects.create(
        requester=owner_rep,
        prospect="Big Ranch",
        industry_id="112111",
        employees=50,
        country="US",
        status="expired",
        submitted_at=timezone.now(),
    )
    names = [c["account"] for c in selectors.lookalike_list(user=program_manager)["candidates"]]
    assert names == [ranch.name]
    assert bank.pk


def test_no_wishes_and_no_unfilled_demand_means_no_lookalikes(program_manager):
    acct("Great Lakes Bank", "522110", 1000, "US")
    assert selectors.lookalike_list(user=program_manager)["candidates"] == []


def test_a_wish_is_once_per_rep(owner_rep, account):
    services.wish_add(actor=owner_rep, account=account)
    with pytest.raises(Conflict):
        services.wish_add(actor=owner_rep, account=account)


# --- freshness ------------------------------------------------------------------------------


def test_a_profile_unconfirmed_for_six_months_is_stale_until_confirmed(program_manager, account):
    reference = ReferenceFactory(contact=ContactFactory(account=account))
    ReferenceProfile.objects.filter(pk=reference.pk).update(
        created_at=timezone.now() - dt.timedelta(days=200)
    )
    assert selectors.stale_reference_ids() == {reference.pk}
    assert services.freshness_sweep() == 1
    assert services.freshness_sweep() == 0  # asked once per window
    (email,) = OutboundEmail.objects.filter(key__startswith=f"freshness:{reference.pk}:")
    assert "/growth/confirm/" in email.body_text and email.to == reference.contact.email
    services.freshness_confirm(reference=reference)
    assert selectors.stale_reference_ids() == set()


def test_the_confirmation_link_works_once(client, account):
    reference = ReferenceFactory(contact=ContactFactory(account=account))
    url = services.freshness_request(reference=reference)
    path = url.split("8000", 1)[-1] if "8000" in url else url
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    assert client.get(path).status_code == 404


# --- sharing rule ---------------------------------------------------------------------------


def test_the_sharing_rule_limits_a_rep_who_shares_nothing_to_their_own_accounts(
    program_manager, owner_rep, other_rep, account
):
    theirs = ReferenceFactory(contact=ContactFactory(account=account))
    AccountFactory(owner=other_rep)  # Sam owns an account with no reference
    assert selectors.sharing_rule_allows(other_rep, [theirs.pk]) is True  # off by default
    services.growth_settings_update(actor=program_manager, sharing_rule=True)
    assert selectors.sharing_rule_allows(other_rep, [theirs.pk]) is False
    assert (
        selectors.sharing_rule_allows(owner_rep, [theirs.pk]) is True
    )  # Olivia shares her customer
    assert selectors.sharing_rule_allows(program_manager, [theirs.pk]) is True


# --- surveys, milestones, wins, give-backs --------------------------------------------------


def test_survey_import_updates_the_latest_nps_and_refuses_bad_files_whole(program_manager, account):
    reference = ReferenceFactory(
        contact=ContactFactory(account=account, email="dana@prairie.example"), nps=6
    )
    bad = io.BytesIO(
        b"email,nps,date\ndana@prairie.example,10,2025-01-05\nnobody@x.example,9,2025-01-05\ndana@prairie.example,11,2025-01-06\n"
    )
    result = services.survey_import(actor=program_manager, path_or_file=bad, filename="survey.csv")
    assert [str(e) for e in result.errors] == [
        "line 3: email: no contact has the email nobody@x.example",
        "line 4: nps: must be between 0 and 10",
    ]
    assert SurveyResponse.objects.count() == 0
    good = io.BytesIO(b"Email;NPS score;Response date\ndana@prairie.example;10;2025-01-05\n")
    result = services.survey_import(actor=program_manager, path_or_file=good, filename="survey.csv")
    assert result.ok and result.created == 1
    reference.refresh_from_db()
    assert (reference.nps, reference.nps_date) == (10, dt.date(2025, 1, 5))


def test_a_go_live_milestone_sets_the_go_live_date(owner_rep, account):
    services.milestone_log(
        actor=owner_rep, account=account, kind="go_live", occurred_on="2025-02-01"
    )
    account.refresh_from_db()
    assert account.live_since == dt.date(2025, 2, 1)
    with pytest.raises(InvalidInput):
        services.milestone_log(
            actor=owner_rep, account=account, kind="launch party", occurred_on="2025-02-01"
        )


WINS = b"""opportunity_id,account,contact,email,amount,closed_on,products,owner_email
OPP-1,Northwind Grain,Ada Lee,ada@northwind.example,"12,500.00",2025-03-01,Ledger;Payroll,olivia@vendor.example
OPP-2,Prairie Cattle Co,Ben Ray,ben@prairie.example,900,2025-03-02,,
"""


def test_wins_become_candidates_with_a_follow_up_and_reimport_changes_nothing(
    program_manager, account
):
    result = services.win_import(
        actor=program_manager, path_or_file=io.BytesIO(WINS), filename="wins.csv"
    )
    assert result.ok and result.created == 2
    win = Win.objects.get(external_id="OPP-1")
    assert win.reference.status == ReferenceStatus.CANDIDATE and str(win.amount) == "12500.00"
    assert win.account.owner.email == "olivia@vendor.example"
    assert (
        OnboardingMilestone.objects.filter(
            account=win.account, kind="follow_up", done=False
        ).count()
        == 1
    )
    assert Win.objects.get(external_id="OPP-2").account == account
    again = services.win_import(
        actor=program_manager, path_or_file=io.BytesIO(WINS), filename="wins.csv"
    )
    assert (again.created, again.unchanged) == (0, 2) and Win.objects.count() == 2


def test_a_bad_win_row_refuses_the_file(program_manager):
    data = b"opportunity_id,account,contact,email,closed_on\nOPP-9,Acme,Al,al@acme.example,2099-01-01\nOPP-9,Acme,Al,not-an-email,2025-01-01\n"
    result = services.win_import(
        actor=program_manager, path_or_file=io.BytesIO(data), filename="wins.csv"
    )
    assert [str(e) for e in result.errors] == [
        "line 2: closed_on: 2099-01-01 is in the future",
        "line 3: email: 'not-an-email' is not a valid email address",
    ]
    assert Win.objects.count() == 0


def test_a_customer_asked_much_and_given_little_is_flagged(program_manager, owner_rep, account):
    from refdesk.activities.models import Activity

    reference = ReferenceFactory(contact=ContactFactory(account=account))
    for days in (10, 40, 80):
        Activity.objects.create(
            reference=reference,
            activity_type="reference_call",
            status="completed",
            occurred_at=timezone.now() - dt.timedelta(days=days),
        )
    rows = selectors.balance_list(user=program_manager)
    assert rows == [
        {
            "account_id": account.pk,
            "account": account.name,
            "asks": 3,
            "gives": 0,
            "balance": -3,
            "flagged": True,
        }
    ]
    services.giveback_log(
        actor=owner_rep, account=account, kind="training", note="Admin course", value="450"
    )
    assert selectors.balance_list(user=program_manager)[0]["flagged"] is False
    assert GiveBack.objects.get().value == 450
    stranger = UserFactory()
    from refdesk.core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.giveback_log(actor=stranger, account=account, kind="training")


def test_the_sharing_rule_filters_proposals_to_a_restricted_reps_own_accounts(
    program_manager, other_rep, account
):
    theirs = ReferenceFactory(contact=ContactFactory(account=account))
    mine = ReferenceFactory(
        contact=ContactFactory(account=AccountFactory(owner=other_rep)),
        status=ReferenceStatus.CANDIDATE,
    )
    assert selectors.sharing_rule_allowed_ids(other_rep, [theirs.pk, mine.pk]) == {
        theirs.pk,
        mine.pk,
    }
    services.growth_settings_update(actor=program_manager, sharing_rule=True)
    assert selectors.sharing_rule_allowed_ids(other_rep, [theirs.pk, mine.pk]) == {mine.pk}


def test_matching_marks_stale_by_the_freshness_window_in_force(program_manager, account):
    """The match's query is compiled once and reused: a new window must still change who is stale."""
    from refdesk.matching.selectors import MatchQuery, match_find

    reference = ReferenceFactory(contact=ContactFactory(account=account), activity_types=["reference_call"])
    ReferenceProfile.objects.filter(pk=reference.pk).update(created_at=timezone.now() - dt.timedelta(days=200))

    def stale_in_match() -> bool:
        found = match_find(user=None, query=MatchQuery(activity_type="reference_call", limit=10))
        return next(c["stale"] for c in found["candidates"] if c["reference_id"] == reference.pk)

    assert stale_in_match() is True
    services.growth_settings_update(actor=program_manager, stale_after_days=365)
    assert stale_in_match() is False
    services.growth_settings_update(actor=program_manager, stale_after_days=90)
    assert stale_in_match() is True
