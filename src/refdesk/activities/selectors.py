"""Reads of the activity log that matching (caps, cool-down, fairness) and reports share."""

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Max

from refdesk.activities.choices import PASSIVE_ACTIVITY_TYPES, ActivityStatus
from refdesk.activities.models import Activity


def _counted():
    """Activities that used the person's time: not cancelled, not a logo or a quote."""
    return Activity.objects.exclude(status=ActivityStatus.CANCELLED).exclude(
        activity_type__in=PASSIVE_ACTIVITY_TYPES
    )


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def usage_counts(*, since: dt.date, reference_ids=None) -> dict[int, int]:
    """reference id -> counted activities on or after `since` (scheduled future ones included)."""
    qs = _counted().filter(occurred_at__gte=_start_of(since))
    if reference_ids is not None:
        qs = qs.filter(reference_id__in=list(reference_ids))
    return dict(
        qs.values_list("reference_id").annotate(n=Count("pk")).values_list("reference_id", "n")
    )


def last_activity_dates(*, reference_ids=None) -> dict[int, dt.date]:
    """reference id -> date of their latest counted activity (a scheduled one may be in the future)."""
    qs = _counted()
    if reference_ids is not None:
        qs = qs.filter(reference_id__in=list(reference_ids))
    rows = (
        qs.values_list("reference_id")
        .annotate(last=Max("occurred_at"))
        .values_list("reference_id", "last")
    )
    return {ref_id: last.astimezone(dt.UTC).date() for ref_id, last in rows}


def activity_dates_since(*, since: dt.date, reference_ids=None) -> dict[int, tuple[dt.date, ...]]:
    """reference id -> dates (UTC, oldest first) of counted activities on or after `since`.

    What matching needs for caps over rolling windows, cool-down and fairness in one query.
    """
    qs = _counted().filter(occurred_at__gte=_start_of(since))
    if reference_ids is not None:
        qs = qs.filter(reference_id__in=list(reference_ids))
    result: dict[int, list[dt.date]] = defaultdict(list)
    for ref_id, occurred in qs.order_by("occurred_at").values_list("reference_id", "occurred_at"):
        result[ref_id].append(occurred.astimezone(dt.UTC).date())
    return {ref_id: tuple(dates) for ref_id, dates in result.items()}


def activity_log_version() -> tuple:
    """Changes whenever an activity is added, changed or removed (a cheap staleness check)."""
    # Two queries: a bare MAX() is answered from the index, a COUNT() beside it would scan.
    qs = Activity.objects.order_by()
    return (qs.count(), qs.aggregate(last=Max("updated_at"))["last"])
