"""Matching honours the activity log's fatigue rules and offers content first.

Active once the matcher calls `fatigue_exclusions` and `content_for_match` (see the report to the
lead); skipped before, so this module never fails for a wiring that is not there yet.
"""

import datetime as dt
import inspect

import pytest
from django.utils import timezone

from refdesk.activities import services
from refdesk.matching.engine import engine
from refdesk.matching.selectors import MatchQuery, match_find
from refdesk.pool.models import NaicsIndustry
from tests.factories import AccountFactory, ContactFactory, ReferenceFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        "blocked" not in inspect.signature(engine.search).parameters,
        reason="the matcher does not read fatigue_exclusions yet",
    ),  # fmt: skip
]


@pytest.fixture(autouse=True)
def _fresh_engine():
    engine.reset()
    yield
    engine.reset()


def _ids(today, activity="reference_call"):
    result = match_find(
        user=None, query=MatchQuery(industry="cattle ranch", activity_type=activity), today=today
    )
    return [c["reference_id"] for c in result["candidates"]], result


def test_a_busy_reference_leaves_matches_at_their_own_limit_and_returns_when_it_resets(
    program_manager,
):
    cattle = NaicsIndustry.objects.get(pk="112111")
    busy = ReferenceFactory(contact=ContactFactory(account=AccountFactory(name="Busy Ranch", industry=cattle)),
                            activity_types=["reference_call", "media"])  # fmt: skip
    calm = ReferenceFactory(
        contact=ContactFactory(account=AccountFactory(name="Calm Ranch", industry=cattle))
    )
    today = timezone.now().date()
    # One media call 20 days ago: under every program cap, past the call cool-down, at their own limit of one a month.
    services.activity_log(actor=program_manager, reference_id=busy.pk, activity_type="media",
                          occurred_at=today - dt.timedelta(days=20))  # fmt: skip
    assert busy.pk in _ids(today)[0]
    services.reference_fatigue_set(actor=program_manager, reference=busy, monthly_limit=1)
    ids, result = _ids(today)
    assert busy.pk not in ids and calm.pk in ids and result["excluded_by_rule"].get("fatigue") == 1
    assert (
        busy.pk not in _ids(today + dt.timedelta(days=9))[0]
    )  # the day before the media call leaves the month
    assert busy.pk in _ids(today + dt.timedelta(days=10))[0]  # the day it does


def test_a_recorded_webinar_is_offered_before_a_call_for_a_prospect_it_fits(program_manager):
    ReferenceFactory(
        contact=ContactFactory(
            account=AccountFactory(industry=NaicsIndustry.objects.get(pk="112111"))
        )
    )
    services.content_create(actor=program_manager, kind="recording", title="Webinar: running a modern cattle ranch",
                            url="https://video.example/ranch", industry="112111", approved_on=timezone.now().date())  # fmt: skip
    _, result = _ids(timezone.now().date())
    assert result["content"][0]["title"] == "Webinar: running a modern cattle ranch"
    assert result["content"][0]["kind"] == "recording"
