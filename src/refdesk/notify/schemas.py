"""Per-operation schemas of the webhooks API (names prefixed `Webhook…`, unique in the OpenAPI)."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from ninja import Field, Schema


class WebhookEndpointIn(Schema):
    url: Annotated[str, Field(min_length=1, max_length=500, description="http:// or https:// URL")]
    description: Annotated[str, Field(max_length=200)] = ""
    event_kinds: Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=50)] = (
        Field(default_factory=list, description="Event kinds to receive; empty for every event")
    )


class WebhookEndpointPatch(Schema):
    active: bool


class WebhookEndpointOut(Schema):
    id: int
    url: str
    description: str
    event_kinds: list[str]
    active: bool
    created_at: datetime
    disabled_at: datetime | None


class WebhookEndpointDetailOut(WebhookEndpointOut):
    secret: str = Field(
        description="Signs deliveries: X-Refdesk-Signature = sha256=HMAC(secret, '{timestamp}.{body}')"
    )


class WebhookEndpointPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[WebhookEndpointOut]


class WebhookDeliveryOut(Schema):
    id: int
    uuid: UUID
    event: str = Field(alias="event_kind")
    event_id: int | None
    status: str
    attempts: int
    next_attempt_at: datetime
    response_code: int | None
    last_error: str
    delivered_at: datetime | None
    created_at: datetime
    payload: dict[str, Any]


class WebhookDeliveryPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[WebhookDeliveryOut]
