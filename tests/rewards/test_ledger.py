"""The ledger: append-only entries, balances summed from them, never below zero."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refdesk.core.errors import Forbidden, InvalidInput
from refdesk.rewards import selectors, services
from refdesk.rewards.models import LedgerEntry, PointsHolder

pytestmark = pytest.mark.django_db


def _assert_consistent():
    for holder in PointsHolder.objects.all():
        entries = list(LedgerEntry.objects.filter(holder=holder).order_by("pk"))
        total = sum(e.points for e in entries)
        assert holder.balance == total == selectors.balance_of(holder)
        assert total >= 0
        running = 0
        for entry in entries:
            running += entry.points
            assert entry.balance_after == running >= 0


def test_a_program_manager_adjusts_points_with_a_reason(program_manager, reference, earned):
    earned("reference_call")
    holder = services.holder_for_reference(reference.pk)
    entry = services.points_adjust(
        actor=program_manager, holder_id=holder.pk, points=-40, reason="Duplicate call logged"
    )
    assert (
        entry.kind == "adjust"
        and entry.actor == program_manager
        and entry.reason == "Duplicate call logged"
    )
    assert selectors.balance_of(holder) == 60


def test_an_adjustment_cannot_take_a_balance_below_zero(program_manager, reference, earned):
    earned("reference_call")
    holder = services.holder_for_reference(reference.pk)
    with pytest.raises(services.RewardRefused, match="Not enough points"):
        services.points_adjust(
            actor=program_manager, holder_id=holder.pk, points=-101, reason="Typo"
        )
    assert selectors.balance_of(holder) == 100


def test_an_adjustment_needs_a_reason_and_a_program_manager(program_manager, owner_rep, reference):
    holder = services.holder_for_reference(reference.pk)
    with pytest.raises(InvalidInput):
        services.points_adjust(actor=program_manager, holder_id=holder.pk, points=10, reason=" ")
    with pytest.raises(Forbidden):
        services.points_adjust(
            actor=owner_rep, holder_id=holder.pk, points=10, reason="I like them"
        )


def test_the_cached_balance_is_rebuilt_from_the_entries(reference, earned):
    earned()
    holder = services.holder_for_reference(reference.pk)
    PointsHolder.objects.filter(pk=holder.pk).update(balance=7)
    assert services.holder_balance_rebuild(holder_id=holder.pk) == 500
    holder.refresh_from_db()
    assert holder.balance == 500


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("earn"), st.sampled_from(["reference_call", "case_study", "logo"])),
        st.tuples(st.just("adjust"), st.integers(-700, 700).filter(bool)),
        st.tuples(st.just("redeem"), st.sampled_from([0, 1])),
        st.tuples(st.just("refuse"), st.integers(0, 5)),
        st.tuples(st.just("approve"), st.integers(0, 5)),
        st.tuples(st.just("expire"), st.integers(0, 30)),
    ),
    max_size=18,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=OPERATIONS)
def test_any_sequence_of_operations_keeps_balances_equal_to_their_entries_and_never_negative(
    ops, program_manager, reference, make_activity, gift_card, donation
):
    import datetime as dt

    from django.utils import timezone

    from refdesk.core.errors import RefdeskError
    from refdesk.rewards.models import Redemption

    LedgerEntry.objects.all().delete()
    Redemption.objects.all().delete()
    PointsHolder.objects.all().delete()
    holder = services.holder_for_reference(reference.pk)
    items = [gift_card, donation]
    for op, arg in ops:
        try:
            if op == "earn":
                services.reward_credit_for_activity(
                    activity_id=make_activity(reference, activity_type=arg).pk
                )
            elif op == "adjust":
                services.points_adjust(
                    actor=program_manager, holder_id=holder.pk, points=arg, reason="hypothesis"
                )
            elif op == "redeem":
                services.reward_redeem(
                    actor=program_manager, reference_id=reference.pk, item_id=items[arg].pk
                )
            elif op in ("refuse", "approve"):
                redemptions = list(Redemption.objects.order_by("pk"))
                if redemptions:
                    target = redemptions[arg % len(redemptions)]
                    if op == "refuse":
                        services.redemption_refuse(
                            actor=program_manager, redemption_id=target.pk, reason="no"
                        )
                    else:
                        services.redemption_approve(actor=program_manager, redemption_id=target.pk)
            elif op == "expire":
                services.points_expire(now=timezone.now() + dt.timedelta(days=30 * arg))
        except RefdeskError:
            pass
        _assert_consistent()
