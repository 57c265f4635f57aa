"""API shapes for reference requests: per operation, In and Out. Names start with Request/Candidate."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, StrictBool, StrictInt

from refdesk.core.schemas import OutSchema
from refdesk.pool.validation import without_nul

# PostgreSQL text cannot hold NUL characters; nobody types them.
NoNul = AfterValidator(without_nul)

Id = Annotated[StrictInt, Field(ge=1, le=2**62)]
Reason = Annotated[str, Field(max_length=500), NoNul]


class RequestIn(Schema):
    prospect: Annotated[str, Field(min_length=1, max_length=200), NoNul]
    industry: Annotated[
        str, Field(min_length=1, max_length=200, description="A NAICS code or free text"), NoNul
    ]
    employees: Annotated[StrictInt, Field(ge=1, le=10_000_000)] | None = None
    country: Annotated[str, Field(max_length=60), NoNul] = ""
    products: Annotated[
        list[Annotated[str, Field(max_length=120), NoNul]], Field(max_length=20)
    ] = []
    amount: (
        Annotated[
            Decimal, Field(ge=0, le=Decimal("999999999999.99"), max_digits=14, decimal_places=2)
        ]
        | None
    ) = None
    stage: Annotated[str, Field(max_length=30), NoNul] = ""
    expected_close: dt.date | None = None
    competitor: Annotated[str, Field(max_length=200), NoNul] = ""
    activity_type: Annotated[str, Field(max_length=30), NoNul] = "reference_call"
    references_needed: Annotated[StrictInt, Field(ge=1, le=5)] = 1
    needed_by: dt.date | None = None
    topics: Annotated[str, Field(max_length=1000), NoNul] = ""
    notes: Annotated[str, Field(max_length=5000), NoNul] = ""
    requester_time_zone: Annotated[str, Field(max_length=64), NoNul] = "UTC"
    requester_email: Annotated[
        str, Field(max_length=254, description="A program manager may file for someone else"), NoNul
    ] = ""
    opportunity: Annotated[
        str,
        Field(
            max_length=100,
            description="The CRM id of the open opportunity this request is for (optional)",
        ),
        NoNul,
    ] = ""


class RequestPersonOut(OutSchema):
    id: int
    email: str
    name: str


class RequestIndustryOut(OutSchema):
    code: str
    title: str


class RequestSlaOut(OutSchema):
    state: str
    due_at: dt.datetime | None
    what: str


class CandidateSlotOut(OutSchema):
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    proposed_by: str
    time_zone: str
    chosen: bool


class CandidateFeedbackOut(OutSchema):
    side: str
    rating: int
    helped: bool | None
    could_speak_to_subject: bool | None
    comment: str
    given_at: dt.datetime


class RequestCandidateOut(OutSchema):
    id: int
    reference_id: int
    name: str
    title: str
    account: str
    account_id: int
    account_owner: str | None
    status: str
    rank: int
    score: float
    reasons: list[dict[str, Any]]
    availability: str
    email: str | None = Field(description="Hidden (null) until approved and accepted")
    phone: str | None
    details_hidden: bool
    time_zone: str
    scheduled_start: dt.datetime | None
    scheduled_end: dt.datetime | None
    reason: str
    slots: list[CandidateSlotOut]
    feedback: list[CandidateFeedbackOut]
    allowed_actions: list[str]


class RequestEventOut(OutSchema):
    id: int
    kind: str
    candidate_id: int | None
    reference: str | None
    from_status: str
    to_status: str
    actor: str
    actor_id: int | None
    at: dt.datetime
    reason: str
    data: dict[str, Any]


class RequestSummaryOut(OutSchema):
    id: int
    status: str
    prospect: str
    industry: RequestIndustryOut | None
    industry_text: str
    employees: int | None
    country: str
    products: list[str]
    amount: Decimal | None
    stage: str
    expected_close: dt.date | None
    competitor: str
    activity_type: str
    references_needed: int
    needed_by: dt.date | None
    topics: str
    notes: str
    requester_time_zone: str
    requester: RequestPersonOut
    workflow: dict[str, Any]
    submitted_at: dt.datetime
    candidates_proposed_at: dt.datetime | None
    in_progress_at: dt.datetime | None
    fulfilled_at: dt.datetime | None
    completed_at: dt.datetime | None
    closed_at: dt.datetime | None
    ended_at: dt.datetime | None
    sla: RequestSlaOut


class RequestOpportunityOut(OutSchema):
    crm_id: str
    prospect: str
    stage: str


class RequestDetailOut(RequestSummaryOut):
    candidates: list[RequestCandidateOut]
    timeline: list[RequestEventOut]
    allowed_actions: list[str]
    opportunity: RequestOpportunityOut | None = Field(
        None, description="The CRM opportunity the request was made for, if one is linked"
    )


class RequestPage(OutSchema):
    count: int
    limit: int
    offset: int
    items: list[RequestSummaryOut]


class RequestReasonIn(Schema):
    reason: Reason = ""


class RequestRequiredReasonIn(Schema):
    reason: Annotated[str, Field(min_length=1, max_length=500), NoNul]


class CandidateScheduleIn(Schema):
    slot_id: Id | None = None
    starts_at: dt.datetime | None = None
    duration_minutes: Annotated[StrictInt, Field(ge=5, le=240)] = 30
    time_zone: Annotated[str, Field(max_length=64), NoNul] = ""
    reason: Reason = ""


class CandidateFeedbackIn(Schema):
    rating: Annotated[StrictInt, Field(ge=1, le=5)]
    helped: StrictBool | None = None
    could_speak_to_subject: StrictBool | None = None
    comment: Annotated[str, Field(max_length=5000), NoNul] = ""


class RequestWorkflowIn(Schema):
    activity_type: Annotated[str, Field(max_length=30), NoNul] = ""
    fulfilment: Annotated[str, Field(max_length=30), NoNul]
    owner_approval: StrictBool
    feedback_required: StrictBool


class RequestWorkflowOut(Schema):
    activity_type: str
    fulfilment: str
    owner_approval: bool
    feedback_required: bool


class RequestSlaPolicyIn(Schema):
    candidates_within_hours: Annotated[StrictInt, Field(ge=0, le=720)] | None = None
    approval_within_hours: Annotated[StrictInt, Field(ge=1, le=720)] | None = None
    acceptance_within_hours: Annotated[StrictInt, Field(ge=1, le=720)] | None = None
    due_soon_hours: Annotated[StrictInt, Field(ge=1, le=720)] | None = None


class RequestSlaPolicyOut(Schema):
    candidates_within_hours: int
    approval_within_hours: int
    acceptance_within_hours: int
    due_soon_hours: int


class RequestOwnerPolicyIn(Schema):
    mode: Annotated[str, Field(max_length=10), NoNul]
    activity_types: Annotated[
        list[Annotated[str, Field(max_length=30), NoNul]], Field(max_length=20)
    ] = []


class RequestOwnerPolicyOut(Schema):
    mode: str
    activity_types: list[str]


# --- the reference's side, through a signed link -----------------------------------------------------


class CandidateTimeIn(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime


class CandidateRespondIn(Schema):
    action: Literal["accept", "decline", "propose", "complete", "feedback"]
    reason: Reason = ""
    time_zone: Annotated[str, Field(max_length=64), NoNul] = ""
    slots: Annotated[list[CandidateTimeIn], Field(max_length=3)] = []
    rating: Annotated[StrictInt, Field(ge=1, le=5)] | None = None
    comment: Annotated[str, Field(max_length=5000), NoNul] = ""
    could_speak_to_subject: StrictBool | None = None


class CandidateRespondOut(Schema):
    request_status: str
    status: str
    name: str
    prospect: str
    industry: str
    employees: int | None
    country: str
    activity_type: str
    needed_by: dt.date | None
    topics: str
    requester: str
    time_zone: str
    scheduled_start: dt.datetime | None
    scheduled_end: dt.datetime | None
    slots: list[CandidateSlotOut]
    allowed_actions: list[str]
