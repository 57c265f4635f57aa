"""The request timeline: one function per event kind writes an append-only row, then hands it on.

After the transaction commits, each event is handed to a background task that runs
`refdesk.notify.dispatch.dispatch_event(event_id)`, which sends the emails and webhooks that
follow from it. Services call these functions; nothing else writes a RequestEvent.
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Any

from django.db import transaction
from django.utils import timezone

from refdesk.asks.choices import EventKind
from refdesk.asks.models import ReferenceRequest, RequestCandidate, RequestEvent

SYSTEM = "Refdesk"
REFERENCE_VIA_LINK = "reference via link"
AUTO_RULE = "automatic selection rule"
AUTO_APPROVE = "owner's auto-approve policy"


_quiet: contextvars.ContextVar[bool] = contextvars.ContextVar("refdesk_events_quiet", default=False)


@contextlib.contextmanager
def notifications_suspended():
    """Record events without emailing or calling webhooks (used to load demo history)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def _dispatch_on_commit(event_id: int) -> None:
    """Hand the event on once its transaction commits: one task for all the events of a
    transaction (filing a request writes two), not one each.

    The ids wait on the connection; the first of the transaction's on-commit callbacks enqueues
    them all and the others find nothing left. An event in a savepoint that rolled back stays in
    the list; the task skips ids that do not exist.
    """
    connection = transaction.get_connection()
    pending = connection.__dict__.setdefault("refdesk_events_pending", [])
    pending.append(event_id)
    transaction.on_commit(_enqueue_pending, robust=True)


def _enqueue_pending() -> None:
    from refdesk.notify.services import enqueue
    from refdesk.notify.tasks import dispatch_request_events

    # The emails and webhooks an event calls for are written by a worker, not in the request that
    # made the event: rendering them is most of what a submission costs, and the person waiting
    # for the page needs none of it. An event whose task is lost is re-dispatched by the sweep.
    connection = transaction.get_connection()
    ids = connection.__dict__.pop("refdesk_events_pending", [])
    if ids:  # SQLite gives a rolled-back id again: once is enough
        enqueue(dispatch_request_events, list(dict.fromkeys(ids)))


def actor_label_for(actor) -> str:
    if actor is None:
        return SYSTEM
    return f"{actor.display_name} ({actor.get_role_display().lower()})"


def _event(
    kind: str,
    *,
    request: ReferenceRequest,
    candidate: RequestCandidate | None = None,
    actor=None,
    label: str = "",
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
    at=None,
) -> RequestEvent:
    """An event row, not yet written."""
    return RequestEvent(
        request=request,
        candidate=candidate,
        kind=kind,
        from_status=from_status or "",
        to_status=to_status or "",
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=(label or actor_label_for(actor))[:120],
        at=at or timezone.now(),
        reason=(reason or "")[:500],
        data=data or {},
    )


def _written(events: list[RequestEvent]) -> list[RequestEvent]:
    """Write the events (in one INSERT when there are several) and hand each on."""
    if len(events) == 1:
        events[0].save(force_insert=True)
    else:
        RequestEvent.objects.bulk_create(events)
    for event in events:
        if _quiet.get():
            from refdesk.notify.dispatch import event_mark_quiet

            event_mark_quiet(event)
        else:
            _dispatch_on_commit(event.pk)
    return events


def _write(kind: str, *, request: ReferenceRequest, **fields: Any) -> RequestEvent:
    return _written([_event(kind, request=request, **fields)])[0]


# --- the request ------------------------------------------------------------------------------


def _candidates_proposed(*, request, actor, label, from_status, count: int, at) -> RequestEvent:
    return _event(EventKind.REQUEST_CANDIDATES_PROPOSED, request=request, actor=actor, label=label,
                  from_status=from_status, to_status="candidates_proposed", at=at, data={"count": count})  # fmt: skip


def request_candidates_proposed(*, request, actor, label, from_status, count: int, at) -> RequestEvent:
    return _written([_candidates_proposed(request=request, actor=actor, label=label, from_status=from_status,
                                          count=count, at=at)])[0]  # fmt: skip


def request_filed(*, request, actor, proposed: int, at) -> list[RequestEvent]:
    """A new request's first events, written in one INSERT: submitted, and the matcher's proposal
    (no actor, labelled "matcher") when it found candidates. The request row already has its final
    status."""
    events = [_event(EventKind.REQUEST_SUBMITTED, request=request, actor=actor, to_status="submitted", at=at,
                     data={"workflow": request.workflow})]  # fmt: skip
    if proposed:
        events.append(_candidates_proposed(request=request, actor=None, label="matcher", from_status="submitted",
                                           count=proposed, at=at))  # fmt: skip
    return _written(events)


def request_fulfilled(*, request, from_status, at) -> RequestEvent:
    return _write(EventKind.REQUEST_FULFILLED, request=request, from_status=from_status, to_status="fulfilled", at=at,
                  reason="enough references have accepted")  # fmt: skip


def request_completed(*, request, from_status, at) -> RequestEvent:
    return _write(EventKind.REQUEST_COMPLETED, request=request, from_status=from_status, to_status="completed", at=at)


def request_closed(*, request, actor, label="", from_status, reason, at) -> RequestEvent:
    return _write(EventKind.REQUEST_CLOSED, request=request, actor=actor, label=label, from_status=from_status,
                  to_status="closed", reason=reason, at=at)  # fmt: skip


def request_withdrawn(*, request, actor, from_status, reason, at) -> RequestEvent:
    return _write(EventKind.REQUEST_WITHDRAWN, request=request, actor=actor, from_status=from_status,
                  to_status="withdrawn", reason=reason, at=at)  # fmt: skip


def request_cancelled(*, request, actor, from_status, reason, at) -> RequestEvent:
    return _write(EventKind.REQUEST_CANCELLED, request=request, actor=actor, from_status=from_status,
                  to_status="cancelled", reason=reason, at=at)  # fmt: skip


def request_expired(*, request, from_status, at) -> RequestEvent:
    return _write(EventKind.REQUEST_EXPIRED, request=request, from_status=from_status, to_status="expired", at=at,
                  reason=f"needed by {request.needed_by} and nothing was completed")  # fmt: skip


def request_reopened(*, request, from_status, reason, at) -> RequestEvent:
    return _write(EventKind.REQUEST_REOPENED, request=request, from_status=from_status, to_status="in_progress",
                  reason=reason, at=at)  # fmt: skip


# --- a reference on the request ---------------------------------------------------------------


def candidate_selected(*, candidate, actor, label="", from_status, at) -> RequestEvent:
    return _write(EventKind.CANDIDATE_SELECTED, request=candidate.request, candidate=candidate, actor=actor, label=label,
                  from_status=from_status, to_status="selected", at=at,
                  data={"rank": candidate.rank, "score": candidate.score})  # fmt: skip


def approval_requested(*, candidate, owner, at) -> RequestEvent:
    return _write(EventKind.APPROVAL_REQUESTED, request=candidate.request, candidate=candidate, from_status="selected",
                  to_status="awaiting_approval", at=at,
                  data={"owner_id": owner.pk if owner else None,
                        "due_at": candidate.approval_due_at.isoformat() if candidate.approval_due_at else None})  # fmt: skip


def approval_granted(*, candidate, actor, label="", from_status, reason="", at) -> RequestEvent:
    return _write(EventKind.APPROVAL_GRANTED, request=candidate.request, candidate=candidate, actor=actor, label=label,
                  from_status=from_status, to_status="approved", reason=reason, at=at)  # fmt: skip


def approval_declined(*, candidate, actor, reason, at) -> RequestEvent:
    return _write(EventKind.APPROVAL_DECLINED, request=candidate.request, candidate=candidate, actor=actor,
                  from_status="awaiting_approval", to_status="owner_declined", reason=reason, at=at)  # fmt: skip


def invitation_sent(*, candidate, at) -> RequestEvent:
    return _write(EventKind.INVITATION_SENT, request=candidate.request, candidate=candidate, from_status="approved",
                  to_status="invited", at=at)  # fmt: skip


def invitation_accepted(*, candidate, at) -> RequestEvent:
    return _write(EventKind.INVITATION_ACCEPTED, request=candidate.request, candidate=candidate, label=REFERENCE_VIA_LINK,
                  from_status="invited", to_status="accepted", at=at)  # fmt: skip


def invitation_declined(*, candidate, reason, at) -> RequestEvent:
    return _write(EventKind.INVITATION_DECLINED, request=candidate.request, candidate=candidate, label=REFERENCE_VIA_LINK,
                  from_status="invited", to_status="reference_declined", reason=reason, at=at)  # fmt: skip


def slots_proposed(*, candidate, slots, time_zone: str, at) -> RequestEvent:
    return _write(EventKind.SLOTS_PROPOSED, request=candidate.request, candidate=candidate, label=REFERENCE_VIA_LINK,
                  at=at, data={"time_zone": time_zone,
                               "slots": [{"id": s.pk, "starts_at": s.starts_at.isoformat(),
                                          "ends_at": s.ends_at.isoformat()} for s in slots]})  # fmt: skip


def _call_data(candidate) -> dict:
    return {
        "starts_at": candidate.scheduled_start.isoformat() if candidate.scheduled_start else None,
        "ends_at": candidate.scheduled_end.isoformat() if candidate.scheduled_end else None,
    }


def call_scheduled(*, candidate, actor, from_status, at) -> RequestEvent:
    return _write(EventKind.CALL_SCHEDULED, request=candidate.request, candidate=candidate, actor=actor,
                  from_status=from_status, to_status="scheduled", at=at, data=_call_data(candidate))  # fmt: skip


def call_rescheduled(*, candidate, actor, previous_start, reason, at) -> RequestEvent:
    data = {**_call_data(candidate), "previous_start": previous_start.isoformat() if previous_start else None}
    return _write(EventKind.CALL_RESCHEDULED, request=candidate.request, candidate=candidate, actor=actor,
                  from_status="scheduled", to_status="scheduled", reason=reason, at=at, data=data)  # fmt: skip


def call_cancelled(*, candidate, actor, label="", previous_start, reason, at) -> RequestEvent:
    return _write(EventKind.CALL_CANCELLED, request=candidate.request, candidate=candidate, actor=actor, label=label,
                  from_status="scheduled", to_status="accepted", reason=reason, at=at,
                  data={"previous_start": previous_start.isoformat() if previous_start else None})  # fmt: skip


def call_completed(*, candidate, actor, label="", at) -> RequestEvent:
    return _write(EventKind.CALL_COMPLETED, request=candidate.request, candidate=candidate, actor=actor, label=label,
                  from_status="scheduled", to_status="completed", at=at, data=_call_data(candidate))  # fmt: skip


def call_missed(*, candidate, actor, label="", reason, at) -> RequestEvent:
    return _write(EventKind.CALL_MISSED, request=candidate.request, candidate=candidate, actor=actor, label=label,
                  from_status="scheduled", to_status="missed", reason=reason, at=at, data=_call_data(candidate))  # fmt: skip


def candidate_cancelled(*, candidate, actor, label="", from_status, reason, at) -> RequestEvent:
    return _write(EventKind.CANDIDATE_CANCELLED, request=candidate.request, candidate=candidate, actor=actor,
                  label=label, from_status=from_status, to_status="cancelled", reason=reason, at=at)  # fmt: skip


def feedback_given(*, feedback, actor, label="") -> RequestEvent:
    candidate = feedback.candidate
    return _write(EventKind.FEEDBACK_GIVEN, request=candidate.request, candidate=candidate, actor=actor, label=label,
                  at=feedback.given_at, reason=feedback.comment[:500],
                  data={"side": feedback.side, "rating": feedback.rating, "helped": feedback.helped,
                        "could_speak_to_subject": feedback.could_speak_to_subject})  # fmt: skip


def reference_held(*, hold, request, at) -> RequestEvent:
    return _write(EventKind.REFERENCE_HELD, request=request, candidate=hold.candidate, reason=hold.reason, at=at,
                  data={"reference_id": hold.reference_id, "hold_id": hold.pk})  # fmt: skip


def hold_released(*, hold, request, actor, at) -> RequestEvent:
    return _write(EventKind.HOLD_RELEASED, request=request, candidate=hold.candidate, actor=actor,
                  reason=hold.review_note, at=at, data={"reference_id": hold.reference_id, "hold_id": hold.pk})  # fmt: skip
