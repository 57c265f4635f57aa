"""The webhooks API: thin doors onto notify services and selectors (program managers only)."""

from ninja import Router, Status

from refdesk.core.schemas import ERRORS, Limit, Offset, page
from refdesk.notify import selectors, services
from refdesk.notify.schemas import (
    WebhookDeliveryOut,
    WebhookDeliveryPage,
    WebhookEndpointDetailOut,
    WebhookEndpointIn,
    WebhookEndpointPage,
    WebhookEndpointPatch,
)

router = Router(tags=["webhooks"])


@router.get(
    "/webhooks", response={200: WebhookEndpointPage, **ERRORS}, summary="List webhook endpoints"
)
def list_webhooks(request, limit: Limit = 50, offset: Offset = 0):
    return page(selectors.webhook_endpoint_list(user=request.user), limit=limit, offset=offset)


@router.post(
    "/webhooks",
    response={201: WebhookEndpointDetailOut, **ERRORS},
    summary="Add a webhook endpoint",
)
def create_webhook(request, payload: WebhookEndpointIn):
    endpoint = services.webhook_endpoint_create(actor=request.user, **payload.dict())
    return Status(201, endpoint)


@router.get(
    "/webhooks/{endpoint_id}",
    response={200: WebhookEndpointDetailOut, **ERRORS},
    summary="Get a webhook endpoint",
)
def get_webhook(request, endpoint_id: int):
    return selectors.webhook_endpoint_get(user=request.user, endpoint_id=endpoint_id)


@router.patch(
    "/webhooks/{endpoint_id}",
    response={200: WebhookEndpointDetailOut, **ERRORS},
    summary="Disable or enable a webhook endpoint",
)
def update_webhook(request, endpoint_id: int, payload: WebhookEndpointPatch):
    endpoint = selectors.webhook_endpoint_get(user=request.user, endpoint_id=endpoint_id)
    return services.webhook_endpoint_set_active(
        actor=request.user, endpoint=endpoint, active=payload.active
    )


@router.post(
    "/webhooks/{endpoint_id}/ping",
    response={202: WebhookDeliveryOut, **ERRORS},
    summary="Send a test ping",
)
def ping_webhook(request, endpoint_id: int):
    endpoint = selectors.webhook_endpoint_get(user=request.user, endpoint_id=endpoint_id)
    delivery = services.webhook_ping(actor=request.user, endpoint=endpoint)
    delivery.refresh_from_db()
    return Status(202, delivery)


@router.get(
    "/webhooks/{endpoint_id}/deliveries",
    response={200: WebhookDeliveryPage, **ERRORS},
    summary="An endpoint's delivery log, newest first",
)
def list_deliveries(
    request, endpoint_id: int, status: str = "", limit: Limit = 50, offset: Offset = 0
):
    endpoint = selectors.webhook_endpoint_get(user=request.user, endpoint_id=endpoint_id)
    deliveries = selectors.webhook_delivery_list(user=request.user, endpoint=endpoint)
    if status:
        deliveries = deliveries.filter(status=status)
    return page(deliveries, limit=limit, offset=offset)
