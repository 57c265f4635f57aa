"""Salespeople earn for nominating, sharing and feedback; leaderboards by period and team; contests."""

import datetime as dt

import pytest
from django.utils import timezone

from refdesk.asks.models import Feedback, ReferenceRequest, RequestCandidate
from refdesk.core.errors import Forbidden, InvalidInput
from refdesk.people.choices import Role
from refdesk.rewards import selectors, services
from refdesk.rewards.models import RewardRefusal
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _points(user):
    return selectors.my_points(user=user).balance


def _candidate(reference, requester, *, approved=True):
    now = timezone.now()
    request = ReferenceRequest.objects.create(
        requester=requester, prospect="Big Sky Ranch", submitted_at=now
    )
    return RequestCandidate.objects.create(request=request, reference=reference, status="approved" if approved else "selected",
                                           approved_at=now if approved else None)  # fmt: skip


def test_a_rep_earns_for_nominating_a_reference_once(owner_rep, other_rep, reference):
    assert (
        services.reward_credit_nomination(nominator=owner_rep, reference_id=reference.pk).points
        == 50
    )
    assert services.reward_credit_nomination(nominator=owner_rep, reference_id=reference.pk) is None
    assert services.reward_credit_nomination(nominator=other_rep, reference_id=reference.pk) is None
    assert (_points(owner_rep), _points(other_rep)) == (50, 0)
    assert RewardRefusal.objects.filter(code="already_credited").count() == 2


def test_nobody_earns_for_nominating_themselves(reference):
    ada = UserFactory(email="ADA@prairie.example", role=Role.REQUESTER)
    assert services.reward_credit_nomination(nominator=ada, reference_id=reference.pk) is None
    refusal = RewardRefusal.objects.get()
    assert refusal.code == "self_credit" and "nominated themselves" in refusal.reason


def test_the_owner_earns_when_another_rep_uses_their_customer(owner_rep, other_rep, reference):
    candidate = _candidate(reference, other_rep)
    entry = services.reward_credit_sharing(candidate_id=candidate.pk)
    assert entry.points == 100 and entry.holder.user == owner_rep
    assert "Shared Prairie Cattle Co with Sam" in entry.reason
    assert services.reward_credit_sharing(candidate_id=candidate.pk) is None
    assert _points(owner_rep) == 100 and _points(other_rep) == 0


def test_asking_for_your_own_customer_is_not_sharing(owner_rep, reference):
    candidate = _candidate(reference, owner_rep)
    assert services.reward_credit_sharing(candidate_id=candidate.pk) is None
    assert RewardRefusal.objects.get().code == "self_credit" and _points(owner_rep) == 0


def test_nothing_is_shared_before_the_approval(owner_rep, other_rep, reference):
    candidate = _candidate(reference, other_rep, approved=False)
    assert services.reward_credit_sharing(candidate_id=candidate.pk) is None
    assert _points(owner_rep) == 0


def test_two_contacts_of_one_account_on_one_request_earn_once(
    owner_rep, other_rep, reference, account
):
    from tests.factories import ContactFactory, ReferenceFactory

    first = _candidate(reference, other_rep)
    second_ref = ReferenceFactory(contact=ContactFactory(account=account))
    second = RequestCandidate.objects.create(
        request=first.request, reference=second_ref, status="approved", approved_at=timezone.now()
    )
    services.reward_credit_sharing(candidate_id=first.pk)
    services.reward_credit_sharing(candidate_id=second.pk)
    assert _points(owner_rep) == 100


def test_a_rep_earns_for_giving_feedback_once_and_a_reference_link_does_not(other_rep, reference):
    candidate = _candidate(reference, other_rep)
    mine = Feedback.objects.create(
        candidate=candidate, side="requester", rating=5, given_by=other_rep, given_at=timezone.now()
    )
    theirs = Feedback.objects.create(
        candidate=candidate, side="reference", rating=4, given_at=timezone.now()
    )
    assert services.reward_credit_feedback(feedback_id=mine.pk).points == 20
    assert services.reward_credit_feedback(feedback_id=mine.pk) is None
    assert services.reward_credit_feedback(feedback_id=theirs.pk) is None
    assert _points(other_rep) == 20


def test_the_sweep_credits_sharing_and_feedback_from_the_request_log(
    owner_rep, other_rep, reference
):
    candidate = _candidate(reference, other_rep)
    Feedback.objects.create(
        candidate=candidate, side="requester", rating=5, given_by=other_rep, given_at=timezone.now()
    )
    assert services.rewards_sweep()["credited"] == 2
    assert services.rewards_sweep()["credited"] == 0
    assert (_points(owner_rep), _points(other_rep)) == (100, 20)


def test_the_leaderboard_ranks_reps_by_points_earned_in_the_period_and_team(
    program_manager, owner_rep, other_rep, make_reference
):
    owner_rep.team, other_rep.team = "East", "West"
    owner_rep.save(update_fields=["team"])
    other_rep.save(update_fields=["team"])
    today = timezone.now()
    last_year = today - dt.timedelta(days=400)
    for n in range(3):
        services.reward_credit_nomination(
            nominator=owner_rep, reference_id=make_reference(name=f"R{n}").pk
        )
    services.reward_credit_nomination(
        nominator=other_rep, reference_id=make_reference(name="Old").pk, at=last_year
    )
    services.reward_credit_nomination(
        nominator=other_rep, reference_id=make_reference(name="New").pk
    )
    board = selectors.leaderboard(user=other_rep, period="month")
    assert [(r.rank, r.name.split()[0], r.points) for r in board["rows"]] == [
        (1, "Olivia", 150),
        (2, "Sam", 50),
    ]
    assert [
        r.name.split()[0]
        for r in selectors.leaderboard(user=other_rep, period="year", team="West")["rows"]
    ] == ["Sam"]
    old = selectors.leaderboard(user=other_rep, period="quarter", on=last_year.date())["rows"]
    assert [(r.name.split()[0], r.points) for r in old] == [("Sam", 50)]
    with pytest.raises(InvalidInput):
        selectors.leaderboard(user=other_rep, period="week")


def test_equal_points_share_a_rank(owner_rep, other_rep, make_reference):
    services.reward_credit_nomination(nominator=owner_rep, reference_id=make_reference(name="A").pk)
    services.reward_credit_nomination(nominator=other_rep, reference_id=make_reference(name="B").pk)
    assert [r.rank for r in selectors.leaderboard(user=owner_rep)["rows"]] == [1, 1]


def test_a_contest_ranks_points_earned_inside_its_window_with_prizes(
    program_manager, owner_rep, other_rep, make_reference
):
    today = timezone.now().date()
    contest = services.contest_create(actor=program_manager, name="Share-a-thon", starts_on=today - dt.timedelta(days=7),
                                      ends_on=today, prizes="Dinner for two;Extra day off")  # fmt: skip
    services.reward_credit_nomination(nominator=other_rep, reference_id=make_reference(name="A").pk,
                                      at=timezone.now() - dt.timedelta(days=30))  # fmt: skip
    services.reward_credit_nomination(nominator=owner_rep, reference_id=make_reference(name="B").pk)
    rows = selectors.contest_standings(contest)
    assert [(r.name.split()[0], r.points, r.prize) for r in rows] == [
        ("Olivia", 50, "Dinner for two")
    ]


def test_only_a_program_manager_runs_contests_with_sane_dates(program_manager, owner_rep):
    with pytest.raises(Forbidden):
        services.contest_create(
            actor=owner_rep, name="Mine", starts_on="2026-01-01", ends_on="2026-02-01"
        )
    with pytest.raises(InvalidInput):
        services.contest_create(
            actor=program_manager, name="Backwards", starts_on="2026-02-01", ends_on="2026-01-01"
        )
