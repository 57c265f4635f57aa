"""The periodic sweep: SLA reminders and escalations, expiries, and work a dead worker left behind.

Every step is idempotent. A reminder is sent once per due item per threshold (a `ReminderSent`
row with a unique constraint is claimed before the email is written), so running the sweep
twice, or on two workers at once, sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from refdesk.notify import emails, facts
from refdesk.notify.choices import CLAIM_LEASE, RecipientRole
from refdesk.notify.dispatch import HISTORY_AFTER
from refdesk.notify.models import EventDispatch, OutboundEmail, ReminderSent, WebhookDelivery
from refdesk.notify.services import email_prepare, enqueue

logger = logging.getLogger(__name__)

REFERENCE_REMINDER_AFTER = dt.timedelta(hours=24)
REFERENCE_ESCALATION_AFTER = dt.timedelta(hours=48)
APPROVAL_ESCALATION_AFTER = dt.timedelta(hours=24)
NEEDED_BY_WARNING = dt.timedelta(hours=72)
# Pending rows this old were not picked up by their own task (a worker died, or the queue was lost).
STALE_AFTER = dt.timedelta(minutes=2)
REDISPATCH_WINDOW = HISTORY_AFTER
TASK_RESULTS_KEPT = dt.timedelta(days=7)


def sweep_run(*, now: dt.datetime | None = None) -> dict:
    """Run every step of the sweep once; returns how many things each step did."""
    now = now or timezone.now()
    summary = {
        "expired": expire_overdue_requests(now=now),
        "reminders": reminders_send(now=now),
        "redispatched": events_redispatch(now=now),
    }
    summary.update(stale_requeue(now=now))
    summary["tasks_pruned"] = finished_tasks_prune(now=now)
    summary["profiles_asked_to_confirm"] = profiles_freshness(now=now)
    from refdesk.rewards.services import rewards_sweep

    summary.update({f"rewards_{k}": v for k, v in rewards_sweep(now=now).items()})
    from refdesk.insights.services import monthly_summary_send

    summary["insights_monthly_emails"] = monthly_summary_send(now=now)
    return summary


def profiles_freshness(*, now: dt.datetime) -> int:
    """Ask references whose profile went stale to re-confirm it (idempotent per freshness window)."""
    from refdesk.growth.services import freshness_sweep

    return freshness_sweep(today=now.date())


def expire_overdue_requests(*, now: dt.datetime) -> int:
    """Expire requests past their needed-by date, through the request workflow's own service."""
    from refdesk.asks import services

    expire = getattr(services, "requests_expire_overdue", None)
    if expire is None:
        return 0
    return len(expire(now=now) or [])


# --- reminders and escalations -------------------------------------------------------------------


def reminders_send(*, now: dt.datetime) -> int:
    """Remind whoever holds each overdue step, once per step; escalate to program managers when it lingers."""
    from refdesk.asks import selectors
    from refdesk.asks.choices import COMMITTED_CANDIDATE_STATUSES, RequestStatus

    sent = 0
    for candidate in selectors.approvals_overdue(now):
        f = facts.subject_facts(
            kind="reminder.approval", at=now, request=candidate.request, candidate=candidate
        )
        due = candidate.approval_due_at
        sent += _remind("approval_overdue", candidate.pk, "due", f, [(RecipientRole.OWNER, "sla_reminder", f.owner)],
                        detail=f"The approval was due {emails.format_when(due)}.")  # fmt: skip
        if due and due + APPROVAL_ESCALATION_AFTER <= now:
            sent += _escalate("approval_overdue", candidate.pk, "24h", f,
                              f"{f.owner.name if f.owner else 'The account owner'} has not answered an approval due {emails.format_when(due)}.")  # fmt: skip

    for candidate in selectors.candidates_awaiting_reference(now):
        invited = candidate.invited_at
        if invited is None or invited + REFERENCE_REMINDER_AFTER > now:
            continue
        f = facts.subject_facts(
            kind="reminder.reference", at=now, request=candidate.request, candidate=candidate
        )
        from refdesk.asks.links import respond_url

        sent += _remind(
            "reference_unanswered", candidate.pk, "24h", f,
            [(RecipientRole.REFERENCE, "reference_reminder", f.contact), (RecipientRole.OWNER, "owner_contact", f.owner)],
            respond_url=respond_url(candidate), portal_url=_portal_url(candidate),
        )  # fmt: skip
        if invited + REFERENCE_ESCALATION_AFTER <= now:
            sent += _escalate("reference_unanswered", candidate.pk, "48h", f,
                              f"{f.contact.name if f.contact else 'The reference'} has not answered an invitation sent {emails.format_when(invited)}.")  # fmt: skip

    for request in selectors.requests_due_for_reminder(now).prefetch_related("candidates"):
        f = facts.subject_facts(kind="reminder.request", at=now, request=request)
        committed = any(c.status in COMMITTED_CANDIDATE_STATUSES for c in request.candidates.all())
        if (
            request.status == RequestStatus.SUBMITTED
            and request.candidates_due_at
            and request.candidates_due_at <= now
        ):
            sent += _escalate("no_candidates", request.pk, "due", f,
                              f"No candidates were proposed by {emails.format_when(request.candidates_due_at)}.")  # fmt: skip
        if (
            not committed
            and request.status in (RequestStatus.CANDIDATES_PROPOSED, RequestStatus.IN_PROGRESS)
            and request.acceptance_due_at
            and request.acceptance_due_at <= now
        ):
            sent += _escalate("acceptance_overdue", request.pk, "due", f,
                              f"No reference had accepted by {emails.format_when(request.acceptance_due_at)}.")  # fmt: skip
        if (
            request.needed_by
            and request.status
            in (
                RequestStatus.SUBMITTED,
                RequestStatus.CANDIDATES_PROPOSED,
                RequestStatus.IN_PROGRESS,
            )
            and _end_of_day(request.needed_by) <= now + NEEDED_BY_WARNING
        ):
            sent += _escalate("needed_by_soon", request.pk, "72h", f,
                              f"It is needed by {request.needed_by:%A %-d %B %Y} and is not fulfilled yet.")  # fmt: skip
        if (
            request.status == RequestStatus.COMPLETED
            and request.next_due_at
            and request.next_due_at <= now
        ):
            sent += _remind("feedback_overdue", request.pk, "due", f,
                            [(RecipientRole.REQUESTER, "sla_reminder", f.requester)],
                            detail="Your feedback on the reference closes the request.")  # fmt: skip
    return sent


def _end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=dt.UTC)


def _escalate(kind: str, subject_id: int, threshold: str, f: facts.EventFacts, detail: str) -> int:
    pms = [
        (RecipientRole.PROGRAM_MANAGER, "sla_escalation", pm) for pm in emails.program_managers()
    ]
    return _remind(f"{kind}.escalation", subject_id, threshold, f, pms, detail=detail, reason=kind)


def _remind(
    kind: str, subject_id: int, threshold: str, f: facts.EventFacts, targets: list, **extra
) -> int:
    """Claim the (kind, subject, threshold) reminder, then write and enqueue its emails; 0 if already sent."""
    from refdesk.notify.tasks import send_outbound_email

    targets = [
        (role, template, person)
        for role, template, person in targets
        if person is not None and person.email
    ]
    if not targets:
        return 0
    extra.setdefault("reason", kind)
    written = []
    with transaction.atomic():
        try:
            with transaction.atomic():
                reminder = ReminderSent.objects.create(
                    kind=kind, subject_id=subject_id, threshold=threshold
                )
        except IntegrityError:
            return 0
        seen = set()
        for role, template, person in targets:
            if person.email.lower() in seen:
                continue
            seen.add(person.email.lower())
            recipient = emails.Recipient(role=str(role), kind=template, person=person)
            subject, text, html = emails.render_email(
                template, emails.email_context(f, recipient, **extra)
            )
            email, _ = email_prepare(
                key=f"reminder:{reminder.pk}:{template}:{person.email.lower()}",
                kind=template,
                recipient_role=str(role),
                to=person.email,
                subject=subject,
                body_text=text,
                body_html=html,
                event_kind=kind,
                request_id=f.request_id,
            )
            written.append(email)
        ReminderSent.objects.filter(pk=reminder.pk).update(email=written[0])
    for email in written:
        enqueue(send_outbound_email, email.pk)
    return 1


# --- recovery ------------------------------------------------------------------------------------


def events_redispatch(*, now: dt.datetime) -> int:
    """Dispatch recent events whose on-commit dispatch never ran (the process died, or it failed)."""
    from django.apps import apps

    from refdesk.notify.dispatch import dispatch_event

    RequestEvent = apps.get_model("asks", "RequestEvent")
    dispatched = EventDispatch.objects.filter(
        event_id__gte=_oldest_recent(RequestEvent, now)
    ).values("event_id")
    ids = list(
        RequestEvent.objects.filter(at__gte=now - REDISPATCH_WINDOW, at__lte=now - STALE_AFTER)
        .exclude(pk__in=dispatched)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    for event_id in ids:
        dispatch_event(event_id)
    return len(ids)


def _oldest_recent(RequestEvent, now: dt.datetime) -> int:
    first = (
        RequestEvent.objects.filter(at__gte=now - REDISPATCH_WINDOW)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return first or 0


def stale_requeue(*, now: dt.datetime) -> dict:
    """Enqueue again pending emails and deliveries that are due and held by no live worker."""
    from refdesk.notify.tasks import deliver_webhook, send_outbound_email

    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_LEASE)
    # Due and never picked up, or claimed by a worker that died mid-send (its task row stays
    # RUNNING and will never finish): hand those on as soon as the lease runs out.
    due = Q(status="pending", next_attempt_at__lte=now - STALE_AFTER) | Q(
        status="pending", claimed_at__lt=now - CLAIM_LEASE
    )
    if not send_outbound_email.get_backend().supports_defer:
        # Without deferred tasks, retries wait here: hand on every retry that is due.
        due |= Q(status="pending", next_attempt_at__lte=now, attempts__gt=0)
    email_ids = list(
        OutboundEmail.objects.filter(due, free)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )
    delivery_ids = list(
        WebhookDelivery.objects.filter(due, free)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )
    for pk in email_ids:
        enqueue(send_outbound_email, pk)
    for pk in delivery_ids:
        enqueue(deliver_webhook, pk)
    return {"emails_requeued": len(email_ids), "deliveries_requeued": len(delivery_ids)}


def finished_tasks_prune(*, now: dt.datetime) -> int:
    """Delete the task queue's finished rows after a week; our own logs keep what happened."""
    from django_tasks_db.models import DBTaskResult

    deleted, _ = (
        DBTaskResult.objects.finished().filter(finished_at__lt=now - TASK_RESULTS_KEPT).delete()
    )
    return deleted


def _portal_url(candidate) -> str:
    """The reference's portal link, landing on this request."""
    from refdesk.portal.services import page_path, portal_url

    return portal_url(candidate.reference.contact, page_path("request", candidate.pk))
