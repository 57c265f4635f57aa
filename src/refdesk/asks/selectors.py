"""Reads of reference requests shared by pages, API, CLI and the notify app, already scoped to the caller."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from refdesk.asks import permissions as perms
from refdesk.asks.choices import (
    OPEN_REQUEST_STATUSES,
    CandidateStatus,
    RequestStatus,
    SlaState,
)
from refdesk.asks.models import (
    MatchingHold,
    OwnerApprovalPolicy,
    ReferenceRequest,
    RequestCandidate,
    RequestEvent,
    SlaPolicy,
    WorkflowPolicy,
)
from refdesk.core import changes
from refdesk.core.errors import Forbidden, NotFound
from refdesk.people.permissions import is_program_manager
from refdesk.pool.validation import without_nul

# --- policies -------------------------------------------------------------------------------


def sla_policy_get() -> SlaPolicy:
    """The program's SLA targets, created with the defaults on first read."""
    return changes.settings_row(SlaPolicy)


def workflow_policy_get(activity_type: str = "") -> WorkflowPolicy:
    """The workflow for an activity type: its override if there is one, else the program default."""
    rows = {
        p.activity_type: p
        for p in WorkflowPolicy.objects.filter(activity_type__in=["", activity_type])
    }
    if activity_type in rows:
        return rows[activity_type]
    if "" in rows:
        return rows[""]
    try:
        with transaction.atomic():
            return WorkflowPolicy.objects.create(activity_type="")
    except IntegrityError:
        return WorkflowPolicy.objects.get(activity_type="")


def workflow_policy_list() -> list[WorkflowPolicy]:
    workflow_policy_get("")
    return list(WorkflowPolicy.objects.order_by("activity_type"))


def workflow_snapshot(activity_type: str) -> dict:
    """What a request keeps of the workflow and SLA at submission (remembered per process and
    activity type until a policy changes)."""
    snapshot = changes.remembered(
        ("workflow", activity_type), (WorkflowPolicy, SlaPolicy), lambda: _workflow_snapshot(activity_type)
    )
    return copy.deepcopy(snapshot)


def _workflow_snapshot(activity_type: str) -> dict:
    policy, sla = workflow_policy_get(activity_type), sla_policy_get()
    return {
        "fulfilment": policy.fulfilment,
        "owner_approval": policy.owner_approval,
        "feedback_required": policy.feedback_required,
        "policy": policy.activity_type or "program default",
        "sla": {
            "candidates_within_hours": sla.candidates_within_hours,
            "approval_within_hours": sla.approval_within_hours,
            "acceptance_within_hours": sla.acceptance_within_hours,
            "due_soon_hours": sla.due_soon_hours,
        },
    }


def owner_policy_get(owner) -> OwnerApprovalPolicy | None:
    if owner is None:
        return None
    return OwnerApprovalPolicy.objects.filter(owner=owner).first()


# --- holds, and what matching asks of requests ------------------------------------------------


def held_reference_ids(reference_ids: Iterable[int] | None = None) -> set[int]:
    """References held back from matching until a program manager has reviewed them."""
    qs = MatchingHold.objects.filter(released_at__isnull=True)
    if reference_ids is not None:
        qs = qs.filter(reference_id__in=list(reference_ids))
    return set(qs.values_list("reference_id", flat=True))


def on_open_request(reference) -> Exists:
    """Whether the reference is already selected (or further) on an open request: matching shows
    them as busy. A column of a query over references (`reference`: an OuterRef to its id)."""
    return Exists(
        RequestCandidate.objects.filter(
            reference_id=reference, active=True, request__status__in=OPEN_REQUEST_STATUSES
        )
    )


def hold_list(*, user) -> QuerySet[MatchingHold]:
    if not is_program_manager(user):
        raise Forbidden("Only a program manager reviews held references.")
    return MatchingHold.objects.filter(released_at__isnull=True).select_related(
        "reference__contact__account", "candidate__request"
    )


# --- SLA ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sla:
    state: str
    due_at: dt.datetime | None
    what: str

    @property
    def label(self) -> str:
        return SlaState(self.state).label


def sla_of(request: ReferenceRequest, *, now: dt.datetime) -> Sla:
    """Where the request stands against its next target: on time, due soon, overdue, or done."""
    if request.next_due_at is None:
        return Sla(SlaState.DONE, None, "")
    soon = dt.timedelta(hours=(request.workflow.get("sla") or {}).get("due_soon_hours", 72))
    if request.next_due_at <= now:
        state = SlaState.OVERDUE
    elif request.next_due_at <= now + soon:
        state = SlaState.DUE_SOON
    else:
        state = SlaState.ON_TIME
    return Sla(state, request.next_due_at, request.next_due_what)


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=dt.UTC)


def next_due(
    request: ReferenceRequest, candidates: list[RequestCandidate]
) -> tuple[dt.datetime | None, str]:
    """The earliest open SLA target of a request, and what it is for."""
    if request.status not in OPEN_REQUEST_STATUSES and request.status != RequestStatus.COMPLETED:
        return None, ""
    targets: list[tuple[dt.datetime, str]] = []
    if request.status == RequestStatus.COMPLETED:
        if request.workflow.get("feedback_required") and request.completed_at:
            targets.append((request.completed_at + dt.timedelta(days=7), "requester feedback"))
        return min(targets) if targets else (None, "")
    committed = [
        c
        for c in candidates
        if c.status
        in (CandidateStatus.ACCEPTED, CandidateStatus.SCHEDULED, CandidateStatus.COMPLETED)
    ]
    if request.status == RequestStatus.SUBMITTED and request.candidates_due_at:
        targets.append((request.candidates_due_at, "propose candidates"))
    waiting = [
        c.approval_due_at
        for c in candidates
        if c.status == CandidateStatus.AWAITING_APPROVAL and c.approval_due_at
    ]
    if waiting:
        targets.append((min(waiting), "account owner's approval"))
    if not committed and request.acceptance_due_at:
        targets.append((request.acceptance_due_at, "a reference accepts"))
    if request.needed_by:
        targets.append((end_of_day(request.needed_by), "done by the needed-by date"))
    return min(targets) if targets else (None, "")


# --- requests -------------------------------------------------------------------------------


@dataclass
class RequestFilters:
    """What the queues, `GET /api/requests` and `refdesk request list` filter by."""

    status: str = ""
    activity_type: str = ""
    requester_id: int | None = None
    sla: str = ""
    q: str = ""
    mine: bool = False
    errors: dict[str, str] = field(default_factory=dict)


def _base() -> QuerySet[ReferenceRequest]:
    return ReferenceRequest.objects.select_related("requester", "industry")


def _owner_sees(user) -> Q:
    """Requests with a selected (or further) candidate at one of the user's customers."""
    touching = RequestCandidate.objects.filter(
        request=OuterRef("pk"), reference__contact__account__owner=user
    ).exclude(status=CandidateStatus.PROPOSED)
    return Q(Exists(touching))


def visible_requests(user) -> QuerySet[ReferenceRequest]:
    """Every request the user may read."""
    if not (user and user.is_authenticated and user.is_active):
        raise Forbidden("You need to log in to see reference requests.")
    qs = _base()
    if is_program_manager(user) or user.role == "executive":
        return qs
    return qs.filter(Q(requester=user) | _owner_sees(user))


def request_list(
    *, user, filters: RequestFilters | None = None, now: dt.datetime | None = None
) -> QuerySet[ReferenceRequest]:
    """Requests the user may see, filtered; overdue and soonest-due first, then newest."""
    from django.utils import timezone

    filters = filters or RequestFilters()
    now = now or timezone.now()
    qs = visible_requests(user)
    if filters.mine:
        qs = qs.filter(requester=user)
    if filters.status == "open":
        qs = qs.filter(status__in=OPEN_REQUEST_STATUSES)
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.activity_type:
        qs = qs.filter(activity_type=filters.activity_type)
    if filters.requester_id:
        qs = qs.filter(requester_id=filters.requester_id)
    if filters.q:
        # PostgreSQL refuses NUL characters in text; nobody types them.
        qs = qs.filter(prospect__icontains=without_nul(filters.q).strip()[:200])
    if filters.sla == SlaState.OVERDUE:
        qs = qs.filter(next_due_at__lte=now)
    elif filters.sla == SlaState.DUE_SOON:
        qs = qs.filter(next_due_at__gt=now, next_due_at__lte=now + dt.timedelta(hours=72))
    elif filters.sla == SlaState.ON_TIME:
        qs = qs.filter(next_due_at__gt=now + dt.timedelta(hours=72))
    return qs.order_by("-submitted_at", "-pk")


def triage_list(
    *, user, filters: RequestFilters | None = None, now: dt.datetime | None = None
) -> QuerySet[ReferenceRequest]:
    """The program manager's queue: open requests, overdue first, then what is due soonest."""
    if not is_program_manager(user):
        raise Forbidden("Only a program manager triages requests.")
    filters = filters or RequestFilters()
    if not filters.status:
        filters.status = "open"
    from django.db.models import F

    return request_list(user=user, filters=filters, now=now).order_by(
        F("next_due_at").asc(nulls_last=True), "pk"
    )


def _detail_qs() -> QuerySet[ReferenceRequest]:
    candidates = RequestCandidate.objects.select_related("reference__contact__account__owner").prefetch_related(
        "slots", "feedback"
    )
    # The timeline shows each event's actor label and its candidate's name, which the candidates
    # above already hold: no joins here.
    return _base().prefetch_related(Prefetch("candidates", queryset=candidates), "events")


def request_get(*, user, request_id: int) -> ReferenceRequest:
    """One request with its candidates, slots, feedback and timeline, if the user may see it."""
    if not (user and user.is_authenticated and user.is_active):
        raise Forbidden("You need to log in to see reference requests.")
    return _shown_to(user, _detail(request_id))


def request_as_filed(*, user, request: ReferenceRequest) -> ReferenceRequest:
    """The request `services.request_submit` just returned, as `request_get` gives it.

    When the service handed it the candidates it proposed and the events it wrote (nothing else
    can be on a request just filed: no slots, no feedback), only their references are read, not
    the request again; otherwise (an automatic workflow moved it on) it is read back whole.
    """
    from refdesk.core.compiled import compiled_objects
    from refdesk.core.preload import is_preloaded, preload
    from refdesk.pool.models import ReferenceProfile

    filed = is_preloaded(request, "candidates", "events")
    if not (user and user.is_authenticated and user.is_active and filed):
        return request_get(user=user, request_id=request.pk)
    candidates = list(request.candidates.all())

    def build(ids):
        return ReferenceProfile.objects.select_related("contact__account__owner").filter(pk__in=ids).order_by()

    ids = sorted({c.reference_id for c in candidates})
    references = {r.pk: r for r in compiled_objects(("asks: references as filed",), build, ids=ids)}
    for candidate in candidates:
        candidate.reference = references[candidate.reference_id]
        preload(candidate, "slots", [])
        preload(candidate, "feedback", [])
    return _shown_to(user, request)


def _shown_to(user, request: ReferenceRequest) -> ReferenceRequest:
    owner_of = any(
        c.reference.contact.account.owner_id == user.pk and c.status != CandidateStatus.PROPOSED
        for c in request.candidates.all()
    )
    if not perms.can_view(user, request, owner_of_candidate=owner_of):
        raise NotFound(f"No request with id {request.pk}.")
    return request


def request_get_any(request_id: int) -> ReferenceRequest:
    """One request for the command line and tasks (no user scope)."""
    return _detail(request_id)


def _detail(request_id: int) -> ReferenceRequest:
    try:  # get(), not first(): no ORDER BY to compile over the request's joins
        return _detail_qs().get(pk=request_id)
    except ReferenceRequest.DoesNotExist:
        raise NotFound(f"No request with id {request_id}.") from None


def candidate_of(request: ReferenceRequest, candidate_id: int) -> RequestCandidate:
    for candidate in request.candidates.all():
        if candidate.pk == candidate_id:
            return candidate
    raise NotFound(f"Request {request.pk} has no candidate {candidate_id}.")


# --- queues ---------------------------------------------------------------------------------


def approvals_waiting(*, user) -> QuerySet[RequestCandidate]:
    """Candidates at the user's customers waiting for the user's approval (every one, for a PM)."""
    if not (user and user.is_authenticated and user.is_active):
        raise Forbidden("You need to log in.")
    qs = RequestCandidate.objects.filter(
        status=CandidateStatus.AWAITING_APPROVAL, request__status__in=OPEN_REQUEST_STATUSES
    ).select_related(
        "request__requester", "request__industry", "reference__contact__account__owner"
    )
    if not is_program_manager(user):
        qs = qs.filter(reference__contact__account__owner=user)
    return qs.order_by("approval_due_at", "pk")


def owner_feed(*, user, limit: int = 50) -> QuerySet[RequestEvent]:
    """Every event touching the user's customers, newest first: the owner is told of each contact."""
    if not (user and user.is_authenticated and user.is_active):
        raise Forbidden("You need to log in.")
    return (
        RequestEvent.objects.filter(candidate__reference__contact__account__owner=user)
        .select_related("request", "candidate__reference__contact__account", "actor")
        .order_by("-at", "-pk")[:limit]
    )


# --- for the notify app -----------------------------------------------------------------------


def _events_for_notify() -> QuerySet[RequestEvent]:
    return RequestEvent.objects.select_related(
        "actor",
        "request__requester",
        "request__industry",
        "candidate__reference__contact__account__owner",
    )


def event_get(event_id: int) -> RequestEvent:
    """One event with its request, candidate, contact, account, owner and requester preloaded."""
    found = events_get([event_id])
    if not found:
        raise NotFound(f"No request event with id {event_id}.")
    return found[0]


def events_get(event_ids: list[int]) -> list[RequestEvent]:
    """The events of these ids that exist, oldest first, preloaded like `event_get` (one query,
    compiled once per number of ids: Django takes longer to compile a seven-table join than the
    database to run it, once per event dispatched)."""
    from refdesk.core.compiled import compiled_objects

    def build(ids):
        return _events_for_notify().filter(pk__in=ids).order_by("pk")

    return compiled_objects(("asks: events for notify",), build, ids=sorted(set(event_ids)))


def requests_due_for_reminder(now: dt.datetime) -> QuerySet[ReferenceRequest]:
    """Open requests whose next SLA target has passed or falls within 72 hours, most urgent first."""
    return (
        _base()
        .filter(
            status__in=[*OPEN_REQUEST_STATUSES, RequestStatus.COMPLETED],
            next_due_at__lte=now + dt.timedelta(hours=72),
        )
        .order_by("next_due_at", "pk")
    )


def candidates_awaiting_reference(now: dt.datetime) -> QuerySet[RequestCandidate]:
    """Invited references who have not answered, oldest invitation first (for reminders)."""
    return (
        RequestCandidate.objects.filter(
            status=CandidateStatus.INVITED,
            request__status__in=OPEN_REQUEST_STATUSES,
            invited_at__lte=now,
        )
        .select_related("request__requester", "reference__contact__account__owner")
        .order_by("invited_at", "pk")
    )


def approvals_overdue(now: dt.datetime) -> QuerySet[RequestCandidate]:
    """Approvals past their SLA (for escalation to the program manager)."""
    return approvals_waiting_all().filter(approval_due_at__lte=now)


def approvals_waiting_all() -> QuerySet[RequestCandidate]:
    return RequestCandidate.objects.filter(
        status=CandidateStatus.AWAITING_APPROVAL, request__status__in=OPEN_REQUEST_STATUSES
    ).select_related("request__requester", "reference__contact__account__owner")
