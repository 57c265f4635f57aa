"""Insights API schemas (names are unique across the project)."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema

RequestId = Annotated[int, Field(ge=1, le=2_147_483_647, strict=True)]


class InsightFigureOut(Schema):
    key: str
    title: str
    summary: dict[str, Any]
    columns: list[str]
    rows: list[list[Any]]
    chart: list[dict[str, Any]]
    note: str
    warning: str


class InsightPeriodOut(Schema):
    start: dt.date = Field(..., description="First day (inclusive)")
    end: dt.date = Field(..., description="Last day (inclusive)")


class InsightDashboardOut(Schema):
    period: InsightPeriodOut
    figures: list[InsightFigureOut]
    computed_at: dt.datetime = Field(
        description="When these figures were computed (at most REFDESK_INSIGHTS_MAX_AGE seconds ago unless fresh=true)"
    )


class InsightRowsOut(Schema):
    key: str
    title: str
    columns: list[str]
    count: int
    limit: int
    offset: int
    items: list[list[Any]]


class OpportunityIn(Schema):
    crm_id: str = Field(..., min_length=1, max_length=100)
    name: str = Field("", max_length=200)
    prospect: str = Field(..., min_length=1, max_length=200)
    owner_email: str | None = Field(None, max_length=254)
    amount: Decimal | None = Field(
        None, ge=0, le=Decimal("999999999999.99"), max_digits=14, decimal_places=2
    )
    stage: str = Field("open", max_length=20, description="open, won or lost")
    created_on: dt.date
    closed_on: dt.date | None = None
    request_ids: list[RequestId] = Field(
        default_factory=list, max_length=500, description="Requests made for this opportunity"
    )


class OpportunityOut(Schema):
    id: int
    crm_id: str
    name: str
    prospect: str
    owner_email: str | None = None
    amount: Decimal | None = None
    stage: str
    created_on: dt.date
    closed_on: dt.date | None = None
    influenced: bool = False


class OpportunityUpsertOut(Schema):
    action: str = Field(..., description="created, updated or unchanged")
    opportunity: OpportunityOut


class OpportunityPageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[OpportunityOut]
