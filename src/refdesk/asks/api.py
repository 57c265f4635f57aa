"""The requests API: thin doors onto the request services and selectors.

Every action is one POST that returns the request as the caller now sees it, with its timeline.
The reference answers through `/respond/{token}` with the token from their emailed link (no login).
"""


from typing import Annotated
from zoneinfo import ZoneInfo

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from refdesk.asks import links, presenters, selectors, services
from refdesk.asks.schemas import (
    CandidateFeedbackIn,
    CandidateRespondIn,
    CandidateRespondOut,
    CandidateScheduleIn,
    RequestDetailOut,
    RequestIn,
    RequestOwnerPolicyIn,
    RequestOwnerPolicyOut,
    RequestPage,
    RequestReasonIn,
    RequestRequiredReasonIn,
    RequestSlaPolicyIn,
    RequestSlaPolicyOut,
    RequestWorkflowIn,
    RequestWorkflowOut,
)
from refdesk.core.errors import NotFound
from refdesk.core.ratelimit import link_limited
from refdesk.core.schemas import ERRORS, ErrorOut, Limit, Offset, page

router = Router(tags=["requests"])


class RequestQuery(Schema):
    status: Annotated[str, Field(max_length=30)] = ""
    activity_type: Annotated[str, Field(max_length=30)] = ""
    requester_id: Annotated[int, Field(ge=1, le=2**62)] | None = None
    sla: Annotated[str, Field(max_length=20)] = ""
    q: Annotated[str, Field(max_length=200)] = ""
    mine: bool = False


def _detail(request, request_id: int, *, filed=None, for_opportunity: bool = True) -> dict:
    """The request as the caller sees it; `filed`: the one `request_submit` just returned, which is
    linked to an opportunity only if it was filed for one (`for_opportunity`)."""
    if filed is not None:
        shown = selectors.request_as_filed(user=request.user, request=filed)
    else:
        shown = selectors.request_get(user=request.user, request_id=request_id)
    detail = presenters.detail_out(request.user, shown, via="api")
    return detail | {"opportunity": presenters.opportunity_out(request_id) if for_opportunity else None}


def _get(request, request_id: int):
    return selectors.request_get(user=request.user, request_id=request_id)


@router.get("/requests", response={200: RequestPage, **ERRORS}, summary="List reference requests")
def list_requests(request, filters: Query[RequestQuery], limit: Limit = 50, offset: Offset = 0):
    qs = selectors.request_list(user=request.user, filters=selectors.RequestFilters(**filters.model_dump()))
    result = page(qs, limit=limit, offset=offset)
    now = timezone.now()
    result["items"] = [presenters.summary_out(r, now=now) for r in result["items"]]
    return result


@router.post("/requests", response={201: RequestDetailOut, **ERRORS}, summary="File a reference request")
def create_request(request, payload: RequestIn):
    data = payload.model_dump()
    email = data.pop("requester_email").strip()
    requester = request.user
    if email:
        from refdesk.people.models import User

        requester = User.objects.filter(email__iexact=email).first()
        if requester is None:
            raise NotFound(f"No user with email {email}.")
    opportunity = data.pop("opportunity")
    created = services.request_submit(actor=request.user, requester=requester, opportunity_crm_id=opportunity, **data)
    return Status(201, _detail(request, created.pk, filed=created, for_opportunity=bool(opportunity)))


@router.get("/requests/{request_id}", response={200: RequestDetailOut, **ERRORS}, summary="Get a request with its timeline")
def get_request(request, request_id: int):
    return _detail(request, request_id)


@router.post("/requests/{request_id}/withdraw", response={200: RequestDetailOut, **ERRORS}, summary="Withdraw a request")
def withdraw_request(request, request_id: int, payload: RequestReasonIn):
    services.request_withdraw(actor=request.user, request=_get(request, request_id), reason=payload.reason)
    return _detail(request, request_id)


@router.post("/requests/{request_id}/cancel", response={200: RequestDetailOut, **ERRORS}, summary="Cancel a request")
def cancel_request(request, request_id: int, payload: RequestRequiredReasonIn):
    services.request_cancel(actor=request.user, request=_get(request, request_id), reason=payload.reason)
    return _detail(request, request_id)


@router.post("/requests/{request_id}/close", response={200: RequestDetailOut, **ERRORS}, summary="Close a completed request")
def close_request(request, request_id: int, payload: RequestReasonIn):
    services.request_close(actor=request.user, request=_get(request, request_id), reason=payload.reason)
    return _detail(request, request_id)


@router.post("/requests/{request_id}/propose", response={200: RequestDetailOut, **ERRORS}, summary="Propose more candidates")
def propose_candidates(request, request_id: int):
    services.request_propose(actor=request.user, request=_get(request, request_id))
    return _detail(request, request_id)


def _candidate_action(path: str, summary: str, body=None):
    """Register POST /requests/{id}/candidates/{cid}/{path} calling `fn(actor, request, candidate_id, payload)`."""

    def register(fn):
        if body is None:

            def view(request, request_id: int, candidate_id: int):
                fn(request.user, _get(request, request_id), candidate_id, None)
                return _detail(request, request_id)

        else:

            def view(request, request_id: int, candidate_id: int, payload: body):  # type: ignore[valid-type]
                fn(request.user, _get(request, request_id), candidate_id, payload)
                return _detail(request, request_id)

        view.__name__ = fn.__name__
        router.post(
            f"/requests/{{request_id}}/candidates/{{candidate_id}}/{path}",
            response={200: RequestDetailOut, **ERRORS}, summary=summary, operation_id=f"requests_{fn.__name__}",
        )(view)  # fmt: skip
        return fn

    return register


@_candidate_action("select", "Select a proposed reference")
def select_candidate(actor, req, candidate_id, payload):
    services.candidate_select(actor=actor, request=req, candidate_id=candidate_id)


@_candidate_action("approve", "Approve using your customer", RequestReasonIn)
def approve_candidate(actor, req, candidate_id, payload):
    services.approval_grant(actor=actor, request=req, candidate_id=candidate_id, reason=payload.reason)


@_candidate_action("decline", "Decline using your customer, with a reason", RequestRequiredReasonIn)
def decline_candidate(actor, req, candidate_id, payload):
    services.approval_decline(actor=actor, request=req, candidate_id=candidate_id, reason=payload.reason)


@_candidate_action("schedule", "Book (or move) the call: a proposed time or one set directly", CandidateScheduleIn)
def schedule_candidate(actor, req, candidate_id, payload):
    starts_at = payload.starts_at
    if starts_at is not None and starts_at.tzinfo is None and payload.time_zone:
        starts_at = starts_at.replace(tzinfo=ZoneInfo(services._zone(payload.time_zone)))
    services.call_schedule(
        actor=actor, request=req, candidate_id=candidate_id, slot_id=payload.slot_id, starts_at=starts_at,
        duration_minutes=payload.duration_minutes, time_zone=payload.time_zone, reason=payload.reason,
    )  # fmt: skip


@_candidate_action("cancel-call", "Cancel the booked call", RequestReasonIn)
def cancel_call(actor, req, candidate_id, payload):
    services.call_cancel(actor=actor, request=req, candidate_id=candidate_id, reason=payload.reason)


@_candidate_action("complete", "Confirm the call took place")
def complete_candidate(actor, req, candidate_id, payload):
    services.call_complete(actor=actor, request=req, candidate_id=candidate_id)


@_candidate_action("missed", "Report that the call did not happen", RequestReasonIn)
def missed_candidate(actor, req, candidate_id, payload):
    services.call_missed(actor=actor, request=req, candidate_id=candidate_id, reason=payload.reason)


@_candidate_action("remove", "Take a reference off the request", RequestRequiredReasonIn)
def remove_candidate(actor, req, candidate_id, payload):
    services.candidate_remove(actor=actor, request=req, candidate_id=candidate_id, reason=payload.reason)


@_candidate_action("feedback", "The requester's feedback on the call", CandidateFeedbackIn)
def feedback_candidate(actor, req, candidate_id, payload):
    services.feedback_give(
        actor=actor, request=req, candidate_id=candidate_id, side="requester", rating=payload.rating,
        comment=payload.comment, helped=payload.helped, could_speak_to_subject=payload.could_speak_to_subject,
    )  # fmt: skip


# --- policies ---------------------------------------------------------------------------------------


def _workflow_out(p) -> dict:
    return {"activity_type": p.activity_type, "fulfilment": p.fulfilment, "owner_approval": p.owner_approval,
            "feedback_required": p.feedback_required}  # fmt: skip


@router.get("/request-workflows", response={200: list[RequestWorkflowOut], **ERRORS}, summary="Request workflows")
def list_workflows(request):
    return [_workflow_out(p) for p in selectors.workflow_policy_list()]


@router.put("/request-workflows", response={200: RequestWorkflowOut, **ERRORS}, summary="Set a request workflow")
def put_workflow(request, payload: RequestWorkflowIn):
    return _workflow_out(services.workflow_policy_set(actor=request.user, **payload.model_dump()))


def _sla_out(p) -> dict:
    return {name: getattr(p, name) for name in services.SLA_RANGES}


@router.get("/request-sla", response={200: RequestSlaPolicyOut, **ERRORS}, summary="SLA targets")
def get_sla(request):
    return _sla_out(selectors.sla_policy_get())


@router.put("/request-sla", response={200: RequestSlaPolicyOut, **ERRORS}, summary="Change SLA targets")
def put_sla(request, payload: RequestSlaPolicyIn):
    return _sla_out(services.sla_policy_update(actor=request.user, **payload.model_dump(exclude_none=True)))


@router.get("/me/approval-policy", response={200: RequestOwnerPolicyOut, **ERRORS}, summary="My auto-approve policy")
def get_owner_policy(request):
    policy = selectors.owner_policy_get(request.user)
    return {"mode": policy.mode, "activity_types": policy.activity_types} if policy else {"mode": "never", "activity_types": []}


@router.put("/me/approval-policy", response={200: RequestOwnerPolicyOut, **ERRORS}, summary="Set my auto-approve policy")
def put_owner_policy(request, payload: RequestOwnerPolicyIn):
    policy = services.owner_policy_set(actor=request.user, mode=payload.mode, activity_types=payload.activity_types)
    return {"mode": policy.mode, "activity_types": policy.activity_types}


# --- the reference's link (no login) ---------------------------------------------------------------------

LINK_ERRORS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 410: ErrorOut, 422: ErrorOut, 429: ErrorOut}


@router.get("/respond/{token}", auth=None, response={200: CandidateRespondOut, **LINK_ERRORS},
            summary="A reference's request, from their signed link")  # fmt: skip
@link_limited("respond")
def respond_get(request, token: str):
    candidate = links.candidate_for_token(token)
    return presenters.respond_out(candidate)


@router.post("/respond/{token}", auth=None, response={200: CandidateRespondOut, **LINK_ERRORS},
             summary="Answer through a signed link: accept, decline, propose times, confirm the call, feedback")  # fmt: skip
@link_limited("respond")
def respond_post(request, token: str, payload: CandidateRespondIn):
    candidate = links.candidate_for_token(token)
    zone = services._zone(payload.time_zone or candidate.reference.contact.time_zone)
    slots = []
    for slot in payload.slots:
        start, end = slot.starts_at, slot.ends_at
        if start.tzinfo is None and 2000 <= start.year <= 2100:
            start = start.replace(tzinfo=ZoneInfo(zone))
        if end.tzinfo is None and 2000 <= end.year <= 2100:
            end = end.replace(tzinfo=ZoneInfo(zone))
        slots.append((start, end))
    candidate = services.candidate_respond(
        candidate=candidate, action=payload.action, reason=payload.reason, time_zone=zone, slots=slots,
        rating=payload.rating, comment=payload.comment, could_speak_to_subject=payload.could_speak_to_subject,
    )  # fmt: skip
    return presenters.respond_out(candidate)
