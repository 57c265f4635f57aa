from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema


class NominationIn(Schema):
    contact_id: int | None = None
    account_id: int | None = None
    name: str = ""
    email: str = ""
    title: str = ""
    kind: str = "happy_customer"
    reason: str


class NominationReviewIn(Schema):
    action: str
    reason: str = ""


class NominationOut(Schema):
    id: int
    contact_id: int
    contact: str
    account: str
    nominator: str
    kind: str
    reason: str
    status: str
    stage: str
    reference_id: int | None = None
    decline_reason: str = ""
    credited_points: int = 0


class ReadinessOut(Schema):
    reference_id: int
    name: str
    account: str
    ready: bool
    checks: list[dict[str, Any]]


class ReadinessInviteIn(Schema):
    override_note: str = ""


class WinIn(Schema):
    opportunity_id: str
    account: str
    contact: str
    email: str
    closed_on: date
    amount: Decimal | None = None
    title: str = ""
    products: list[str] = []
    account_external_id: str = ""
    country: str = ""
    employees: int | None = None
    owner_email: str = ""


class WinOut(Schema):
    id: int
    opportunity_id: str
    account_id: int
    contact_id: int
    reference_id: int | None
    created: bool


class LookalikeOut(Schema):
    profile: dict[str, Any]
    sources: dict[str, int]
    candidates: list[dict[str, Any]]


class WishIn(Schema):
    account_id: int
    note: str = ""


class GiveBackIn(Schema):
    account_id: int
    kind: str
    occurred_on: date | None = None
    note: str = ""
    value: Decimal | None = None


class GrowthSettingsIn(Schema):
    min_live_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    min_nps: Annotated[int, Field(ge=0, le=10)] | None = None
    stale_after_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    sharing_rule: bool | None = None
    sharing_min_percent: Annotated[int, Field(ge=0, le=100)] | None = None
    giveback_gap: Annotated[int, Field(ge=1, le=1000)] | None = None


class GrowthSettingsOut(Schema):
    min_live_days: int
    min_nps: int
    stale_after_days: int
    sharing_rule: bool
    sharing_min_percent: int
    giveback_gap: int


class EscalationIn(Schema):
    account_id: Annotated[int, Field(ge=1, le=2**62)]
    summary: str
    opened_on: date | None = None


class EscalationCloseIn(Schema):
    closed_on: date | None = None


class EscalationOut(Schema):
    id: int
    account_id: int
    account: str
    summary: str
    status: str
    opened_on: date
    closed_on: date | None


class MilestoneIn(Schema):
    account_id: Annotated[int, Field(ge=1, le=2**62)]
    kind: str
    occurred_on: date
    note: str = ""
    done: bool = True


class MilestoneOut(Schema):
    id: int
    account_id: int
    account: str
    kind: str
    occurred_on: date
    note: str
    done: bool


class SurveyOut(Schema):
    id: int
    contact_id: int
    contact: str
    account: str
    kind: str
    score: int
    answered_on: date
    comment: str


class GrowthWinListOut(Schema):
    id: int
    opportunity_id: str
    account_id: int
    account: str
    contact_id: int
    contact: str
    reference_id: int | None
    amount: Decimal | None
    closed_on: date


class WishOut(Schema):
    id: int
    account_id: int
    account: str
    user: str
    note: str


class GiveBackOut(Schema):
    id: int
    account_id: int
    account: str
    kind: str
    occurred_on: date
    note: str
    value: Decimal | None


class BalanceOut(Schema):
    account_id: int
    account: str
    asks: int
    gives: int
    balance: int
    flagged: bool
