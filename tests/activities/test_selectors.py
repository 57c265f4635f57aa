"""Usage counts and last activity dates that caps, cool-down and fairness read."""

import datetime as dt

import pytest

from refdesk.activities import selectors
from refdesk.activities.services import activity_cancel, activity_record
from refdesk.core.errors import Conflict, Forbidden, InvalidInput
from tests.factories import ReferenceFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)


def log(reference, days_ago, activity_type="reference_call", **kw):
    return activity_record(actor=None, reference=reference, activity_type=activity_type,
                           occurred_at=NOW - dt.timedelta(days=days_ago), **kw)  # fmt: skip


def test_it_counts_use_in_a_window_without_cancelled_or_passive_activities():
    ref, other = ReferenceFactory(), ReferenceFactory()
    log(ref, 5)
    log(ref, 40)
    log(ref, -3)  # scheduled in three days: it will use their time
    log(ref, 2, "logo")
    cancelled = log(ref, 1)
    activity_cancel(actor=None, activity=cancelled)
    log(other, 100)
    since = (NOW - dt.timedelta(days=30)).date()
    assert selectors.usage_counts(since=since) == {ref.pk: 2}
    assert selectors.last_activity_dates() == {
        ref.pk: (NOW + dt.timedelta(days=3)).date(),
        other.pk: (NOW - dt.timedelta(days=100)).date(),
    }
    assert selectors.activity_dates_since(since=since, reference_ids=[ref.pk]) == {
        ref.pk: ((NOW - dt.timedelta(days=5)).date(), (NOW + dt.timedelta(days=3)).date())
    }


def test_the_log_version_changes_when_an_activity_changes():
    ref = ReferenceFactory()
    before = selectors.activity_log_version()
    activity = log(ref, 1)
    middle = selectors.activity_log_version()
    activity_cancel(actor=None, activity=activity)
    assert len({before, middle, selectors.activity_log_version()}) == 3


def test_it_refuses_bad_activities_and_outsiders(other_rep):
    ref = ReferenceFactory()
    with pytest.raises(InvalidInput):
        activity_record(actor=None, reference=ref, activity_type="dinner", occurred_at=NOW)
    with pytest.raises(InvalidInput):
        activity_record(
            actor=None,
            reference=ref,
            activity_type="reference_call",
            occurred_at=NOW.replace(tzinfo=None),
        )
    with pytest.raises(Forbidden):
        log_as = activity_record
        log_as(actor=other_rep, reference=ref, activity_type="reference_call", occurred_at=NOW)


def test_only_a_scheduled_activity_can_be_cancelled():
    activity = log(ReferenceFactory(), 1, status="completed")
    with pytest.raises(Conflict):
        activity_cancel(actor=None, activity=activity)
