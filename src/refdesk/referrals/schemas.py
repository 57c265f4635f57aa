from datetime import date
from decimal import Decimal

from ninja import Schema


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
