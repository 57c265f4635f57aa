"""The demo's rewards: a catalogue, points from completed activities, redemptions in every state, a contest."""

import datetime as dt
import random

import pytest

from refdesk.rewards import selectors
from refdesk.rewards.demo import demo_rewards
from refdesk.rewards.models import LedgerEntry, PointsHolder, Redemption

pytestmark = pytest.mark.django_db


def test_the_demo_loads_a_believable_rewards_program(settings):
    from refdesk.asks.events import notifications_suspended
    from refdesk.demo import demo_load

    summary = demo_load(seed=7, accounts=60, requests=60).rewards
    assert summary["activities_credited"] > 5 and summary["catalogue_items"] == 9
    with notifications_suspended():  # loading again credits nothing twice
        again = demo_rewards(rng=random.Random(7), today=dt.date.today())
    assert again["activities_credited"] == 0
    assert set(Redemption.objects.values_list("status", flat=True)) == {
        "requested",
        "approved",
        "fulfilled",
        "refused",
    }
    for holder in PointsHolder.objects.all():
        assert holder.balance == selectors.balance_of(holder) >= 0
    assert LedgerEntry.objects.filter(holder__user__isnull=False).exists()
    from refdesk.people.models import User

    pm = User.objects.get(email="pm@example.com")
    assert selectors.leaderboard(user=pm, period="year")["rows"]
