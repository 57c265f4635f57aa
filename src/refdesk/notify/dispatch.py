"""The one door from the request workflow: `dispatch_event(event_id)`, called after each event commits."""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import IntegrityError, transaction
from django.utils import timezone

from refdesk.notify import emails, facts
from refdesk.notify.models import EventDispatch, OutboundEmail
from refdesk.notify.services import email_prepare, enqueue, webhook_deliveries_create
from refdesk.notify.webhooks import event_payload_data

logger = logging.getLogger(__name__)

CALL_KINDS = ("call.scheduled", "call.rescheduled", "call.cancelled")
# Events older than this are history (demo data, imports): recorded as dispatched, never announced.
HISTORY_AFTER = dt.timedelta(days=2)


_muted: ContextVar[bool] = ContextVar("refdesk_notify_muted", default=False)


@contextmanager
def muted():
    """Record events as dispatched without emailing or calling anyone (demo data, bulk loads)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def dispatch_event(event_id: int) -> None:
    """Write the emails and webhook deliveries an event calls for, and enqueue one task for each.

    Never raises: the event is already committed, and an event left undispatched is picked up
    by the periodic sweep.
    """
    try:
        if _muted.get():
            event_mark_dispatched(event_id=event_id)
        else:
            event_dispatch(event_id=event_id)
    except Exception:
        logger.exception("Could not dispatch request event %s; the sweep will try again", event_id)


def dispatch_events(event_ids: list[int]) -> None:
    """Dispatch the events one transaction committed, oldest first, then send the emails they wrote.

    The task that runs this is the one a transaction enqueues for all its events, so the emails
    are sent here rather than by one more task per recipient. Never raises, like `dispatch_event`;
    an id with no event is skipped (it was written in a savepoint that rolled back).
    """
    from refdesk.notify.services import email_send, webhook_endpoints_active

    written: list[OutboundEmail] = []
    try:
        done = set(EventDispatch.objects.filter(event_id__in=event_ids).values_list("event_id", flat=True))
        pending = facts.events_get([pk for pk in event_ids if pk not in done])
        endpoints = webhook_endpoints_active() if pending else []
    except Exception:
        logger.exception("Could not read request events %s; the sweep will try again", event_ids)
        return
    for event in pending:
        try:
            if _muted.get():
                event_mark_quiet(event)
            else:
                written += _dispatch_once(event, endpoints)
        except Exception:
            logger.exception("Could not dispatch request event %s; the sweep will try again", event.pk)
    for email in written:
        try:
            email_send(email_id=email.pk)
        except Exception:  # the row stays pending: the sweep hands it on
            logger.exception("Could not send email %s; the sweep will try again", email.pk)


def event_dispatch(*, event_id: int) -> list[OutboundEmail]:
    """Dispatch one event once (an `EventDispatch` row marks it); returns the emails it wrote,
    whose sending is enqueued, one task per recipient role."""
    from refdesk.notify.tasks import send_event_email

    if EventDispatch.objects.filter(event_id=event_id).exists():
        return []
    written = _dispatch_once(facts.event_get(event_id))
    for role in dict.fromkeys(email.recipient_role for email in written):
        enqueue(send_event_email, event_id, role)
    return written


def _dispatch_once(event, endpoints=None) -> list[OutboundEmail]:
    """Claim the event's dispatch record and write its emails and webhook deliveries (enqueued);
    nothing if another worker claimed it first or the event is history. `endpoints`: the active
    webhook endpoints, when the caller read them for several events."""
    from refdesk.notify.tasks import deliver_webhook

    f = facts.event_facts(event)
    with transaction.atomic():
        try:  # the claim: the event id is unique, so a second dispatcher fails here
            with transaction.atomic():
                EventDispatch.objects.create(
                    event_id=event.pk, kind=f.kind, request_id=f.request_id, candidate_id=f.candidate_id
                )
        except IntegrityError:
            return []
        if f.occurred_at < timezone.now() - HISTORY_AFTER:
            return []
        written = list(_event_emails(event, f))
        deliveries = webhook_deliveries_create(
            event_id=event.pk, kind=f.kind, occurred_at=f.occurred_at, data=event_payload_data(f),
            endpoints=endpoints,
        )  # fmt: skip
    for delivery in deliveries:
        enqueue(deliver_webhook, delivery.pk)
    return written


def event_mark_dispatched(*, event_id: int) -> None:
    """Mark an event dispatched without sending anything."""
    event_mark_quiet(facts.event_get(event_id))


def event_mark_quiet(event) -> None:
    """Record, in the caller's transaction, that this event is announced to nobody (demo history, bulk loads).

    The sweep re-dispatches recent events that have no record; this keeps it from announcing them.
    """
    EventDispatch.objects.get_or_create(
        event_id=event.pk,
        defaults={
            "kind": event.kind,
            "request_id": event.request_id,
            "candidate_id": event.candidate_id,
        },
    )


def _event_emails(event, f: facts.EventFacts):
    for recipient in emails.recipients_for(f):
        extra = {}
        if recipient.kind == "invitation" and event.candidate is not None:
            from refdesk.asks.links import respond_url

            extra["respond_url"] = respond_url(event.candidate)
        if recipient.role == emails.REFERENCE and event.candidate is not None:
            from refdesk.portal.services import page_path, portal_url

            extra["portal_url"] = portal_url(
                event.candidate.reference.contact, page_path("request", event.candidate.pk)
            )
        ics = ""
        if recipient.kind in emails.CALENDAR_KINDS and f.candidate_id and f.call_start is not None:
            generation, sequence = _calendar_position(f)
            ics = emails.build_ics(f, sequence=sequence, generation=generation)
            extra["has_ics"] = True
        subject, text, html = emails.render_email(
            recipient.kind, emails.email_context(f, recipient, **extra)
        )
        email, _ = email_prepare(
            key=f"event:{f.event_id}:{recipient.kind}:{recipient.person.email.lower()}",
            kind=recipient.kind,
            recipient_role=recipient.role,
            to=recipient.person.email,
            subject=subject,
            body_text=text,
            body_html=html,
            ics=ics,
            event_id=f.event_id,
            event_kind=f.kind,
            request_id=f.request_id,
        )
        yield email


def _calendar_position(f: facts.EventFacts) -> tuple[int, int]:
    """(generation, sequence) of this call invite among the candidate's earlier ones.

    A reschedule keeps the UID and bumps SEQUENCE so calendars move the entry; a cancellation
    keeps the UID it cancels; a call booked again after a cancellation gets a new UID
    (calendars do not reliably revive a cancelled entry).
    """
    earlier = list(
        EventDispatch.objects.filter(
            candidate_id=f.candidate_id, kind__in=CALL_KINDS, event_id__lt=f.event_id
        )
        .order_by("event_id")
        .values_list("kind", flat=True)
    )
    generation = sequence = 0
    for kind in earlier:
        if kind == "call.cancelled":
            generation, sequence = generation + 1, 0
        else:
            sequence += 1
    return generation, sequence


def call_ics(event_id: int) -> str:
    """The .ics of a call event exactly as its email carried it (same UID and SEQUENCE): "add to calendar"."""
    f = facts.event_facts(facts.event_get(event_id))
    generation, sequence = _calendar_position(f)
    return emails.build_ics(f, sequence=sequence, generation=generation)
