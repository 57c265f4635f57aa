"""Per-operation schemas of the matching API."""

from datetime import datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import ConfigDict, StrictStr

from refdesk.core.schemas import OutSchema

Text = Annotated[StrictStr, Field(max_length=200)]
Weight = Annotated[int, Field(ge=0, le=100, strict=True)]


class MatchIn(Schema):
    """A request for references. Only `industry` is usually given; everything else refines."""

    model_config = ConfigDict(extra="forbid")

    industry: Text = Field("", description="A NAICS code or everyday words, e.g. 'cattle ranch'")
    products: list[Text] = Field(default_factory=list, max_length=20)
    country: Annotated[StrictStr, Field(max_length=60)] = Field(
        "", description="ISO code or English name"
    )
    employees: Annotated[int, Field(ge=1, le=10_000_000, strict=True)] | None = None
    activity_type: Annotated[StrictStr, Field(max_length=30)] = "reference_call"
    languages: list[Annotated[StrictStr, Field(max_length=30)]] = Field(
        default_factory=list, max_length=10
    )
    competitor: Text = Field(
        "", description="The rival vendor in the deal: references who displaced it rank higher"
    )
    prospect: Text = Field("", description="The prospect company: never matched to itself")
    prospect_competitors: list[Text] = Field(
        default_factory=list, max_length=50, description="Excluded as references"
    )
    topics: Annotated[StrictStr, Field(max_length=1000)] = Field(
        "", description="Use cases or topics, free text"
    )
    limit: Annotated[int, Field(ge=1, le=100, strict=True)] = 10


class IndustryOut(OutSchema):
    code: str
    title: str
    score: float


class ReasonOut(OutSchema):
    criterion: str
    matched: str
    points: float


class ContentOut(OutSchema):
    kind: str
    title: str
    url: str
    reasons: list[ReasonOut]


class CandidateOut(OutSchema):
    reference_id: int
    contact_id: int
    name: str
    email: str | None = Field(description="Hidden (null) unless you may contact this person")
    account: str
    account_id: int
    score: float
    reasons: list[ReasonOut]
    availability: str = Field(description="free, on_open_request or resting")
    available_from: str | None = Field(
        description="When a resting reference is free again (ISO date)"
    )
    stale: bool = Field(False, description="Profile not confirmed lately: listed after fresh ones")


class MatchOut(OutSchema):
    industry: list[IndustryOut]
    content: list[ContentOut]
    candidates: list[CandidateOut]
    excluded_count: int
    excluded_by_rule: dict[str, int]
    pool_size: int
    activity_type: str


class WeightsOut(Schema):
    industry: int
    products: int
    location: int
    time_zone: int
    language: int
    size: int
    topics: int
    competitor: int
    satisfaction: int
    fairness: int


class WeightsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    industry: Weight | None = None
    products: Weight | None = None
    location: Weight | None = None
    time_zone: Weight | None = None
    language: Weight | None = None
    size: Weight | None = None
    topics: Weight | None = None
    competitor: Weight | None = None
    satisfaction: Weight | None = None
    fairness: Weight | None = None


class MatchingSettingsOut(Schema):
    weights: WeightsOut
    nps_threshold: int
    short_cap: int
    short_window_days: int
    long_cap: int
    long_window_days: int
    cooldown_days: int
    updated_at: datetime


class MatchingSettingsIn(Schema):
    """Any subset of the settings; what is left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    weights: WeightsIn | None = None
    nps_threshold: Annotated[int, Field(ge=0, le=10, strict=True)] | None = None
    short_cap: Annotated[int, Field(ge=1, le=100, strict=True)] | None = None
    short_window_days: Annotated[int, Field(ge=1, le=365, strict=True)] | None = None
    long_cap: Annotated[int, Field(ge=1, le=100, strict=True)] | None = None
    long_window_days: Annotated[int, Field(ge=1, le=365, strict=True)] | None = None
    cooldown_days: Annotated[int, Field(ge=0, le=365, strict=True)] | None = None
