"""Every write to the activity log."""

import datetime as dt

from django.db import transaction

from refdesk.activities.choices import ActivityStatus
from refdesk.activities.models import Activity
from refdesk.core.errors import Conflict, Forbidden, InvalidInput
from refdesk.people import permissions
from refdesk.pool.choices import ActivityType


@transaction.atomic
def activity_record(
    *,
    actor,
    reference,
    activity_type: str,
    occurred_at: dt.datetime,
    status: str = ActivityStatus.SCHEDULED,
    request_text: str = "",
    opportunity_text: str = "",
) -> Activity:
    """Log a participation of a reference (scheduled or already done)."""
    if actor is not None and not permissions.can_manage_pool(actor):
        raise Forbidden("Only a program manager can record activities.")
    errors = {}
    if activity_type not in ActivityType.values:
        errors["activity_type"] = f"use one of {', '.join(ActivityType.values)}"
    if status not in ActivityStatus.values:
        errors["status"] = f"use one of {', '.join(ActivityStatus.values)}"
    if occurred_at is None or occurred_at.tzinfo is None:
        errors["occurred_at"] = "needs a date and time with a time zone"
    if errors:
        raise InvalidInput(
            "Please correct: " + "; ".join(f"{k} {v}" for k, v in errors.items()) + ".",
            details=errors,
        )
    return Activity.objects.create(
        reference=reference,
        activity_type=activity_type,
        status=status,
        occurred_at=occurred_at,
        request_text=request_text[:300],
        opportunity_text=opportunity_text[:300],
    )


def activity_cancel(*, actor, activity: Activity) -> Activity:
    """Cancel a scheduled activity; it no longer counts toward caps or cool-downs."""
    if actor is not None and not permissions.can_manage_pool(actor):
        raise Forbidden("Only a program manager can cancel activities.")
    changed = Activity.objects.filter(pk=activity.pk, status=ActivityStatus.SCHEDULED).update(
        status=ActivityStatus.CANCELLED, updated_at=dt.datetime.now(dt.UTC)
    )
    if changed != 1:
        raise Conflict("Only a scheduled activity can be cancelled.")
    activity.status = ActivityStatus.CANCELLED
    return activity


def activity_reschedule(*, actor, activity_id: int, occurred_at: dt.datetime) -> None:
    """Move a scheduled activity to a new time (a rescheduled call)."""
    if actor is not None and not permissions.can_manage_pool(actor):
        raise Forbidden("Only a program manager can reschedule activities.")
    changed = Activity.objects.filter(pk=activity_id, status=ActivityStatus.SCHEDULED).update(
        occurred_at=occurred_at, updated_at=dt.datetime.now(dt.UTC)
    )
    if changed != 1:
        raise Conflict("Only a scheduled activity can be moved.")


def activity_complete(*, actor, activity_id: int, occurred_at: dt.datetime | None = None) -> None:
    """Mark a scheduled activity as done (it counts toward caps, cool-down and rewards)."""
    if actor is not None and not permissions.can_manage_pool(actor):
        raise Forbidden("Only a program manager can complete activities.")
    fields = {"status": ActivityStatus.COMPLETED, "updated_at": dt.datetime.now(dt.UTC)}
    if occurred_at is not None:
        fields["occurred_at"] = occurred_at
    changed = Activity.objects.filter(pk=activity_id, status=ActivityStatus.SCHEDULED).update(
        **fields
    )
    if changed != 1:
        raise Conflict("Only a scheduled activity can be completed.")


def activity_cancel_by_id(*, actor, activity_id: int) -> None:
    """Cancel a scheduled activity by id; one already cancelled stays so (safe to repeat)."""
    if actor is not None and not permissions.can_manage_pool(actor):
        raise Forbidden("Only a program manager can cancel activities.")
    Activity.objects.filter(pk=activity_id, status=ActivityStatus.SCHEDULED).update(
        status=ActivityStatus.CANCELLED, updated_at=dt.datetime.now(dt.UTC)
    )
