"""API shapes for the pool: per operation, In and Out."""

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import StrictBool, StrictInt

from refdesk.core.schemas import OutSchema

SmallText = Annotated[str, Field(max_length=300)]
ListOfText = Annotated[list[Annotated[str, Field(max_length=120)]], Field(max_length=100)]


class AccountIndustryOut(OutSchema):
    code: str
    title: str


class OwnerOut(OutSchema):
    id: int
    email: str
    name: str


class AccountOut(OutSchema):
    id: int
    name: str
    external_id: str
    industry: AccountIndustryOut | None
    industry_text: str
    country: str
    employees: int | None
    products: list[str]
    live_since: dt.date | None
    owner: OwnerOut | None
    gift_policy: str
    matching_blocked: bool
    blocked_reason: str


class AccountIn(Schema):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    external_id: Annotated[str, Field(max_length=100)] = ""
    industry: Annotated[str, Field(max_length=200, description="A NAICS code or free text")] = ""
    country: Annotated[str, Field(max_length=60)] = ""
    employees: Annotated[StrictInt, Field(ge=0, le=10_000_000)] | None = None
    products: ListOfText = []
    live_since: dt.date | None = None
    owner_email: Annotated[str, Field(max_length=254)] = ""
    gift_policy: Annotated[str, Field(max_length=30)] = "gifts_allowed"
    matching_blocked: StrictBool = False
    blocked_reason: SmallText = ""


class AccountPatch(Schema):
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    external_id: Annotated[str, Field(max_length=100)] | None = None
    industry: Annotated[str, Field(max_length=200)] | None = None
    country: Annotated[str, Field(max_length=60)] | None = None
    employees: Annotated[StrictInt, Field(ge=0, le=10_000_000)] | None = None
    products: ListOfText | None = None
    live_since: dt.date | None = None
    owner_email: Annotated[str, Field(max_length=254)] | None = None
    gift_policy: Annotated[str, Field(max_length=30)] | None = None
    matching_blocked: StrictBool | None = None
    blocked_reason: SmallText | None = None


class ContactOut(OutSchema):
    id: int
    account_id: int
    account: str
    name: str
    email: str | None = Field(description="Hidden (null) until you may contact this person")
    phone: str | None
    details_hidden: bool
    title: str
    languages: list[str]
    time_zone: str
    external_id: str
    reference_id: int | None


class ContactIn(Schema):
    account_id: Annotated[StrictInt, Field(ge=1, le=2**62)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    email: Annotated[str, Field(min_length=3, max_length=254)]
    title: Annotated[str, Field(max_length=200)] = ""
    phone: Annotated[str, Field(max_length=50)] = ""
    languages: ListOfText = []
    time_zone: Annotated[str, Field(max_length=64)] = ""
    external_id: Annotated[str, Field(max_length=100)] = ""


class ContactPatch(Schema):
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    email: Annotated[str, Field(min_length=3, max_length=254)] | None = None
    title: Annotated[str, Field(max_length=200)] | None = None
    phone: Annotated[str, Field(max_length=50)] | None = None
    languages: ListOfText | None = None
    time_zone: Annotated[str, Field(max_length=64)] | None = None
    external_id: Annotated[str, Field(max_length=100)] | None = None


class StatusChangeOut(OutSchema):
    from_status: str
    to_status: str
    changed_at: dt.datetime
    changed_by: str | None
    reason: str


class ReferenceOut(OutSchema):
    id: int
    status: str
    status_changed_at: dt.datetime | None
    contact: ContactOut
    account: AccountOut
    activity_types: list[str]
    topics: list[str]
    competitors_displaced: list[str]
    testimonial_channels: list[str]
    testimonial_expires: dt.date | None
    nps: int | None
    nps_date: dt.date | None
    csat: int | None
    csat_date: dt.date | None
    opted_out: bool
    notes: str


class ReferenceDetailOut(ReferenceOut):
    status_history: list[StatusChangeOut]


class ReferenceIn(Schema):
    contact_id: Annotated[StrictInt, Field(ge=1, le=2**62)]
    status: Annotated[str, Field(max_length=20)] = "candidate"
    activity_types: ListOfText = []
    topics: ListOfText = []
    competitors_displaced: ListOfText = []
    testimonial_channels: ListOfText = []
    testimonial_expires: dt.date | None = None
    nps: Annotated[StrictInt, Field(ge=0, le=10)] | None = None
    nps_date: dt.date | None = None
    csat: Annotated[StrictInt, Field(ge=1, le=5)] | None = None
    csat_date: dt.date | None = None
    opted_out: StrictBool = False
    notes: Annotated[str, Field(max_length=5000)] = ""


class ReferencePatch(Schema):
    activity_types: ListOfText | None = None
    topics: ListOfText | None = None
    competitors_displaced: ListOfText | None = None
    testimonial_channels: ListOfText | None = None
    testimonial_expires: dt.date | None = None
    nps: Annotated[StrictInt, Field(ge=0, le=10)] | None = None
    nps_date: dt.date | None = None
    csat: Annotated[StrictInt, Field(ge=1, le=5)] | None = None
    csat_date: dt.date | None = None
    opted_out: StrictBool | None = None
    notes: Annotated[str, Field(max_length=5000)] | None = None


class StatusChangeIn(Schema):
    status: Annotated[str, Field(max_length=20)]
    reason: Annotated[str, Field(max_length=500)] = ""


class AccountPage(OutSchema):
    count: int
    limit: int
    offset: int
    items: list[AccountOut]


class ContactPage(OutSchema):
    count: int
    limit: int
    offset: int
    items: list[ContactOut]


class ReferencePage(OutSchema):
    count: int
    limit: int
    offset: int
    items: list[ReferenceOut]
