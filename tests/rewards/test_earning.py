"""Points arrive automatically for completed activities, once, and never for what did not happen."""

import datetime as dt

import pytest
from django.utils import timezone

from refdesk.activities.choices import ActivityStatus
from refdesk.rewards import selectors, services
from refdesk.rewards.models import LedgerEntry, RewardRefusal, ThankYouTask

pytestmark = pytest.mark.django_db


def _balance(reference):
    return selectors.reference_rewards_summary(reference.pk)["balance"]


def test_it_credits_the_default_points_for_each_activity_type(reference, make_activity):
    for kind, points in [("reference_call", 100), ("case_study", 500), ("speaking", 1000)]:
        entry = services.reward_credit_for_activity(
            activity_id=make_activity(reference, activity_type=kind).pk
        )
        assert entry.points == points and entry.kind == "earn" and entry.rule == kind
    assert _balance(reference) == 1600


def test_it_credits_an_activity_once_however_often_it_is_delivered(reference, make_activity):
    activity = make_activity(reference)
    assert services.reward_credit_for_activity(activity_id=activity.pk) is not None
    assert services.reward_credit_for_activity(activity_id=activity.pk) is None
    assert services.reward_credit_for_activity(activity_id=activity.pk) is None
    assert _balance(reference) == 100
    assert LedgerEntry.objects.filter(activity=activity).count() == 1
    assert (
        not RewardRefusal.objects.exists()
    )  # the hook and the sweep repeating themselves is not gaming


def test_a_person_asking_to_credit_an_activity_again_is_refused_and_logged(
    program_manager, reference, make_activity
):
    activity = make_activity(reference)
    services.reward_credit_for_activity(activity_id=activity.pk)
    assert (
        services.reward_credit_for_activity(activity_id=activity.pk, actor=program_manager) is None
    )
    refusal = RewardRefusal.objects.get(code="already_credited")
    assert (
        "credited already" in refusal.reason
        and refusal.activity == activity
        and refusal.actor == program_manager
    )
    assert _balance(reference) == 100


@pytest.mark.parametrize("status", [ActivityStatus.SCHEDULED, ActivityStatus.CANCELLED])
def test_it_gives_no_points_for_an_activity_that_did_not_happen(reference, make_activity, status):
    activity = make_activity(reference, status=status)
    assert services.reward_credit_for_activity(activity_id=activity.pk) is None
    assert _balance(reference) == 0
    assert RewardRefusal.objects.get(code="not_completed").activity == activity
    assert not ThankYouTask.objects.exists()


def test_it_gives_no_points_for_a_completed_activity_dated_in_the_future(reference, make_activity):
    activity = make_activity(reference, days_ago=-3)
    assert services.reward_credit_for_activity(activity_id=activity.pk) is None
    assert RewardRefusal.objects.filter(code="not_happened").count() == 1


def test_the_program_manager_sets_the_points_per_activity_type(
    program_manager, reference, make_activity
):
    services.earn_rule_set(actor=program_manager, key="reference_call", points=150)
    assert (
        services.reward_credit_for_activity(activity_id=make_activity(reference).pk).points == 150
    )
    services.earn_rule_set(actor=program_manager, key="reference_call", points=150, active=False)
    assert services.reward_credit_for_activity(activity_id=make_activity(reference).pk) is None
    assert RewardRefusal.objects.filter(code="no_rule").count() == 1


def test_a_rep_cannot_change_earn_rules(owner_rep):
    from refdesk.core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.earn_rule_set(actor=owner_rep, key="reference_call", points=10_000)


def test_completing_an_activity_credits_points_once_the_transaction_commits(
    reference, program_manager, django_capture_on_commit_callbacks
):
    from refdesk.activities.models import Activity
    from refdesk.activities.services import activity_complete

    activity = Activity.objects.create(reference=reference, activity_type="webinar", status="scheduled",
                                       occurred_at=timezone.now() - dt.timedelta(hours=2))  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        activity_complete(actor=program_manager, activity_id=activity.pk)
    assert _balance(reference) == 400
    task = ThankYouTask.objects.get(activity=activity)
    assert task.assignee == reference.contact.account.owner
    assert dt.timedelta(days=1, hours=23) < task.due_at - timezone.now() <= dt.timedelta(days=2)


def test_the_sweep_catches_up_on_a_completion_whose_hook_never_ran(reference, make_activity):
    activity = make_activity(reference, activity_type="media")
    summary = services.rewards_sweep()
    assert summary["credited"] == 1 and _balance(reference) == 300
    assert services.rewards_sweep()["credited"] == 0
    assert LedgerEntry.objects.filter(activity=activity).count() == 1


def test_the_sweep_leaves_old_history_alone(reference, make_activity):
    make_activity(reference, days_ago=400)
    assert services.rewards_sweep()["credited"] == 0
