from datetime import date
from decimal import Decimal
from typing import Any

from ninja import Schema


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
