"""The demo grows requests in every state."""

import datetime as dt
import random

from refdesk.asks.demo import demo_requests
from refdesk.asks.models import ReferenceRequest


def test_the_demo_grows_a_year_of_requests_in_many_states(ranch_pool, requester, program_manager):
    counts = demo_requests(rng=random.Random(7), today=dt.date.today(), count=40)
    assert sum(counts.values()) == 40 == ReferenceRequest.objects.count()
    assert {"closed", "withdrawn", "cancelled", "expired", "in_progress"} <= set(counts)
    oldest = ReferenceRequest.objects.order_by("submitted_at").first().submitted_at
    assert oldest.date() < dt.date.today() - dt.timedelta(days=60)


def test_demo_requests_take_hours_and_days_like_real_ones(ranch_pool, requester, program_manager):
    demo_requests(rng=random.Random(7), today=dt.date.today(), count=40)
    answered = ReferenceRequest.objects.exclude(fulfilled_at=None)
    assert answered.exists()
    for request in answered:
        assert request.fulfilled_at - request.submitted_at >= dt.timedelta(hours=2)
        assert request.candidates_proposed_at <= request.fulfilled_at
        if request.completed_at:
            assert request.completed_at - request.fulfilled_at >= dt.timedelta(days=2)
