"""Per-operation input and output schemas of the rewards API."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

Text = Annotated[str, Field(max_length=500)]


class LedgerEntryOut(Schema):
    id: int
    kind: str
    points: int
    balance_after: int
    at: dt.datetime
    expires_at: dt.datetime | None
    reason: str
    rule: str
    actor: str = Field(..., alias="actor_label")
    activity_id: int | None
    redemption_id: int | None


class RewardBalanceOut(Schema):
    holder_id: int | None
    balance: int
    expiring: int
    expiring_at: dt.datetime | None
    entries: list[LedgerEntryOut]


class RewardAdjustIn(Schema):
    holder_id: Annotated[int, Field(ge=1, le=2**62)]
    points: Annotated[int, Field(ge=-10_000_000, le=10_000_000)]
    reason: Annotated[str, Field(min_length=1, max_length=300)]


class RewardRuleOut(Schema):
    key: str
    label: str
    points: int
    active: bool


class RewardRuleIn(Schema):
    points: Annotated[int, Field(ge=0, le=1_000_000)]
    active: bool = True


class RewardSettingsOut(Schema):
    expiry_months: int
    expiry_notice_days: int
    yearly_value_cap: Decimal
    currency: str
    thank_you_due_days: int


class RewardSettingsIn(Schema):
    expiry_months: Annotated[int, Field(ge=1, le=120)] | None = None
    expiry_notice_days: Annotated[int, Field(ge=1, le=365)] | None = None
    yearly_value_cap: Annotated[Decimal, Field(ge=0, le=99999999, decimal_places=2)] | None = None
    currency: Annotated[str, Field(min_length=3, max_length=3)] | None = None
    thank_you_due_days: Annotated[int, Field(ge=1, le=60)] | None = None


class CatalogueItemOut(Schema):
    id: int
    name: str
    kind: str
    description: str
    points_cost: int
    stock: int | None
    countries: list[str]
    value: Decimal
    currency: str
    active: bool


class CatalogueItemIn(Schema):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    kind: Annotated[str, Field(max_length=20)]
    description: Annotated[str, Field(max_length=2000)] = ""
    points_cost: Annotated[int, Field(ge=0, le=10_000_000)]
    stock: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    countries: Annotated[list[Annotated[str, Field(max_length=60)]], Field(max_length=250)] = []
    value: Annotated[Decimal, Field(ge=0, le=99999999, decimal_places=2)] = Decimal("0.00")
    currency: Annotated[str, Field(min_length=3, max_length=3)] | None = None
    active: bool = True


class CatalogueItemPatch(Schema):
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    kind: Annotated[str, Field(max_length=20)] | None = None
    description: Annotated[str, Field(max_length=2000)] | None = None
    points_cost: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    stock: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    countries: (
        Annotated[list[Annotated[str, Field(max_length=60)]], Field(max_length=250)] | None
    ) = None
    value: Annotated[Decimal, Field(ge=0, le=99999999, decimal_places=2)] | None = None
    active: bool | None = None


class RedemptionOut(Schema):
    id: int
    holder_id: int
    holder: str
    item_id: int
    item: str
    points: int
    value: Decimal
    currency: str
    status: str
    note: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    fulfilled_at: dt.datetime | None
    refusal_reason: str


class RedemptionIn(Schema):
    item_id: Annotated[int, Field(ge=1, le=2**62)]
    reference_id: Annotated[int, Field(ge=1, le=2**62)] | None = None
    note: Annotated[str, Field(max_length=500)] = ""


class RedemptionRefuseIn(Schema):
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class RedemptionPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RedemptionOut]


class RewardRefusalOut(Schema):
    id: int
    code: str
    reason: str
    at: dt.datetime
    holder_id: int | None
    activity_id: int | None
    item_id: int | None
    redemption_id: int | None


class RewardRefusalPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RewardRefusalOut]


class RewardThankYouOut(Schema):
    id: int
    activity_id: int
    activity_type: str
    reference_id: int
    reference: str
    account: str
    assignee_id: int | None
    status: str
    due_at: dt.datetime
    overdue: bool
    done_at: dt.datetime | None
    note: str


class RewardThankYouPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RewardThankYouOut]


class RewardThankYouDoneIn(Schema):
    template_id: Annotated[int, Field(ge=1, le=2**62)] | None = None
    note: Annotated[str, Field(max_length=5000)] = ""
    send: bool = True


class RewardTemplateOut(Schema):
    id: int
    name: str
    activity_type: str
    subject: str
    body: str
    active: bool


class RewardTemplateIn(Schema):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    activity_type: Annotated[str, Field(max_length=20)] = ""
    subject: Annotated[str, Field(min_length=1, max_length=200)]
    body: Annotated[str, Field(min_length=1, max_length=5000)]
    active: bool = True


class LeaderboardRowOut(Schema):
    rank: int
    user_id: int
    name: str
    team: str
    points: int
    prize: str = ""


class LeaderboardOut(Schema):
    period: str
    start: dt.date
    end: dt.date
    team: str
    rows: list[LeaderboardRowOut]


class ContestIn(Schema):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=2000)] = ""
    starts_on: dt.date
    ends_on: dt.date
    team: Annotated[str, Field(max_length=100)] = ""
    prizes: Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=20)] = []


class ContestOut(Schema):
    id: int
    name: str
    description: str
    starts_on: dt.date
    ends_on: dt.date
    team: str
    prizes: list[str]


class ContestDetailOut(ContestOut):
    standings: list[LeaderboardRowOut]


class RewardCatalogueChoiceOut(Schema):
    item: CatalogueItemOut
    allowed: bool
    reason: str


class RewardReferenceSummaryOut(Schema):
    reference_id: int
    holder_id: int | None
    balance: int
    gift_policy: str
    expiring: int
    expiring_at: dt.datetime | None
    yearly_value_cap: Decimal
    value_received_this_year: Decimal
    currency: str
    entries: list[LedgerEntryOut]
    redemptions: list[RedemptionOut]
    catalogue: list[RewardCatalogueChoiceOut]


class RewardSweepOut(Schema):
    credited: int
    expired: int
    expiry_notices: int
    thank_you_reminders: int
