"""Statuses, event kinds and retry schedules for notifications and webhooks."""

from datetime import timedelta

from django.conf import settings
from django.db import models

# The request workflow's event kinds: also the names webhooks carry in `event`.
EVENT_KINDS = (
    "request.submitted",
    "request.candidates_proposed",
    "candidate.selected",
    "approval.requested",
    "approval.granted",
    "approval.declined",
    "invitation.sent",
    "invitation.accepted",
    "invitation.declined",
    "slots.proposed",
    "call.scheduled",
    "call.rescheduled",
    "call.cancelled",
    "call.completed",
    "call.missed",
    "feedback.given",
    "request.fulfilled",
    "request.completed",
    "request.closed",
    "request.withdrawn",
    "request.cancelled",
    "request.expired",
    "reference.held",
)
PING = "ping"


def event_kinds() -> tuple[str, ...]:
    """Every event a webhook can subscribe to: the request workflow's kinds."""
    from refdesk.asks.choices import EventKind

    return tuple(dict.fromkeys([*EVENT_KINDS, *EventKind.values]))


# After attempt n fails, the next one waits RETRY_DELAYS[n - 1]; attempt MAX_ATTEMPTS is the last.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1

# A claim older than this belongs to a worker that died mid-send; the sweep hands the row on.
# REFDESK_CLAIM_LEASE_SECONDS, five minutes by default.
CLAIM_LEASE = timedelta(seconds=getattr(settings, "REFDESK_CLAIM_LEASE_SECONDS", 300))


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class RecipientRole(models.TextChoices):
    OWNER = "owner", "Account owner"
    REQUESTER = "requester", "Requester"
    REFERENCE = "reference", "Reference"
    PROGRAM_MANAGER = "program_manager", "Program manager"


def retry_delay(attempts: int) -> timedelta | None:
    """How long to wait after `attempts` failed tries, or None when it is time to give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return RETRY_DELAYS[max(attempts, 1) - 1]
