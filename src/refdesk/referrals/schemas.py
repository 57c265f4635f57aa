from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

from refdesk.pool.validation import DATABASE_ID_MAX


class ReferralLeadIn(Schema):
    company: str
    source: str
    contact_name: str = ""
    contact_email: str = ""
    referrer_contact_id: int | None = None
    referrer_user_email: str = ""
    referrer_name: str = ""
    referrer_email: str = ""
    surfaced_by_email: str = ""
    owner_email: str = ""
    expected_value: Decimal | None = None
    received_on: date | None = None
    notes: str = ""


class ReferralStageIn(Schema):
    to_stage: str
    amount: Decimal | None = None
    lost_reason: str = ""
    closed_on: date | None = None


class ReferralLeadOut(Schema):
    id: int
    company: str
    source: str
    referrer: str
    stage: str
    received_on: date
    closed_on: date | None
    expected_value: Decimal | None
    amount: Decimal | None


class ReferralSourceOut(Schema):
    source: str
    leads: int
    open: int
    won: int
    lost: int
    closure_rate: Decimal | None
    revenue: Decimal
    fees: Decimal
    cost_per_lead: Decimal | None
    cost_per_won: Decimal | None = None


class ReferralEventOut(Schema):
    kind: str
    text: str
    at: datetime


class ReferralFeeOut(Schema):
    id: int
    lead_id: int
    company: str
    payee: str
    payee_label: str
    amount: Decimal
    status: str
    paid_on: date | None
    rule: str


class ReferralThankYouOut(Schema):
    id: int
    lead_id: int
    company: str
    referrer: str
    occasion: str
    due_on: date
    done_at: datetime | None


class ReferralLeadDetailOut(ReferralLeadOut):
    contact_name: str
    contact_email: str
    referrer_email: str
    surfaced_by: str
    owner: str
    lost_reason: str
    events: list[ReferralEventOut]
    fees: list[ReferralFeeOut]
    thank_yous: list[ReferralThankYouOut]


class ReferralThankYouDoneIn(Schema):
    note: str = ""


class ReferralTargetIn(Schema):
    label: str
    starts_on: date
    ends_on: date
    lead_count: Annotated[int, Field(ge=0, le=1_000_000)]
    value: Decimal


class ReferralTargetOut(Schema):
    id: int
    label: str
    starts_on: date
    ends_on: date
    lead_target: int
    value_target: Decimal
    leads: int
    won_value: Decimal
    open_pipeline: Decimal
    leads_percent: int | None
    value_percent: int | None
    current: bool


class ReferralPlanIn(Schema):
    contact_id: Annotated[int, Field(ge=1, le=DATABASE_ID_MAX)] | None = None
    partner_name: str = ""
    owner_email: str = ""
    due_on: date
    review_on: date | None = None
    note: str = ""


class ReferralPlanStatusIn(Schema):
    status: str
    note: str | None = None


class ReferralPlanOut(Schema):
    id: int
    who: str
    contact_id: int | None
    owner: str
    due_on: date
    review_on: date | None
    status: str
    completed_on: date | None
    note: str
    overdue: bool
    review_due: bool


class ReferralFeePayIn(Schema):
    paid_on: date | None = None


class ReferralFeeRuleIn(Schema):
    name: str
    source: str = ""
    kind: str
    percent: Decimal | None = None
    flat_amount: Decimal | None = None
    employee_share_percent: Decimal | None = None


class ReferralFeeRuleActiveIn(Schema):
    active: bool


class ReferralFeeRuleOut(Schema):
    id: int
    name: str
    source: str
    kind: str
    percent: Decimal | None
    flat_amount: Decimal | None
    employee_share_percent: Decimal
    active: bool


class ReferralCostIn(Schema):
    channel: str
    cost_per_lead: Decimal
    note: str = ""


class ReferralCostOut(Schema):
    channel: str
    cost_per_lead: Decimal | None
    cost_per_won: Decimal | None
    leads: int | None
    kind: str
    note: str = ""


class ReferralPassIn(Schema):
    account_id: Annotated[int, Field(ge=1, le=DATABASE_ID_MAX)]
    company: str
    contact_name: str = ""
    passed_on: date | None = None
    note: str = ""


class ReferralPassOut(Schema):
    id: int
    account_id: int
    account: str
    company: str
    contact_name: str
    passed_on: date
    note: str
    giveback_id: int | None = None


class ReferralCrossSellOut(Schema):
    account_id: int
    account: str
    owner: str
    owns: list[str]
    missing: list[str]
