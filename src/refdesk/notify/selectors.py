"""Reads the notify pages, API and CLI share; program managers only."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from refdesk.core.errors import Forbidden, NotFound
from refdesk.notify.models import OutboundEmail, WebhookDelivery, WebhookEndpoint
from refdesk.people.permissions import is_program_manager


def _require_pm(user) -> None:
    if not is_program_manager(user):
        raise Forbidden("Only a program manager can see notifications and webhooks.")


def email_list(
    *, user, status: str = "", q: str = "", request_id: int | None = None
) -> QuerySet[OutboundEmail]:
    """Recent outbound emails, newest first, filtered by status, request, or recipient/subject words."""
    _require_pm(user)
    qs = OutboundEmail.objects.defer("body_text", "body_html", "ics").order_by("-created_at", "-pk")
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(to__icontains=q) | Q(subject__icontains=q))
    if request_id:
        qs = qs.filter(request_id=request_id)
    return qs


def email_get(*, user, email_id: int) -> OutboundEmail:
    _require_pm(user)
    email = OutboundEmail.objects.filter(pk=email_id).first()
    if email is None:
        raise NotFound(f"No email with id {email_id}.")
    return email


def webhook_endpoint_list(*, user) -> QuerySet[WebhookEndpoint]:
    """Endpoints with their delivery counts by outcome."""
    _require_pm(user)
    return WebhookEndpoint.objects.select_related("created_by").annotate(
        delivered_count=Count("deliveries", filter=Q(deliveries__status="delivered")),
        pending_count=Count("deliveries", filter=Q(deliveries__status="pending")),
        failed_count=Count("deliveries", filter=Q(deliveries__status="failed")),
    )


def webhook_endpoint_get(*, user, endpoint_id: int) -> WebhookEndpoint:
    _require_pm(user)
    endpoint = WebhookEndpoint.objects.select_related("created_by").filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound(f"No webhook endpoint with id {endpoint_id}.")
    return endpoint


def webhook_delivery_list(*, user, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's delivery log, newest first."""
    _require_pm(user)
    return WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-pk")
