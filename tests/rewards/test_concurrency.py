"""Two redemptions at the same moment never overspend; the last item goes once. PostgreSQL only."""

import threading

import pytest
from django.db import connection

from refdesk.core.errors import RefdeskError
from refdesk.rewards import selectors, services
from refdesk.rewards.models import CatalogueItem, LedgerEntry, Redemption

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip(
            "Concurrency tests need PostgreSQL (scripts/with_postgres.py); SQLite's IMMEDIATE transactions admit one writer at a time."
        )


def _race(*calls):
    """Run each call in its own thread and connection, released together; returns (results, errors)."""
    from django.db import connections

    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(fn):
        try:
            barrier.wait()
            results.append(fn())
        except RefdeskError as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results, errors


def test_two_redemptions_at_once_cannot_overspend(reference, earned, gift_card):
    earned()  # 500 points; the card costs 300
    for _ in range(3):
        results, errors = _race(
            *[
                lambda: services.reward_redeem(
                    actor=None, reference_id=reference.pk, item_id=gift_card.pk
                )
            ]
            * 4
        )
        holder = services.holder_for_reference(reference.pk)
        assert selectors.balance_of(holder) >= 0
    assert Redemption.objects.count() == 1
    holder.refresh_from_db()
    assert holder.balance == selectors.balance_of(holder) == 200


def test_the_last_item_goes_to_one_of_two_people_at_once(
    program_manager, make_reference, make_activity
):
    item = services.catalogue_item_create(
        actor=program_manager,
        name="Last pass",
        kind="event_pass",
        points_cost=100,
        value="50",
        stock=1,
    )
    people = [make_reference(name=f"P{n}") for n in range(4)]
    for ref in people:
        services.reward_credit_for_activity(activity_id=make_activity(ref).pk)
    results, errors = _race(
        *[
            lambda r=ref: services.reward_redeem(actor=None, reference_id=r.pk, item_id=item.pk)
            for ref in people
        ]
    )
    assert len(results) == 1 and len(errors) == 3
    assert CatalogueItem.objects.get(pk=item.pk).stock == 0
    assert sum(selectors.balance_of(services.holder_for_reference(r.pk)) for r in people) == 300


def test_crediting_one_activity_from_two_places_at_once_pays_once(reference, make_activity):
    activity = make_activity(reference)
    _race(*[lambda: services.reward_credit_for_activity(activity_id=activity.pk)] * 4)
    assert LedgerEntry.objects.filter(activity=activity).count() == 1
