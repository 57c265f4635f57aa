"""Every write to reference requests: submit, propose, select, approve, invite, answer, book, finish.

Each status change is claimed with a conditional UPDATE (`filter(pk=…, status=old).update(…)`)
inside a transaction that first locks the request row, so two people acting on one request at
once queue up and the second sees the first one's result: no step is ever skipped or taken twice.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from refdesk.asks import events, selectors
from refdesk.asks import permissions as perms
from refdesk.asks.choices import (
    ACTIVE_CANDIDATE_STATUSES,
    COMMITTED_CANDIDATE_STATUSES,
    OPEN_REQUEST_STATUSES,
    REQUEST_TRANSITIONS,
    AutoApprove,
    CandidateStatus,
    FeedbackSide,
    Fulfilment,
    RequestStatus,
)
from refdesk.asks.models import (
    Feedback,
    MatchingHold,
    OwnerApprovalPolicy,
    ReferenceRequest,
    RequestCandidate,
    TimeSlot,
    WorkflowPolicy,
)
from refdesk.asks.validation import clean_request
from refdesk.core.errors import Conflict, Forbidden, IllegalTransition, InvalidInput
from refdesk.core.preload import preload
from refdesk.people.permissions import is_program_manager
from refdesk.pool import validation as v
from refdesk.pool.choices import ActivityType

CANDIDATES_PROPOSED = 10
MAX_SLOTS = 3
MAX_CALL_MINUTES = 240
POOR_RATING = 2

# What may be done to a reference on a request, from which statuses. The allowed list is the
# reason an illegal step gives.
CANDIDATE_ACTIONS: dict[str, frozenset[str]] = {
    "select": frozenset({CandidateStatus.PROPOSED}),
    "approve": frozenset({CandidateStatus.AWAITING_APPROVAL}),
    "decline": frozenset({CandidateStatus.AWAITING_APPROVAL}),
    "accept": frozenset({CandidateStatus.INVITED}),
    "decline invitation": frozenset({CandidateStatus.INVITED}),
    "propose times": frozenset({CandidateStatus.INVITED, CandidateStatus.ACCEPTED}),
    "schedule": frozenset({CandidateStatus.ACCEPTED, CandidateStatus.SCHEDULED}),
    "cancel call": frozenset({CandidateStatus.SCHEDULED}),
    "complete": frozenset({CandidateStatus.SCHEDULED}),
    "missed": frozenset({CandidateStatus.SCHEDULED}),
    "feedback": frozenset({CandidateStatus.COMPLETED}),
    "remove": ACTIVE_CANDIDATE_STATUSES,
}
REQUEST_ACTIONS: dict[str, frozenset[str]] = {
    "withdraw": OPEN_REQUEST_STATUSES,
    "cancel": OPEN_REQUEST_STATUSES,
    "close": frozenset({RequestStatus.COMPLETED}),
    "propose candidates": OPEN_REQUEST_STATUSES,
    "expire": frozenset({RequestStatus.SUBMITTED, RequestStatus.CANDIDATES_PROPOSED, RequestStatus.IN_PROGRESS}),
}


def candidate_actions_allowed(status: str) -> list[str]:
    return [name for name, froms in CANDIDATE_ACTIONS.items() if status in froms]


def request_actions_allowed(status: str) -> list[str]:
    return [name for name, froms in REQUEST_ACTIONS.items() if status in froms]


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)


def _expect_candidate(candidate: RequestCandidate, action: str) -> None:
    if candidate.status not in CANDIDATE_ACTIONS[action]:
        allowed = candidate_actions_allowed(candidate.status)
        label = CandidateStatus(candidate.status).label.lower()
        raise IllegalTransition(
            f"Cannot {action}: {_name(candidate)} is {label}. "
            + (f"Allowed now: {', '.join(allowed)}." if allowed else "Nothing more can be done with this reference."),
            details={"status": candidate.status, "allowed": allowed},
        )


def _expect_request(request: ReferenceRequest, action: str) -> None:
    if request.status not in REQUEST_ACTIONS[action]:
        allowed = request_actions_allowed(request.status)
        label = RequestStatus(request.status).label.lower()
        raise IllegalTransition(
            f"Cannot {action}: the request is {label}. "
            + (f"Allowed now: {', '.join(allowed)}." if allowed else "It has ended; nothing more can be done."),
            details={"status": request.status, "allowed": allowed},
        )


def _expect_open(request: ReferenceRequest, action: str) -> None:
    if request.status not in OPEN_REQUEST_STATUSES:
        label = RequestStatus(request.status).label.lower()
        raise IllegalTransition(
            f"Cannot {action}: the request is {label}.",
            details={"status": request.status, "allowed": request_actions_allowed(request.status)},
        )


def _name(candidate: RequestCandidate) -> str:
    return candidate.reference.contact.name


# --- locking and conditional status changes -------------------------------------------------------


def _lock(request_id: int) -> ReferenceRequest:
    """The request row, locked until the transaction ends (a no-op on SQLite, whose writers queue anyway)."""
    return ReferenceRequest.objects.select_for_update().select_related("requester").get(pk=request_id)


def _lock_candidate(request: ReferenceRequest, candidate_id: int) -> RequestCandidate:
    candidate = (
        RequestCandidate.objects.select_related("reference__contact__account__owner")
        .filter(pk=candidate_id, request_id=request.pk)
        .first()
    )
    if candidate is None:
        from refdesk.core.errors import NotFound

        raise NotFound(f"Request {request.pk} has no candidate {candidate_id}.")
    candidate.request = request
    return candidate


def _move_request(request: ReferenceRequest, to_status: str, *, at: dt.datetime, **fields: Any) -> str:
    from_status = request.status
    if to_status not in REQUEST_TRANSITIONS[from_status]:
        allowed = ", ".join(sorted(REQUEST_TRANSITIONS[from_status])) or "nothing"
        raise IllegalTransition(
            f"A request cannot go from {from_status} to {to_status}; from {from_status} it can go to: {allowed}.",
            details={"status": from_status, "allowed": sorted(REQUEST_TRANSITIONS[from_status])},
        )
    changed = ReferenceRequest.objects.filter(pk=request.pk, status=from_status).update(
        status=to_status, updated_at=at, **fields
    )
    if changed != 1:
        raise Conflict("The request changed meanwhile; reload and try again.")
    request.status = to_status
    for name, value in fields.items():
        setattr(request, name, value)
    return from_status


def _move_candidate(candidate: RequestCandidate, to_status: str, *, at: dt.datetime, **fields: Any) -> str:
    from refdesk.asks.choices import CANDIDATE_TRANSITIONS

    from_status = candidate.status
    if to_status not in CANDIDATE_TRANSITIONS[from_status]:
        allowed = candidate_actions_allowed(from_status)
        raise IllegalTransition(
            f"{_name(candidate)} cannot go from {from_status} to {to_status}.",
            details={"status": from_status, "allowed": allowed},
        )
    changed = RequestCandidate.objects.filter(pk=candidate.pk, status=from_status).update(
        status=to_status, updated_at=at, **fields
    )
    if changed != 1:
        raise Conflict(f"{_name(candidate)}'s status changed meanwhile; reload and try again.")
    candidate.status = to_status
    for name, value in fields.items():
        setattr(candidate, name, value)
    return from_status


def _candidates(request: ReferenceRequest) -> list[RequestCandidate]:
    return list(
        RequestCandidate.objects.filter(request=request).select_related("reference__contact__account__owner").order_by("rank", "pk")
    )


def _refresh_due(request: ReferenceRequest, candidates: list[RequestCandidate] | None = None) -> None:
    """Recompute the cached next SLA target the triage queue sorts by."""
    due_at, what = selectors.next_due(request, candidates if candidates is not None else _candidates(request))
    if (due_at, what) != (request.next_due_at, request.next_due_what):
        ReferenceRequest.objects.filter(pk=request.pk).update(next_due_at=due_at, next_due_what=what)
        request.next_due_at, request.next_due_what = due_at, what


# --- submitting and proposing -------------------------------------------------------------------


def _clean_with_opportunity(fields: dict[str, Any], opportunity_crm_id: Any):
    """The request's fields and the open CRM opportunity it names (or None); every problem reported together."""
    from refdesk.insights.choices import OpportunityStage
    from refdesk.insights.opportunity_selectors import opportunity_by_crm_id

    errors: dict[str, str] = {}
    try:
        cleaned = clean_request(fields)
    except InvalidInput as exc:
        cleaned, errors = {}, dict(exc.details or {})
    crm_id = v.without_nul("" if opportunity_crm_id is None else str(opportunity_crm_id)).strip()
    opportunity = opportunity_by_crm_id(crm_id) if crm_id and len(crm_id) <= 100 else None
    if crm_id and opportunity is None:
        errors["opportunity"] = f"{crm_id[:100]!r} is not the CRM id of an opportunity we know (ask the program manager to import it)"
    elif opportunity is not None and opportunity.stage != OpportunityStage.OPEN:
        # A closed deal gets no new requests: a reference given after the fact would count it as influenced.
        errors["opportunity"] = f"{crm_id!r} is already {opportunity.get_stage_display().lower()}; name an open opportunity"
    if errors:
        summary = "; ".join(f"{name} {reason}" for name, reason in errors.items())
        raise InvalidInput(f"Please correct: {summary}.", details=errors)
    return cleaned, opportunity


def request_submit(*, actor, requester=None, opportunity_crm_id: str = "", **fields: Any) -> ReferenceRequest:
    """File a request for references (for an open CRM opportunity, if named); candidates are proposed at once."""
    requester = requester or actor
    _require(requester is not None and perms.can_request(requester), "This user cannot ask for references.")
    if actor is not None and actor != requester:
        _require(is_program_manager(actor), "Only a program manager can file a request for someone else.")
    from refdesk.pool.selectors import naics_industry

    cleaned, opportunity = _clean_with_opportunity(fields, opportunity_crm_id)
    code, written = cleaned.pop("industry")
    now = timezone.now()
    with transaction.atomic():
        workflow = selectors.workflow_snapshot(cleaned["activity_type"])
        sla = workflow["sla"]
        request = ReferenceRequest(
            requester=requester,
            industry=naics_industry(code) if code else None,
            industry_text=written,
            workflow=workflow,
            submitted_at=now,
            candidates_due_at=now + dt.timedelta(hours=sla["candidates_within_hours"]),
            acceptance_due_at=now + dt.timedelta(hours=sla["acceptance_within_hours"]),
            **cleaned,
        )
        # Matched before the row is written, so that it is written once, already moved on to
        # "candidates proposed" when the matcher found some, with its next SLA target.
        proposed = _proposal(request, at=now, new=True)
        if proposed:
            request.status, request.candidates_proposed_at = RequestStatus.CANDIDATES_PROPOSED, now
        request.next_due_at, request.next_due_what = selectors.next_due(request, proposed)
        request.save(force_insert=True)
        for candidate in proposed:
            candidate.request = request
        RequestCandidate.objects.bulk_create(proposed)
        filed = events.request_filed(request=request, actor=actor or requester, proposed=len(proposed), at=now)
        if opportunity is not None:
            from refdesk.insights.services import opportunity_link_request

            # Naming the deal while filing is the requester's right; linking it later stays the
            # program manager's, so the link is made here as the system (actor=None).
            opportunity_link_request(actor=None, opportunity=opportunity, request_id=request.pk, now=now)
        if workflow["fulfilment"] == Fulfilment.AUTOMATIC:
            _auto_select(request, at=now)
            _refresh_due(request)
        else:
            # Nothing else is on it: `selectors.request_as_filed` shows it without a read-back.
            preload(request, "candidates", proposed)
            preload(request, "events", filed)
    return request


def sharing_rule_allowed_ids(requester, reference_ids):
    from refdesk.growth.selectors import sharing_rule_allowed_ids as allowed_ids

    return allowed_ids(requester, reference_ids)


def sharing_rule_allows(requester, reference_ids) -> bool:
    from refdesk.growth.selectors import sharing_rule_allows as allows

    return allows(requester, reference_ids)


def _proposal(request: ReferenceRequest, *, at: dt.datetime, new: bool = False) -> list[RequestCandidate]:
    """Ask the matcher for ranked candidates not yet on the request and not held back; the new
    candidates, not yet written. `new`: the request is being filed, so it has no candidates yet
    (and may not be written itself yet)."""
    from refdesk.matching.selectors import MAX_LIMIT, MatchQuery, match_find

    existing = [] if new else list(RequestCandidate.objects.filter(request=request).values_list("reference_id", "rank"))
    taken = {ref for ref, _ in existing}
    held = selectors.held_reference_ids()
    query = MatchQuery(
        industry=request.industry_text or request.industry_id or "",
        products=list(request.products),
        country=request.country,
        employees=request.employees,
        activity_type=request.activity_type,
        competitor=request.competitor,
        prospect=request.prospect,
        topics=request.topics[:1000],
        limit=min(MAX_LIMIT, CANDIDATES_PROPOSED + len(taken) + len(held)),
    )
    result = match_find(user=None, query=query, today=at.date())
    rank = max((r for _, r in existing), default=0)
    added = []
    # The sharing rule (off by default): a rep who keeps customers out of the pool gets only their own.
    allowed = sharing_rule_allowed_ids(request.requester, [f["reference_id"] for f in result["candidates"]])
    for found in result["candidates"]:
        if found["reference_id"] in taken or found["reference_id"] in held or found["reference_id"] not in allowed:
            continue
        if len(added) >= CANDIDATES_PROPOSED:
            break
        rank += 1
        added.append(
            RequestCandidate(
                request=request, reference_id=found["reference_id"], rank=rank, score=found["score"],
                explanation=found["reasons"], availability=found["availability"],
            )
        )  # fmt: skip
    return added


def _propose(request: ReferenceRequest, *, at: dt.datetime, actor, label: str) -> list[RequestCandidate]:
    """Add the matcher's new candidates to an open request, moving a submitted one on."""
    added = _proposal(request, at=at)
    if added:
        RequestCandidate.objects.bulk_create(added)
        if request.status == RequestStatus.SUBMITTED:
            from_status = _move_request(request, RequestStatus.CANDIDATES_PROPOSED, at=at, candidates_proposed_at=at)
        else:
            from_status = request.status
        events.request_candidates_proposed(
            request=request, actor=actor, label=label, from_status=from_status, count=len(added), at=at
        )
    return added


def request_propose(*, actor, request: ReferenceRequest) -> list[RequestCandidate]:
    """Run the matcher again for more candidates (after declines, or when none fitted at first)."""
    _require(perms.can_select(actor, request), "Only a program manager (or the requester, in self-service) can do this.")
    now = timezone.now()
    with transaction.atomic():
        request = _lock(request.pk)
        _expect_request(request, "propose candidates")
        added = _propose(request, at=now, actor=actor, label="")
        if request.workflow.get("fulfilment") == Fulfilment.AUTOMATIC:
            _auto_select(request, at=now)
        _refresh_due(request)
    return added


# --- selecting, approving, inviting ---------------------------------------------------------------


def _in_play(candidates: list[RequestCandidate]) -> int:
    return sum(1 for c in candidates if c.status in ACTIVE_CANDIDATE_STATUSES or c.status == CandidateStatus.COMPLETED)


def candidate_select(*, actor, request: ReferenceRequest, candidate_id: int) -> RequestCandidate:
    """Put a proposed reference on the request; approval is asked (or granted by policy) and the invitation follows."""
    _require(
        perms.can_select(actor, request),
        "Only a program manager selects references for this request."
        if request.workflow.get("fulfilment") != Fulfilment.SELF_SERVICE
        else "Only the requester or a program manager selects references for this request.",
    )
    now = timezone.now()
    with transaction.atomic():
        request = _lock(request.pk)
        candidate = _lock_candidate(request, candidate_id)
        _expect_open(request, "select")
        _expect_candidate(candidate, "select")
        if selectors.held_reference_ids([candidate.reference_id]):
            raise IllegalTransition(
                f"{_name(candidate)} is held back from matching until a program manager has reviewed a poor rating.",
                details={"status": candidate.status, "allowed": []},
            )
        _require(
            sharing_rule_allows(request.requester, [candidate.reference_id]),
            "The sharing rule limits this requester to references from their own accounts.",
        )
        _select(request, candidate, actor=actor, label="", at=now)
        _refresh_due(request)
    return candidate


def _select(request, candidate, *, actor, label: str, at: dt.datetime) -> None:
    candidates = _candidates(request)
    if _in_play(candidates) >= request.references_needed:
        raise IllegalTransition(
            f"This request needs {request.references_needed} reference(s) and already has that many on it; "
            "remove one first.",
            details={"status": candidate.status, "allowed": ["remove"]},
        )
    from_status = _move_candidate(candidate, CandidateStatus.SELECTED, at=at, selected_at=at)
    events.candidate_selected(candidate=candidate, actor=actor, label=label, from_status=from_status, at=at)
    if request.status in (RequestStatus.SUBMITTED, RequestStatus.CANDIDATES_PROPOSED):
        _move_request(request, RequestStatus.IN_PROGRESS, at=at, in_progress_at=at)
    _begin_approval(request, candidate, actor=actor, at=at)


def _auto_select(request: ReferenceRequest, *, at: dt.datetime) -> None:
    """Automatic fulfilment: select the best-ranked proposed candidates until enough are in play."""
    if request.status not in OPEN_REQUEST_STATUSES:
        return
    held = selectors.held_reference_ids()
    for _ in range(2):
        candidates = _candidates(request)
        short = request.references_needed - _in_play(candidates)
        if short <= 0:
            return
        for candidate in [c for c in candidates if c.status == CandidateStatus.PROPOSED and c.reference_id not in held][:short]:
            candidate.request = request
            _select(request, candidate, actor=None, label=events.AUTO_RULE, at=at)
        candidates = _candidates(request)
        if _in_play(candidates) >= request.references_needed:
            return
        if not _propose(request, at=at, actor=None, label="matcher"):
            return


def _begin_approval(request, candidate, *, actor, at: dt.datetime) -> None:
    owner = candidate.reference.contact.account.owner
    reason = ""
    if not request.workflow.get("owner_approval", True):
        label, reason = events.SYSTEM, "no owner approval in this workflow"
    elif owner is None or not owner.is_active:
        label, reason = events.SYSTEM, "the account has no active owner"
    elif actor is not None and actor.pk == owner.pk:
        label, reason = events.actor_label_for(actor), "the account owner selected this reference"
    else:
        policy = selectors.owner_policy_get(owner)
        if policy and policy.approves(request.activity_type):
            label, reason = events.AUTO_APPROVE, f"{owner.display_name} auto-approves {request.get_activity_type_display().lower()}"
        else:
            hours = (request.workflow.get("sla") or {}).get("approval_within_hours", 8)
            _move_candidate(
                candidate, CandidateStatus.AWAITING_APPROVAL, at=at,
                approval_requested_at=at, approval_due_at=at + dt.timedelta(hours=hours),
            )  # fmt: skip
            events.approval_requested(candidate=candidate, owner=owner, at=at)
            return
    from_status = _move_candidate(candidate, CandidateStatus.APPROVED, at=at, approved_at=at)
    events.approval_granted(
        candidate=candidate, actor=actor if label != events.AUTO_APPROVE else None, label=label,
        from_status=from_status, reason=reason, at=at,
    )  # fmt: skip
    _credit_sharing(candidate)
    _invite(candidate, at=at)


def _credit_sharing(candidate: RequestCandidate) -> None:
    """An approved use of a rep's customer by someone else earns the owner sharing points (after commit)."""
    from refdesk.rewards.services import reward_credit_sharing

    transaction.on_commit(lambda: reward_credit_sharing(candidate_id=candidate.pk), robust=True)


def _invite(candidate: RequestCandidate, *, at: dt.datetime) -> None:
    _move_candidate(candidate, CandidateStatus.INVITED, at=at, invited_at=at)
    events.invitation_sent(candidate=candidate, at=at)


def approval_grant(*, actor, request: ReferenceRequest, candidate_id: int, reason: str = "") -> RequestCandidate:
    """The account owner (or a program manager) approves using their customer; the invitation goes out."""
    now = timezone.now()
    with transaction.atomic():
        request = _lock(request.pk)
        candidate = _lock_candidate(request, candidate_id)
        _require(perms.can_decide_approval(actor, candidate), "Only the account owner or a program manager can approve.")
        _expect_open(request, "approve")
        _expect_candidate(candidate, "approve")
        from_status = _move_candidate(candidate, CandidateStatus.APPROVED, at=now, approved_at=now)
        events.approval_granted(candidate=candidate, actor=actor, from_status=from_status, reason=reason.strip()[:500], at=now)
        _credit_sharing(candidate)
        _invite(candidate, at=now)
        _refresh_due(request)
    return candidate


def approval_decline(*, actor, request: ReferenceRequest, candidate_id: int, reason: str) -> RequestCandidate:
    """The account owner (or a program manager) declines, with a reason; the next candidate may be offered."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Please give a reason for declining.", details={"reason": "is required"})
    now = timezone.now()
    with transaction.atomic():
        request = _lock(request.pk)
        candidate = _lock_candidate(request, candidate_id)
        _require(perms.can_decide_approval(actor, candidate), "Only the account owner or a program manager can decline.")
        _expect_open(request, "decline")
        _expect_candidate(candidate, "decline")
        _move_candidate(candidate, CandidateStatus.OWNER_DECLINED, at=now, ended_at=now, reason=reason[:500])
        events.approval_declined(candidate=candidate, actor=actor, reason=reason, at=now)
        _after_drop(request, at=now)
    return candidate


# --- the reference answers --------------------------------------------------------------------------


def _locked_by_link(candidate: RequestCandidate) -> tuple[ReferenceRequest, RequestCandidate]:
    request = _lock(candidate.request_id)
    locked = _lock_candidate(request, candidate.pk)
    return request, locked


def _accept(request: ReferenceRequest, candidate: RequestCandidate, *, at: dt.datetime) -> None:
    from refdesk.pool.services import contact_access_grant

    _move_candidate(candidate, CandidateStatus.ACCEPTED, at=at, responded_at=at)
    events.invitation_accepted(candidate=candidate, at=at)
    # Privacy: the requester sees the person's email and phone only once approved and accepted.
    contact_access_grant(
        actor=None, user=request.requester, contact=candidate.reference.contact,
        reason=f"accepted request #{request.pk} ({request.prospect})",
    )  # fmt: skip


def invitation_accept(
    *, candidate: RequestCandidate, slots: list[tuple[dt.datetime, dt.datetime]] | None = None, time_zone: str = ""
) -> RequestCandidate:
    """The reference accepts through their link; the requester may now see their email and phone."""
    now = timezone.now()
    with transaction.atomic():
        request, candidate = _locked_by_link(candidate)
        _expect_open(request, "accept")
        _expect_candidate(candidate, "accept")
        if slots:
            _clean_slots(slots, time_zone, now)
        _accept(request, candidate, at=now)
        if slots:
            _propose_slots(candidate, slots=slots, time_zone=time_zone, at=now)
        _settle(request, at=now)
    return candidate


def invitation_decline(*, candidate: RequestCandidate, reason: str = "") -> RequestCandidate:
    """The reference declines through their link; the next candidate is offered."""
    now = timezone.now()
    with transaction.atomic():
        request, candidate = _locked_by_link(candidate)
        _expect_open(request, "decline invitation")
        _expect_candidate(candidate, "decline invitation")
        _move_candidate(candidate, CandidateStatus.REFERENCE_DECLINED, at=now, responded_at=now, ended_at=now,
                        reason=(reason or "").strip()[:500])  # fmt: skip
        events.invitation_declined(candidate=candidate, reason=(reason or "").strip(), at=now)
        _after_drop(request, at=now)
    return candidate


def _clean_slots(slots, time_zone: str, now: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    errors = {}
    if not slots:
        errors["slots"] = "propose at least one time"
    elif len(slots) > MAX_SLOTS:
        errors["slots"] = f"propose at most {MAX_SLOTS} times"
    cleaned = []
    for n, (start, end) in enumerate(slots or [], 1):
        if start is None or end is None or start.tzinfo is None or end.tzinfo is None:
            errors[f"slot {n}"] = "needs a start and end with a time zone"
        elif not (2000 <= start.year <= 2100 and 2000 <= end.year <= 2100):
            errors[f"slot {n}"] = "is not a date this century"
        elif end <= start:
            errors[f"slot {n}"] = "ends before it starts"
        elif end - start > dt.timedelta(minutes=MAX_CALL_MINUTES):
            errors[f"slot {n}"] = f"is longer than {MAX_CALL_MINUTES // 60} hours"
        elif start <= now:
            errors[f"slot {n}"] = "is in the past"
        elif start > now + dt.timedelta(days=365):
            errors[f"slot {n}"] = "is more than a year away"
        else:
            cleaned.append((start.astimezone(dt.UTC), end.astimezone(dt.UTC)))
    if errors:
        raise InvalidInput("Please correct: " + "; ".join(f"{k} {m}" for k, m in errors.items()) + ".", details=errors)
    return cleaned


def _propose_slots(candidate, *, slots, time_zone: str, at: dt.datetime) -> list[TimeSlot]:
    zone = _zone(time_zone or candidate.reference.contact.time_zone)
    cleaned = _clean_slots(slots, zone, at)
    # A new proposal replaces the reference's earlier, unchosen ones.
    TimeSlot.objects.filter(candidate=candidate, proposed_by=FeedbackSide.REFERENCE, chosen=False).delete()
    TimeSlot.objects.bulk_create(
        [TimeSlot(candidate=candidate, starts_at=s, ends_at=e, proposed_by=FeedbackSide.REFERENCE, time_zone=zone) for s, e in cleaned]
    )
    rows = list(TimeSlot.objects.filter(candidate=candidate, proposed_by=FeedbackSide.REFERENCE, chosen=False))
    events.slots_proposed(candidate=candidate, slots=rows, time_zone=zone, at=at)
    return rows


def _zone(name: str) -> str:
    name = (name or "").strip()
    try:
        ZoneInfo(name)
    except Exception:
        return "UTC"
    return name or "UTC"


def slots_propose(
    *, candidate: RequestCandidate, slots: list[tuple[dt.datetime, dt.datetime]], time_zone: str = ""
) -> list[TimeSlot]:
    """The reference proposes up to three times for the call (accepting, if they had not yet)."""
    now = timezone.now()
    with transaction.atomic():
        request, candidate = _locked_by_link(candidate)
        _expect_open(request, "propose times")
        _expect_candidate(candidate, "propose times")
        _clean_slots(slots, time_zone, now)
        if candidate.status == CandidateStatus.INVITED:
            _accept(request, candidate, at=now)
        rows = _propose_slots(candidate, slots=slots, time_zone=time_zone, at=now)
        _settle(request, at=now)
    return rows


# --- the call -------------------------------------------------------------------------------------


def _check_free(candidate: RequestCandidate, start: dt.datetime, end: dt.datetime) -> None:
    """One reference is never booked twice at once: lock the reference, then look for overlaps."""
    from refdesk.pool.models import ReferenceProfile

    ReferenceProfile.objects.select_for_update().filter(pk=candidate.reference_id).first()
    clash = (
        RequestCandidate.objects.filter(
            reference_id=candidate.reference_id, status=CandidateStatus.SCHEDULED,
            scheduled_start__lt=end, scheduled_end__gt=start,
        )
        .exclude(pk=candidate.pk)
        .first()
    )  # fmt: skip
    if clash:
        raise Conflict(
            f"{_name(candidate)} already has a call from {clash.scheduled_start:%Y-%m-%d %H:%M} to "
            f"{clash.scheduled_end:%H:%M} UTC (request #{clash.request_id}); choose another time.",
            details={"starts_at": "overlaps another call of this reference"},
        )


def call_schedule(
    *,
    actor,
    request: ReferenceRequest,
    candidate_id: int,
    slot_id: int | None = None,
    starts_at: dt.datetime | None = None,
    duration_minutes: int = 30,
    time_zone: str = "",
    reason: str = "",
) -> RequestCandidate:
    """Book the call: pick one of the reference's times or set one directly; a booked call is moved (rescheduled)."""
    from refdesk.activities.choices import ActivityStatus
    from refdesk.activities.services import activity_record, activity_reschedule

    _require(perms.can_run_call(actor, request), "Only the requester or a program manager can schedule the call.")
    now = timezone.now()
    with transaction.atomic():
        request = _lock(request.pk)
        candidate = _lock_candidate(request, candidate_id)
        _expect_open(request, "schedule")
        _expect_candidate(candidate, "schedule")
        slot = None
        if slot_id is not None:
            slot = TimeSlot.objects.filter(pk=slot_id, candidate=candidate).first()
            if slot is None:
                raise InvalidInput("That time was not proposed for this reference.", details={"slot_id": "is not one of the proposed times"})
            start, end = slot.starts_at, slot.ends_at
            if start <= now:
                raise InvalidInput("That time has passed; choose another.", details={"slot_id": "is in the past"})
        else:
            if isinstance(duration_minutes, bool) or not isinstance(duration_minutes, int) or not 5 <= duration_minutes <= MAX_CALL_MINUTES:
                raise InvalidInput(f"The call must last 5 to {MAX_CALL_MINUTES} minutes.", details={"duration_minutes": f"must be between 5 and {MAX_CALL_MINUTES}"})
            if starts_at is None:
                raise InvalidInput("Choose one of the proposed times or set a start time.", details={"starts_at": "is required"})
            if not 2000 <= starts_at.year <= 2100:
                raise InvalidInput("Please correct: the start time is not a date this century.", details={"starts_at": "is not a date this century"})
            if starts_at.tzinfo is None:
                starts_at = starts_at.replace(tzinfo=ZoneInfo(_zone(time_zone or request.requester_time_zone)))
            try:
                ((start, end),) = _clean_slots([(starts_at, starts_at + dt.timedelta(minutes=duration_minutes))], time_zone, now)
            except InvalidInput as exc:
                reason = next(iter((exc.details or {}).values()), "is not a valid time")
                raise InvalidInput(f"Please correct: the start time {reason}.", details={"starts_at": reason}) from None
        _check_free(candidate, start, end)
        previous = candidate.scheduled_start
        was_scheduled = candidate.status == CandidateStatus.SCHEDULED
        from_status = _move_candidate(candidate, CandidateStatus.SCHEDULED, at=now, scheduled_start=start, scheduled_end=end)
        TimeSlot.objects.filter(candidate=candidate, chosen=True).update(chosen=False)
        if slot is not None:
            TimeSlot.objects.filter(pk=slot.pk).update(chosen=True)
        else:
            TimeSlot.objects.create(candidate=candidate, starts_at=start, ends_at=end, proposed_by=FeedbackSide.REQUESTER,
                                    time_zone=_zone(time_zone or request.requester_time_zone), chosen=True)  # fmt: skip
        if candidate.activity_id:
            activity_reschedule(actor=None, activity_id=candidate.activity_id, occurred_at=start)
        else:
            activity = activity_record(
                actor=None, reference=candidate.reference, activity_type=request.activity_type, occurred_at=start,
                status=ActivityStatus.SCHEDULED, request_text=f"Request #{request.pk}: {request.prospect}",
                opportunity_text=request.prospect, request=request, candidate=candidate,
            )  # fmt: skip
            RequestCandidate.objects.filter(pk=candidate.pk).update(activity=activity)
            candidate.activity = activity
        if was_scheduled:
            events.call_rescheduled(candidate=candidate, actor=actor, previous_start=previous, reason=reason, at=now)
        else:
            events.call_scheduled(candidate=candidate, actor=actor, from_status=from_status, at=now)
        _settle(request, at=now)
    return candidate


def call_cancel(*, actor, request: ReferenceRequest, candidate_id: int, reason: str = "", label: str = "") -> RequestCandidate:
    """Call off a booked call; the reference stays accepted, waiting for a new time."""
    from refdesk.activities.services import activity_cancel_by_id

    if actor is not None or not label:
        _require(perms.can_run_call(actor, request), "Only the requester or a program manager can cancel the call.")
    now = timezone.now()
    with transaction.atomic():
        request = _lock(request.pk)
        candidate = _lock_candidate(request, candidate_id)
        _expect_open(request, "cancel call")
        _expect_candidate(candidate, "cancel call")
        previous, activity_id = candidate.scheduled_start, candidate.activity_id
        _move_candidate(candidate, CandidateStatus.ACCEPTED, at=now, scheduled_start=None, scheduled_end=None, activity=None)
        TimeSlot.objects.filter(candidate=candidate, chosen=True).update(chosen=False)
        if activity_id:
            activity_cancel_by_id(actor=None, activity_id=activity_id)
        events.call_cancelled(candidate=candidate, actor=actor, label=label, previous_start=previous, reason=reason, at=now)
        _refresh_due(request)
    return candidate


def call_complete(*, actor, request: ReferenceRequest, candidate_id: int, label: str = "") -> RequestCandidate:
    """Either side confirms the call took place; it is recorded as a completed activity."""
    from refdesk.activities.services import activity_complete

    if actor is not None or not label:
        _require(perms.can_run_call(actor, request), "Only the requester or a program manager can confirm the call.")
    now = timezone.now()
    with transaction.atomic():
        request = _lock(request.pk)
        candidate = _lock_candidate(request, candidate_id)
        _expect_open(request, "complete")
        _expect_candidate(candidate, "complete")
        _move_candidate(candidate, CandidateStatus.COMPLETED, at=now, completed_at=now)
        if candidate.activity_id:
            # Confirmed before its booked time means it happened earlier than planned.
            activity_complete(actor=None, activity_id=candidate.activity_id, occurred_at=min(candidate.scheduled_start, now))
        events.call_completed(candidate=candidate, actor=actor, label=label, at=now)
        _settle(request, at=now)
    return candidate


def call_missed(*, actor, request: ReferenceRequest, candidate_id: int, reason: str = "", label: str = "") -> RequestCandidate:
    """The call did not happen; it no longer counts toward the reference's caps."""
    from refdesk.activities.services import activity_cancel_by_id

    if actor is not None or not label:
        _require(perms.can_run_call(actor, request), "Only the requester or a program manager can report a missed call.")
    now = timezone.now()
    with transaction.atomic():
        request = _lock(request.pk)
        candidate = _lock_candidate(request, candidate_id)
        _expect_open(request, "missed")
        _expect_candidate(candidate, "missed")
        _move_candidate(candidate, CandidateStatus.MISSED, at=now, ended_at=now, reason=(reason or "").strip()[:500])
        if candidate.activity_id:
            activity_cancel_by_id(actor=None, activity_id=candidate.activity_id)
        events.call_missed(candidate=candidate, actor=actor, label=label, reason=reason, at=now)
        _after_drop(request, at=now)
    return candidate


def candidate_remove(*, actor, request: ReferenceRequest, candidate_id: int, reason: str) -> RequestCandidate:
    """Take a reference off the request (e.g. no answer); the next candidate may be offered."""
    from refdesk.activities.services import activity_cancel_by_id

    _require(is_program_manager(actor), "Only a program manager can take a reference off a request.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Please give a reason.", details={"reason": "is required"})
    now = timezone.now()
    with transaction.atomic():
        request = _lock(request.pk)
        candidate = _lock_candidate(request, candidate_id)
        _expect_open(request, "remove")
        _expect_candidate(candidate, "remove")
        from_status = _move_candidate(candidate, CandidateStatus.CANCELLED, at=now, ended_at=now, reason=reason[:500])
        if candidate.activity_id:
            activity_cancel_by_id(actor=None, activity_id=candidate.activity_id)
        events.candidate_cancelled(candidate=candidate, actor=actor, from_status=from_status, reason=reason, at=now)
        _after_drop(request, at=now)
    return candidate


def candidate_link_revoke(*, actor, request: ReferenceRequest, candidate_id: int) -> RequestCandidate:
    """Make every link sent to this reference for this request stop working."""
    _require(is_program_manager(actor), "Only a program manager can revoke links.")
    with transaction.atomic():
        request = _lock(request.pk)
        candidate = _lock_candidate(request, candidate_id)
        candidate.link_nonce = secrets.token_urlsafe(12)
        RequestCandidate.objects.filter(pk=candidate.pk).update(link_nonce=candidate.link_nonce, updated_at=timezone.now())
    return candidate


# --- settling the request after a candidate changed -------------------------------------------------


def _settle(request: ReferenceRequest, *, at: dt.datetime) -> None:
    """Move the request to fulfilled, completed or back to in progress as its candidates now stand."""
    candidates = _candidates(request)
    committed = sum(1 for c in candidates if c.status in COMMITTED_CANDIDATE_STATUSES)
    active = sum(1 for c in candidates if c.status in ACTIVE_CANDIDATE_STATUSES)
    completed = sum(1 for c in candidates if c.status == CandidateStatus.COMPLETED)
    if request.status in (RequestStatus.IN_PROGRESS, RequestStatus.FULFILLED) and active == 0 and completed:
        from_status = _move_request(request, RequestStatus.COMPLETED, at=at, completed_at=at)
        events.request_completed(request=request, from_status=from_status, at=at)
    elif request.status == RequestStatus.IN_PROGRESS and committed >= request.references_needed:
        from_status = _move_request(request, RequestStatus.FULFILLED, at=at, fulfilled_at=at)
        events.request_fulfilled(request=request, from_status=from_status, at=at)
    elif request.status == RequestStatus.FULFILLED and committed < request.references_needed:
        from_status = _move_request(request, RequestStatus.IN_PROGRESS, at=at)
        events.request_reopened(request=request, from_status=from_status, reason="fewer references than needed", at=at)
    _refresh_due(request, candidates)


def _after_drop(request: ReferenceRequest, *, at: dt.datetime) -> None:
    """A reference dropped out: offer the next one when selection is automatic, then settle."""
    if request.workflow.get("fulfilment") == Fulfilment.AUTOMATIC:
        _auto_select(request, at=at)
    _settle(request, at=at)


# --- feedback, holds, closing ------------------------------------------------------------------------


def feedback_give(
    *,
    actor,
    request: ReferenceRequest,
    candidate_id: int,
    side: str,
    rating: int,
    comment: str = "",
    helped: bool | None = None,
    could_speak_to_subject: bool | None = None,
    label: str = "",
) -> Feedback:
    """One side says how it went; a poor rating or a reference who could not speak to the subject is held back."""
    if side not in FeedbackSide.values:
        raise InvalidInput("side must be requester or reference.", details={"side": "use requester or reference"})
    if side == FeedbackSide.REQUESTER:
        _require(perms.can_run_call(actor, request), "Only the requester or a program manager gives the requester's feedback.")
    elif actor is not None and not is_program_manager(actor):
        raise Forbidden("The reference gives their feedback through their link.")
    errors = {}
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        errors["rating"] = "must be a whole number from 1 to 5"
    if len(comment or "") > 5000:
        errors["comment"] = "is longer than 5000 characters"
    if errors:
        raise InvalidInput("Please correct: " + "; ".join(f"{k} {m}" for k, m in errors.items()) + ".", details=errors)
    now = timezone.now()
    with transaction.atomic():
        request = _lock(request.pk)
        candidate = _lock_candidate(request, candidate_id)
        if request.status in (RequestStatus.WITHDRAWN, RequestStatus.CANCELLED, RequestStatus.EXPIRED):
            _expect_open(request, "give feedback")
        _expect_candidate(candidate, "feedback")
        try:
            with transaction.atomic():
                feedback = Feedback.objects.create(
                    candidate=candidate, side=side, rating=rating, comment=(comment or "").strip(), helped=helped,
                    could_speak_to_subject=could_speak_to_subject, given_by=actor, given_at=now,
                )  # fmt: skip
        except IntegrityError:
            raise Conflict(f"The {side}'s feedback on {_name(candidate)} was already given.") from None
        events.feedback_given(feedback=feedback, actor=actor, label=label)
        from refdesk.rewards.services import reward_credit_feedback

        transaction.on_commit(lambda: reward_credit_feedback(feedback_id=feedback.pk), robust=True)
        reasons = []
        if rating <= POOR_RATING:
            reasons.append(f"rated {rating}/5 by the {side}")
        if could_speak_to_subject is False:
            reasons.append(f"could not speak to the subject (said the {side})")
        if reasons:
            _hold(candidate, reason="; ".join(reasons), at=now)
        if side == FeedbackSide.REQUESTER and request.status == RequestStatus.COMPLETED and not _feedback_missing(request):
            from_status = _move_request(request, RequestStatus.CLOSED, at=now, closed_at=now)
            events.request_closed(request=request, actor=None, from_status=from_status,
                                  reason="the requester's feedback is complete", at=now)  # fmt: skip
        _refresh_due(request)
    return feedback


def _hold(candidate: RequestCandidate, *, reason: str, at: dt.datetime) -> None:
    if MatchingHold.objects.filter(reference_id=candidate.reference_id, released_at__isnull=True).exists():
        return
    hold = MatchingHold.objects.create(reference_id=candidate.reference_id, candidate=candidate, reason=reason[:500], created_at=at)
    _touch_reference(candidate.reference_id, at)
    events.reference_held(hold=hold, request=candidate.request, at=at)


def _touch_reference(reference_id: int, at: dt.datetime) -> None:
    # The matcher refreshes a reference when its updated_at moves; a hold changes what it may do.
    from refdesk.pool.models import ReferenceProfile

    ReferenceProfile.objects.filter(pk=reference_id).update(updated_at=at)


def hold_release(*, actor, hold: MatchingHold, note: str = "") -> MatchingHold:
    """A program manager has reviewed a held reference: they may be matched again."""
    _require(is_program_manager(actor), "Only a program manager reviews held references.")
    now = timezone.now()
    with transaction.atomic():
        _touch_reference(hold.reference_id, now)
        changed = MatchingHold.objects.filter(pk=hold.pk, released_at__isnull=True).update(
            released_at=now, released_by=actor, review_note=(note or "").strip()[:500]
        )
        if changed != 1:
            raise Conflict("This hold was already released.")
        hold.refresh_from_db()
        if hold.candidate_id:
            hold.candidate.request  # noqa: B018 - load for the event
            events.hold_released(hold=hold, request=hold.candidate.request, actor=actor, at=now)
    return hold


def _feedback_missing(request: ReferenceRequest) -> list[int]:
    """Completed candidates still without the requester's feedback."""
    done = RequestCandidate.objects.filter(request=request, status=CandidateStatus.COMPLETED)
    given = set(Feedback.objects.filter(candidate__in=done, side=FeedbackSide.REQUESTER).values_list("candidate_id", flat=True))
    return [pk for pk in done.values_list("pk", flat=True) if pk not in given]


def request_close(*, actor, request: ReferenceRequest, reason: str = "") -> ReferenceRequest:
    """Close a completed request; when feedback is required, only once the requester has given it."""
    _require(perms.can_run_call(actor, request), "Only the requester or a program manager can close the request.")
    now = timezone.now()
    with transaction.atomic():
        request = _lock(request.pk)
        _expect_request(request, "close")
        if request.workflow.get("feedback_required") and _feedback_missing(request):
            raise IllegalTransition(
                "Cannot close yet: this workflow requires the requester's feedback on every completed call first.",
                details={"status": request.status, "allowed": ["feedback"]},
            )
        from_status = _move_request(request, RequestStatus.CLOSED, at=now, closed_at=now)
        events.request_closed(request=request, actor=actor, from_status=from_status, reason=reason, at=now)
        _refresh_due(request)
    return request


def _end(request: ReferenceRequest, to_status: str, *, actor, at: dt.datetime, reason: str) -> str:
    """End an open request and take every reference still on it off, cancelling booked calls."""
    from refdesk.activities.services import activity_cancel_by_id

    from_status = _move_request(request, to_status, at=at, ended_at=at)
    for candidate in _candidates(request):
        candidate.request = request
        if candidate.status in ACTIVE_CANDIDATE_STATUSES:
            was = _move_candidate(candidate, CandidateStatus.CANCELLED, at=at, ended_at=at, reason=f"request {to_status}")
            if candidate.activity_id:
                activity_cancel_by_id(actor=None, activity_id=candidate.activity_id)
            events.candidate_cancelled(candidate=candidate, actor=actor, from_status=was, reason=f"request {to_status}: {reason}".strip(": "), at=at)
        elif candidate.status == CandidateStatus.PROPOSED:
            _move_candidate(candidate, CandidateStatus.CANCELLED, at=at, ended_at=at, reason=f"request {to_status}")
    return from_status


def request_withdraw(*, actor, request: ReferenceRequest, reason: str = "") -> ReferenceRequest:
    """The requester no longer needs references."""
    _require(perms.can_withdraw(actor, request), "Only the requester can withdraw a request.")
    now = timezone.now()
    with transaction.atomic():
        request = _lock(request.pk)
        _expect_request(request, "withdraw")
        from_status = _end(request, RequestStatus.WITHDRAWN, actor=actor, at=now, reason=reason)
        events.request_withdrawn(request=request, actor=actor, from_status=from_status, reason=reason, at=now)
        _refresh_due(request)
    return request


def request_cancel(*, actor, request: ReferenceRequest, reason: str) -> ReferenceRequest:
    """A program manager cancels a request, with a reason."""
    _require(perms.can_cancel(actor), "Only a program manager can cancel a request.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Please give a reason for cancelling.", details={"reason": "is required"})
    now = timezone.now()
    with transaction.atomic():
        request = _lock(request.pk)
        _expect_request(request, "cancel")
        from_status = _end(request, RequestStatus.CANCELLED, actor=actor, at=now, reason=reason)
        events.request_cancelled(request=request, actor=actor, from_status=from_status, reason=reason, at=now)
        _refresh_due(request)
    return request


def requests_expire_overdue(*, now: dt.datetime | None = None) -> list[int]:
    """Expire open requests whose needed-by date has passed with nothing accepted; safe to run again."""
    now = now or timezone.now()
    due = ReferenceRequest.objects.filter(
        status__in=REQUEST_ACTIONS["expire"], needed_by__lt=now.date()
    ).values_list("pk", flat=True)
    expired = []
    for pk in list(due):
        with transaction.atomic():
            request = _lock(pk)
            if request.status not in REQUEST_ACTIONS["expire"] or not request.needed_by or request.needed_by >= now.date():
                continue
            if RequestCandidate.objects.filter(request=request, status__in=COMMITTED_CANDIDATE_STATUSES).exists():
                continue  # a reference said yes; the call may still happen after the date
            from_status = _end(request, RequestStatus.EXPIRED, actor=None, at=now, reason="needed-by date passed")
            events.request_expired(request=request, from_status=from_status, at=now)
            _refresh_due(request)
            expired.append(pk)
    return expired


def request_refresh_sla(*, request: ReferenceRequest) -> None:
    """Recompute a request's next SLA target (after policy changes or for a rebuild)."""
    _refresh_due(request)


# --- policies -----------------------------------------------------------------------------------------


def workflow_policy_set(
    *, actor, activity_type: str = "", fulfilment: str, owner_approval: bool, feedback_required: bool
) -> WorkflowPolicy:
    """Set the program's default workflow, or the override for one activity type."""
    _require(is_program_manager(actor), "Only a program manager sets the request workflow.")
    errors = {}
    if activity_type and activity_type not in ActivityType.values:
        errors["activity_type"] = f"use one of {', '.join(ActivityType.values)} (or blank for the default)"
    if fulfilment not in Fulfilment.values:
        errors["fulfilment"] = f"use one of {', '.join(Fulfilment.values)}"
    if errors:
        raise InvalidInput("Please correct: " + "; ".join(f"{k} {m}" for k, m in errors.items()) + ".", details=errors)
    policy, _ = WorkflowPolicy.objects.update_or_create(
        activity_type=activity_type,
        defaults={"fulfilment": fulfilment, "owner_approval": bool(owner_approval),
                  "feedback_required": bool(feedback_required), "updated_by": actor},
    )  # fmt: skip
    return policy


def workflow_policy_remove(*, actor, activity_type: str) -> None:
    """Drop an activity type's override; its requests follow the program default again."""
    _require(is_program_manager(actor), "Only a program manager sets the request workflow.")
    if not activity_type:
        raise InvalidInput("The program default cannot be removed.", details={"activity_type": "is required"})
    WorkflowPolicy.objects.filter(activity_type=activity_type).delete()


SLA_RANGES = {
    "candidates_within_hours": (0, 720),
    "approval_within_hours": (1, 720),
    "acceptance_within_hours": (1, 720),
    "due_soon_hours": (1, 720),
}


def sla_policy_update(*, actor, **hours: Any):
    """Change the SLA targets; new requests take them (open ones keep theirs)."""
    _require(is_program_manager(actor), "Only a program manager changes the SLA targets.")
    errors, changes = {}, {}
    for name, value in hours.items():
        if name not in SLA_RANGES:
            errors[name] = "is not an SLA target"
            continue
        low, high = SLA_RANGES[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[name] = f"must be a whole number of hours from {low} to {high}"
        else:
            changes[name] = value
    if errors:
        raise InvalidInput("Please correct: " + "; ".join(f"{k} {m}" for k, m in errors.items()) + ".", details=errors)
    policy = selectors.sla_policy_get()
    for name, value in changes.items():
        setattr(policy, name, value)
    policy.updated_by = actor
    policy.save(update_fields=[*changes, "updated_by", "updated_at"])
    return policy


def owner_policy_set(*, actor, mode: str, activity_types: list[str] | None = None) -> OwnerApprovalPolicy:
    """An account owner's standing answer to requests for their customers."""
    _require(actor is not None and actor.is_authenticated, "You need to log in.")
    errors = {}
    if mode not in AutoApprove.values:
        errors["mode"] = f"use one of {', '.join(AutoApprove.values)}"
    try:
        types = v.ACTIVITY_TYPES(activity_types or [])
    except ValueError as exc:
        errors["activity_types"] = str(exc)
        types = []
    if mode == AutoApprove.TYPES and not types and "activity_types" not in errors:
        errors["activity_types"] = "choose at least one activity type"
    if errors:
        raise InvalidInput("Please correct: " + "; ".join(f"{k} {m}" for k, m in errors.items()) + ".", details=errors)
    policy, _ = OwnerApprovalPolicy.objects.update_or_create(
        owner=actor, defaults={"mode": mode, "activity_types": types if mode == AutoApprove.TYPES else []}
    )
    return policy


# --- the reference's link ------------------------------------------------------------------------------


def candidate_respond(
    *,
    candidate: RequestCandidate,
    action: str,
    reason: str = "",
    time_zone: str = "",
    slots: list[tuple[dt.datetime, dt.datetime]] | None = None,
    rating: int | None = None,
    comment: str = "",
    could_speak_to_subject: bool | None = None,
) -> RequestCandidate:
    """One answer from the reference through their signed link: accept, decline, propose times, confirm, feedback."""
    label = events.REFERENCE_VIA_LINK
    if action == "accept":
        invitation_accept(candidate=candidate, slots=slots or None, time_zone=time_zone)
    elif action == "decline":
        invitation_decline(candidate=candidate, reason=reason)
    elif action == "propose":
        slots_propose(candidate=candidate, slots=slots or [], time_zone=time_zone)
    elif action == "complete":
        call_complete(actor=None, request=candidate.request, candidate_id=candidate.pk, label=label)
    elif action == "feedback":
        if rating is None:
            raise InvalidInput("Please give a rating from 1 to 5.", details={"rating": "is required"})
        feedback_give(
            actor=None, request=candidate.request, candidate_id=candidate.pk, side=FeedbackSide.REFERENCE,
            rating=rating, comment=comment, could_speak_to_subject=could_speak_to_subject, label=label,
        )  # fmt: skip
    else:
        raise InvalidInput(f"{action!r} is not an answer.", details={"action": "use accept, decline, propose, complete or feedback"})
    return RequestCandidate.objects.select_related(
        "request__industry", "request__requester", "reference__contact__account__owner"
    ).get(pk=candidate.pk)
