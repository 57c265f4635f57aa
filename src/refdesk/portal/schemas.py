"""Portal API schemas (names start with Portal: ninja schema names are unique project-wide)."""

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, StrictBool, StrictInt

from refdesk.pool.validation import without_nul

NoNul = AfterValidator(without_nul)
Id = Annotated[StrictInt, Field(ge=1, le=2**62)]


class PortalLinkRequestIn(Schema):
    email: Annotated[str, Field(min_length=3, max_length=254), NoNul]


class PortalMessageOut(Schema):
    message: str


class PortalRequestOut(Schema):
    candidate_id: int
    status: str
    request_status: str
    prospect: str
    industry: str
    activity_type: str
    needed_by: dt.date | None
    requester: str
    scheduled_start: dt.datetime | None
    scheduled_end: dt.datetime | None
    allowed_actions: list[str]


class PortalPeriodOut(Schema):
    id: int
    starts_on: dt.date
    ends_on: dt.date
    note: str


class PortalPreferencesOut(Schema):
    activity_types: list[str]
    monthly_limit: int | None
    preferred_channel: str
    languages: list[str]
    time_zone: str
    testimonial_channels: list[str]
    testimonial_expires: dt.date | None
    unavailable: list[PortalPeriodOut]
    opted_out: bool
    erasure_open: bool


class PortalOverviewOut(Schema):
    contact_id: int
    name: str
    account: str
    open_requests: list[PortalRequestOut]
    upcoming_calls: list[PortalRequestOut]
    past_requests: list[PortalRequestOut]
    points_balance: int
    preferences: PortalPreferencesOut


class PortalTimeIn(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime


class PortalAnswerIn(Schema):
    action: Literal["accept", "decline", "propose", "complete", "feedback"]
    reason: Annotated[str, Field(max_length=500), NoNul] = ""
    time_zone: Annotated[str, Field(max_length=64), NoNul] = ""
    slots: Annotated[list[PortalTimeIn], Field(max_length=3)] = []
    rating: Annotated[StrictInt, Field(ge=1, le=5)] | None = None
    comment: Annotated[str, Field(max_length=5000), NoNul] = ""


class PortalPreferencesIn(Schema):
    activity_types: (
        Annotated[list[Annotated[str, Field(max_length=30), NoNul]], Field(max_length=20)] | None
    ) = None
    monthly_limit: Annotated[StrictInt, Field(ge=0, le=100)] | None = None
    clear_monthly_limit: StrictBool = False
    preferred_channel: Literal["email", "phone"] | None = None
    languages: (
        Annotated[list[Annotated[str, Field(max_length=40), NoNul]], Field(max_length=10)] | None
    ) = None
    time_zone: Annotated[str, Field(max_length=64), NoNul] | None = None
    testimonial_channels: (
        Annotated[list[Annotated[str, Field(max_length=30), NoNul]], Field(max_length=10)] | None
    ) = None


class PortalAwayIn(Schema):
    starts_on: dt.date
    ends_on: dt.date
    note: Annotated[str, Field(max_length=200), NoNul] = ""


class PortalRedeemIn(Schema):
    item_id: Id
    note: Annotated[str, Field(max_length=500), NoNul] = ""


class PortalRedemptionOut(Schema):
    id: int
    item: str
    points: int
    status: str


class PortalErasureIn(Schema):
    note: Annotated[str, Field(max_length=500), NoNul] = ""


class PortalErasureOut(Schema):
    status: str
    requested_at: dt.datetime


class PortalAccessOut(Schema):
    reference_id: int
    last_sent_at: dt.datetime | None
    last_opened_at: dt.datetime | None
    revoked_at: dt.datetime | None


PortalExportOut = dict[str, Any]
