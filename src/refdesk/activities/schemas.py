"""Per-operation API schemas (names prefixed so ninja never merges them with another app's)."""

import datetime as dt
from typing import Annotated

from ninja import Field, Schema

Short = Annotated[str, Field(max_length=300)]


class ActivityOut(Schema):
    id: int
    reference_id: int
    reference_name: str
    account: str
    activity_type: str
    status: str
    occurred_at: dt.datetime
    source: str
    request_id: int | None
    event_id: int | None
    opportunity: str
    notes: str


class ActivityPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ActivityOut]


class ActivityIn(Schema):
    reference_id: int = Field(ge=1, le=2**62)
    activity_type: Annotated[str, Field(max_length=30)]
    occurred_at: Annotated[
        str, Field(max_length=40, description="YYYY-MM-DD or an ISO date and time")
    ]
    status: Annotated[str, Field(max_length=20)] = "completed"
    request_id: int | None = Field(default=None, ge=1, le=2**62)
    opportunity: Short = ""
    notes: Annotated[str, Field(max_length=5000)] = ""


class ActivityQuery(Schema):
    activity_type: Annotated[str, Field(max_length=30)] = ""
    status: Annotated[str, Field(max_length=20)] = ""
    source: Annotated[str, Field(max_length=20)] = ""
    reference_id: int | None = Field(default=None, ge=1, le=2**62)
    request_id: int | None = Field(default=None, ge=1, le=2**62)
    q: Annotated[str, Field(max_length=200)] = ""
    since: dt.date | None = None
    until: dt.date | None = None


class ActivityImportErrorOut(Schema):
    line: int
    field: str
    message: str


class ActivityImportOut(Schema):
    filename: str
    dry_run: bool
    written: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    errors: list[ActivityImportErrorOut]


class ActivityFatigueRuleOut(Schema):
    activity_type: str
    short_cap: int | None
    short_window_days: int
    long_cap: int | None
    long_window_days: int
    cooldown_days: int


class ActivityFatigueRuleIn(Schema):
    short_cap: int | None = Field(default=None, ge=1, le=100)
    short_window_days: int | None = Field(default=None, ge=1, le=365)
    long_cap: int | None = Field(default=None, ge=1, le=100)
    long_window_days: int | None = Field(default=None, ge=1, le=365)
    cooldown_days: int | None = Field(default=None, ge=0, le=365)


class ActivityReferenceLimitsIn(Schema):
    monthly_limit: int | None = Field(default=None, ge=0, le=100)
    short_cap: int | None = Field(default=None, ge=1, le=100)
    long_cap: int | None = Field(default=None, ge=1, le=100)
    cooldown_days: int | None = Field(default=None, ge=0, le=365)
    note: Short = ""


class ActivityReferenceLimitsOut(Schema):
    reference_id: int
    monthly_limit: int | None
    short_cap: int | None
    long_cap: int | None
    cooldown_days: int | None
    note: str


class ActivityFatigueRowOut(Schema):
    reference_id: int
    name: str
    account: str
    activity_type: str = ""
    reasons: list[str] = []
    free_from: dt.date | None = None


class ActivityFatigueOut(Schema):
    capped: list[ActivityFatigueRowOut]
    near: list[ActivityFatigueRowOut]
    need_break: list[ActivityFatigueRowOut]
    never_asked: list[ActivityFatigueRowOut]
    busiest_share: float
    activities_in_year: int


class ContentOutItem(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    has_file: bool
    channels: list[str]
    expires_on: dt.date | None
    expiry: str
    approved_by: str
    approved_on: dt.date | None
    approval_note: str
    account_id: int | None
    contact_id: int | None
    industry: str | None
    products: list[str]
    topics: list[str]
    event_id: int | None
    uses: int


class ContentPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ContentOutItem]


class ContentIn(Schema):
    kind: Annotated[str, Field(max_length=20)]
    title: Annotated[str, Field(max_length=200)]
    body: Annotated[str, Field(max_length=20_000)] = ""
    url: Annotated[str, Field(max_length=500)] = ""
    channels: list[Annotated[str, Field(max_length=20)]] = Field(default=[], max_length=4)
    expires_on: dt.date | None = None
    approved_by: Annotated[str, Field(max_length=200)] = ""
    approved_on: dt.date | None = None
    approval_note: Annotated[str, Field(max_length=500)] = ""
    account_id: int | None = Field(default=None, ge=1, le=2**62)
    contact_id: int | None = Field(default=None, ge=1, le=2**62)
    industry: Annotated[str, Field(max_length=200)] = ""
    products: list[Annotated[str, Field(max_length=120)]] = Field(default=[], max_length=20)
    topics: list[Annotated[str, Field(max_length=100)]] = Field(default=[], max_length=30)


class ContentQuery(Schema):
    q: Annotated[str, Field(max_length=200)] = ""
    kind: Annotated[str, Field(max_length=20)] = ""
    channel: Annotated[str, Field(max_length=20)] = ""
    industry: Annotated[str, Field(max_length=200)] = ""
    expiring: bool = False


class ContentUseIn(Schema):
    channel: Annotated[str, Field(max_length=20)] = ""
    note: Short = ""


class ContentUseOut(Schema):
    id: int
    asset_id: int
    kind: str
    channel: str
    used_at: dt.datetime


class ContentShareIn(Schema):
    asset_ids: list[Annotated[int, Field(ge=1, le=2**62)]] = Field(max_length=50)
    prospect: Annotated[str, Field(max_length=200)]
    recipient_email: Annotated[str, Field(max_length=254)] = ""
    message: Annotated[str, Field(max_length=5000)] = ""
    request_id: int | None = Field(default=None, ge=1, le=2**62)
    expires_in_days: int = Field(default=30, ge=1, le=365)


class ContentShareOut(Schema):
    id: int
    prospect: str
    url: str
    asset_ids: list[int]
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    first_opened_at: dt.datetime | None
    views: int


class EventIn(Schema):
    title: Annotated[str, Field(max_length=200)]
    format: Annotated[str, Field(max_length=20)] = "webinar"
    starts_at: Annotated[str, Field(max_length=40)]
    ends_at: Annotated[str, Field(max_length=40)] = ""
    reference_ids: list[Annotated[int, Field(ge=1, le=2**62)]] = Field(max_length=20)
    description: Annotated[str, Field(max_length=5000)] = ""
    industry: Annotated[str, Field(max_length=200)] = ""
    products: list[Annotated[str, Field(max_length=120)]] = Field(default=[], max_length=20)
    topics: list[Annotated[str, Field(max_length=100)]] = Field(default=[], max_length=30)
    join_url: Annotated[str, Field(max_length=500)] = ""


class EventInviteIn(Schema):
    prospect: Annotated[str, Field(max_length=200)] = ""
    request_id: int | None = Field(default=None, ge=1, le=2**62)
    opportunity: Short = ""
    email: Annotated[str, Field(max_length=254)] = ""


class EventAttendanceIn(Schema):
    attended: bool


class EventRecordingIn(Schema):
    url: Annotated[str, Field(max_length=500)]
    title: Annotated[str, Field(max_length=200)] = ""


class EventInviteOut(Schema):
    id: int
    prospect: str
    request_id: int | None
    opportunity: str
    attended: bool | None


class EventOut(Schema):
    id: int
    title: str
    format: str
    status: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    reference_ids: list[int]
    invites: list[EventInviteOut]
    influenced_opportunities: int
    recording_ids: list[int]
