"""A request as the API and pages show it to one viewer: what they may see and do."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from refdesk.asks import permissions as perms
from refdesk.asks import selectors
from refdesk.asks.choices import CandidateStatus, FeedbackSide, RequestStatus
from refdesk.asks.services import candidate_actions_allowed, request_actions_allowed
from refdesk.people.permissions import is_program_manager


def request_actions_for(user, request) -> list[str]:
    """The request-level steps this viewer may take now."""
    result = []
    for action in request_actions_allowed(request.status):
        if action == "withdraw" and perms.can_withdraw(user, request):
            result.append(action)
        elif action == "cancel" and perms.can_cancel(user):
            result.append(action)
        elif action == "close" and perms.can_run_call(user, request):
            result.append(action)
        elif action == "propose candidates" and perms.can_select(user, request):
            result.append(action)
    return result


def candidate_actions_for(user, request, candidate) -> list[str]:
    """The steps this viewer may take on one reference of the request now."""
    if request.status not in (*selectors.OPEN_REQUEST_STATUSES, RequestStatus.COMPLETED, RequestStatus.CLOSED):
        return []
    is_open = request.status in selectors.OPEN_REQUEST_STATUSES
    result = []
    for action in candidate_actions_allowed(candidate.status):
        if action == "select" and is_open and perms.can_select(user, request):
            result.append(action)
        elif action in ("approve", "decline") and is_open and perms.can_decide_approval(user, candidate):
            result.append(action)
        elif action in ("schedule", "cancel call", "complete", "missed") and is_open and perms.can_run_call(user, request):
            result.append(action)
        elif action == "remove" and is_open and is_program_manager(user):
            result.append(action)
        elif action == "feedback" and perms.can_run_call(user, request):
            given = {f.side for f in candidate.feedback.all()}
            if FeedbackSide.REQUESTER not in given:
                result.append(action)
    return result


def _person(user) -> dict:
    return {"id": user.pk, "email": user.email, "name": user.display_name}


def sla_out(request, now) -> dict:
    sla = selectors.sla_of(request, now=now)
    return {"state": sla.state, "due_at": sla.due_at, "what": sla.what}


def summary_out(request, *, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    return {
        **{
            name: getattr(request, name)
            for name in (
                "id", "status", "prospect", "industry_text", "employees", "country", "products", "amount", "stage",
                "expected_close", "competitor", "activity_type", "references_needed", "needed_by", "topics", "notes",
                "requester_time_zone", "workflow", "submitted_at", "candidates_proposed_at", "in_progress_at",
                "fulfilled_at", "completed_at", "closed_at", "ended_at",
            )
        },
        "industry": {"code": request.industry.code, "title": request.industry.title} if request.industry_id else None,
        "requester": _person(request.requester),
        "sla": sla_out(request, now),
    }  # fmt: skip


def visible_contact_ids(user, request) -> set[int]:
    """Contacts on the request whose email and phone the viewer may see (pool's privacy rule)."""
    from refdesk.pool.selectors import contact_ids_visible

    contacts = [c.reference.contact for c in request.candidates.all()]
    return contact_ids_visible(user=user, contacts=contacts)


def candidate_out(user, request, candidate, *, visible: set[int]) -> dict:
    contact = candidate.reference.contact
    account = contact.account
    shown = contact.pk in visible
    return {
        "id": candidate.pk,
        "reference_id": candidate.reference_id,
        "name": contact.name,
        "title": contact.title,
        "account": account.name,
        "account_id": account.pk,
        "account_owner": account.owner.display_name if account.owner_id else None,
        "status": candidate.status,
        "rank": candidate.rank,
        "score": candidate.score,
        "reasons": candidate.explanation,
        "availability": candidate.availability,
        "email": contact.email if shown else None,
        "phone": (contact.phone or None) if shown else None,
        "details_hidden": not shown,
        "time_zone": contact.time_zone,
        "scheduled_start": candidate.scheduled_start,
        "scheduled_end": candidate.scheduled_end,
        "reason": candidate.reason,
        "slots": [slot_out(s) for s in candidate.slots.all()],
        "feedback": [
            {"side": f.side, "rating": f.rating, "helped": f.helped, "could_speak_to_subject": f.could_speak_to_subject,
             "comment": f.comment, "given_at": f.given_at}
            for f in candidate.feedback.all()
        ],  # fmt: skip
        "allowed_actions": candidate_actions_for(user, request, candidate),
    }


def slot_out(slot) -> dict:
    return {
        "id": slot.pk, "starts_at": slot.starts_at, "ends_at": slot.ends_at, "proposed_by": slot.proposed_by,
        "time_zone": slot.time_zone, "chosen": slot.chosen,
    }  # fmt: skip


def event_out(event, names: dict[int, str]) -> dict:
    """One step of the timeline; `names`: the request's candidates' names by candidate id."""
    return {
        "id": event.pk,
        "kind": event.kind,
        "candidate_id": event.candidate_id,
        "reference": names.get(event.candidate_id) if event.candidate_id else None,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "actor": event.actor_label,
        "actor_id": event.actor_id,
        "at": event.at,
        "reason": event.reason,
        "data": event.data,
    }


def opportunity_out(request_id: int) -> dict | None:
    """The CRM opportunity a request was made for, as the API and CLI show it (None if none is linked)."""
    from refdesk.insights.opportunity_selectors import opportunity_of_request

    found = opportunity_of_request(request_id=request_id)
    return {"crm_id": found.crm_id, "prospect": found.prospect, "stage": found.stage} if found else None


def detail_out(user, request, *, now: dt.datetime | None = None, via: str | None = None) -> dict:
    """The request with its candidates and timeline; contact details shown through a door are audited."""
    visible = visible_contact_ids(user, request)
    candidates = [candidate_out(user, request, c, visible=visible) for c in request.candidates.all()]
    names = {c.pk: c.reference.contact.name for c in request.candidates.all()}
    if via and user is not None:
        from refdesk.people.services import audit_contact_view

        shown = [c.reference.contact_id for c in request.candidates.all() if c.reference.contact_id in visible]
        audit_contact_view(user, shown, via)
    return {
        **summary_out(request, now=now),
        "candidates": candidates,
        "timeline": [event_out(e, names) for e in request.events.all()],
        "allowed_actions": request_actions_for(user, request),
    }


def respond_actions(candidate) -> list[str]:
    """What the reference may do through their link now."""
    request = candidate.request
    if request.status in selectors.OPEN_REQUEST_STATUSES:
        if candidate.status == CandidateStatus.INVITED:
            return ["accept", "decline", "propose"]
        if candidate.status == CandidateStatus.ACCEPTED:
            return ["propose"]
        if candidate.status == CandidateStatus.SCHEDULED:
            return ["complete"]
    if candidate.status == CandidateStatus.COMPLETED and request.status not in (
        RequestStatus.WITHDRAWN, RequestStatus.CANCELLED, RequestStatus.EXPIRED,
    ):  # fmt: skip
        if not any(f.side == FeedbackSide.REFERENCE for f in candidate.feedback.all()):
            return ["feedback"]
    return []


def respond_out(candidate) -> dict:
    """The request in plain words for the reference: the prospect's profile, never the deal amount."""
    request = candidate.request
    contact = candidate.reference.contact
    return {
        "request_status": request.status,
        "status": candidate.status,
        "name": contact.name,
        "prospect": request.prospect,
        "industry": request.industry.title if request.industry_id else request.industry_text,
        "employees": request.employees,
        "country": request.country,
        "activity_type": request.activity_type,
        "needed_by": request.needed_by,
        "topics": request.topics,
        "requester": request.requester.display_name,
        "time_zone": contact.time_zone or "UTC",
        "scheduled_start": candidate.scheduled_start,
        "scheduled_end": candidate.scheduled_end,
        "slots": [slot_out(s) for s in candidate.slots.all()],
        "allowed_actions": respond_actions(candidate),
    }
