"""Every write of the notify app: email rows and their sending, webhook endpoints and deliveries."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from refdesk.core.errors import Forbidden, InvalidInput
from refdesk.notify import webhooks
from refdesk.notify.choices import (
    CLAIM_LEASE,
    PING,
    DeliveryStatus,
    EmailStatus,
    event_kinds,
    retry_delay,
)
from refdesk.notify.models import OutboundEmail, WebhookDelivery, WebhookEndpoint
from refdesk.people import permissions

logger = logging.getLogger(__name__)


def enqueue(task, *args, run_after: datetime | None = None) -> None:
    """Enqueue a task; a retry waits for `run_after` where the backend can defer, else the sweep hands it on.

    Callers enqueue after their own atomic block, so the rows a task reads are committed. Inside a
    caller's outer transaction the database backend's task row commits with it (an outbox).
    """
    if run_after is None:
        task.enqueue(*args)
    elif task.get_backend().supports_defer:
        task.using(run_after=run_after).enqueue(*args)


def _claimable(model, pk: int, now: datetime):
    """The conditional UPDATE that claims a pending row: due, and not held by a live worker."""
    lease_expired = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_LEASE)
    return model.objects.filter(lease_expired, pk=pk, status="pending", next_attempt_at__lte=now)


# --- email ---------------------------------------------------------------------------------------


def email_prepare(
    *,
    key: str,
    kind: str,
    recipient_role: str,
    to: str,
    subject: str,
    body_text: str,
    body_html: str,
    ics: str = "",
    event_id: int | None = None,
    event_kind: str = "",
    request_id: int | None = None,
) -> tuple[OutboundEmail, bool]:
    """Write the pending email once; the same key again returns the first row (and False)."""
    fields = dict(
        kind=kind, recipient_role=recipient_role, to=to, subject=subject, body_text=body_text, body_html=body_html,
        ics=ics, event_id=event_id, event_kind=event_kind, request_id=request_id,
    )  # fmt: skip
    # Written straight away (the key is unique): asking first would cost every new email a query.
    try:
        with transaction.atomic():
            return OutboundEmail.objects.create(key=key, **fields), True
    except IntegrityError:
        return OutboundEmail.objects.get(key=key), False


def email_send(*, email_id: int) -> str:
    """Send one pending email at most once: claim it, hand it to Django's mail backend, record the outcome."""
    from refdesk.notify.emails import email_message

    now = timezone.now()
    if not _claimable(OutboundEmail, email_id, now).update(
        claimed_at=now, attempts=F("attempts") + 1
    ):
        row = OutboundEmail.objects.filter(pk=email_id).values_list("status", flat=True).first()
        return row or "missing"
    email = OutboundEmail.objects.get(pk=email_id)
    message = email_message(
        to=email.to,
        subject=email.subject,
        text=email.body_text,
        html=email.body_html,
        ics=email.ics,
    )
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # SMTP down, refused, timed out: all retried the same way.
        logger.warning(
            "Email %s to %s failed (attempt %s): %s", email.pk, email.to, email.attempts, exc
        )
        return _email_failed(email, claimed_at=now, error=f"{type(exc).__name__}: {exc}")
    OutboundEmail.objects.filter(pk=email.pk, claimed_at=now).update(
        status=EmailStatus.SENT, sent_at=timezone.now(), claimed_at=None, error=""
    )
    return EmailStatus.SENT


def _email_failed(email: OutboundEmail, *, claimed_at: datetime, error: str) -> str:
    from refdesk.notify.tasks import send_outbound_email

    delay = retry_delay(email.attempts)
    rows = OutboundEmail.objects.filter(pk=email.pk, claimed_at=claimed_at)
    if delay is None:
        rows.update(status=EmailStatus.FAILED, claimed_at=None, error=error[:2000])
        return EmailStatus.FAILED
    next_at = timezone.now() + delay
    rows.update(claimed_at=None, next_attempt_at=next_at, error=error[:2000])
    enqueue(send_outbound_email, email.pk, run_after=next_at)
    return EmailStatus.PENDING


def email_retry_now(*, actor, email: OutboundEmail) -> OutboundEmail:
    """A program manager sends a failed or waiting email again, now."""
    from refdesk.notify.tasks import send_outbound_email

    if not permissions.is_program_manager(actor):
        raise Forbidden("Only a program manager can resend emails.")
    OutboundEmail.objects.filter(
        pk=email.pk, status__in=[EmailStatus.FAILED, EmailStatus.PENDING]
    ).update(status=EmailStatus.PENDING, next_attempt_at=timezone.now(), claimed_at=None)
    enqueue(send_outbound_email, email.pk)
    email.refresh_from_db()
    return email


# --- webhooks ------------------------------------------------------------------------------------


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(
            "The URL must start with http:// or https:// and name a host.",
            details={"url": "must be an http(s) URL"},
        )
    if len(url) > 500:
        raise InvalidInput(
            "The URL is too long (500 characters at most).", details={"url": "is too long"}
        )
    return url


def _clean_kinds(kinds) -> list[str]:
    kinds = sorted({k.strip() for k in (kinds or []) if k and k.strip()})
    unknown = [k for k in kinds if k not in event_kinds()]
    if unknown:
        raise InvalidInput(
            f"Unknown event kinds: {', '.join(unknown)}.",
            details={"event_kinds": f"has unknown kinds {', '.join(unknown)}"},
        )
    return kinds


def webhook_endpoint_create(
    *, actor, url: str, description: str = "", event_kinds: list[str] | None = None
) -> WebhookEndpoint:
    """A program manager adds an endpoint; it gets every event unless kinds are listed."""
    if not permissions.is_program_manager(actor):
        raise Forbidden("Only a program manager can manage webhooks.")
    return WebhookEndpoint.objects.create(
        url=_clean_url(url),
        description=(description or "").strip()[:200],
        event_kinds=_clean_kinds(event_kinds),
        secret=webhooks.new_secret(),
        created_by=actor,
    )


def webhook_endpoint_set_active(
    *, actor, endpoint: WebhookEndpoint, active: bool
) -> WebhookEndpoint:
    """Disable an endpoint (it gets nothing more, waiting deliveries included) or enable it again."""
    if not permissions.is_program_manager(actor):
        raise Forbidden("Only a program manager can manage webhooks.")
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        active=active, disabled_at=None if active else timezone.now()
    )
    endpoint.refresh_from_db()
    return endpoint


def webhook_ping(*, actor, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Send a signed test event to the endpoint, logged like any delivery."""
    from refdesk.notify.tasks import deliver_webhook

    if not permissions.is_program_manager(actor):
        raise Forbidden("Only a program manager can manage webhooks.")
    delivery = WebhookDelivery(endpoint=endpoint, event_kind=PING, payload={})
    delivery.payload = webhook_body(
        delivery,
        occurred_at=timezone.now(),
        data={"message": "Refdesk test ping", "endpoint_id": endpoint.pk},
    )
    delivery.save()
    enqueue(deliver_webhook, delivery.pk)
    return delivery


def webhook_body(delivery: WebhookDelivery, *, occurred_at: datetime, data: dict) -> dict:
    return {
        "id": str(delivery.uuid),
        "event": delivery.event_kind,
        "occurred_at": occurred_at.isoformat(),
        "data": data,
    }


def webhook_deliver(*, delivery_id: int) -> str:
    """POST one delivery, signed; on failure record it and retry with backoff (1 m … 6 h, 6 attempts)."""
    from refdesk.notify.tasks import deliver_webhook

    now = timezone.now()
    if not _claimable(WebhookDelivery, delivery_id, now).update(
        claimed_at=now, attempts=F("attempts") + 1
    ):
        return (
            WebhookDelivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()
            or "missing"
        )
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    rows = WebhookDelivery.objects.filter(pk=delivery.pk, claimed_at=now)
    endpoint = delivery.endpoint
    if not endpoint.active:
        rows.update(
            status=DeliveryStatus.FAILED, claimed_at=None, last_error="The endpoint is disabled."
        )
        return DeliveryStatus.FAILED
    body = webhooks.body_bytes(
        delivery_uuid=str(delivery.uuid),
        event=delivery.event_kind,
        occurred_at=delivery.payload.get("occurred_at", ""),
        data=delivery.payload.get("data", {}),
    )
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Refdesk-Event": delivery.event_kind,
        "X-Refdesk-Delivery": str(delivery.uuid),
        "X-Refdesk-Timestamp": timestamp,
        "X-Refdesk-Signature": webhooks.sign(endpoint.secret, timestamp, body),
    }
    result = webhooks.post(endpoint.url, body=body, headers=headers)
    if result.ok:
        rows.update(
            status=DeliveryStatus.DELIVERED,
            delivered_at=timezone.now(),
            response_code=result.status,
            last_error="",
            claimed_at=None,
        )
        return DeliveryStatus.DELIVERED
    delay = retry_delay(delivery.attempts)
    if delay is None:
        rows.update(
            status=DeliveryStatus.FAILED,
            response_code=result.status,
            last_error=result.error,
            claimed_at=None,
        )
        return DeliveryStatus.FAILED
    next_at = timezone.now() + delay
    rows.update(
        response_code=result.status,
        last_error=result.error,
        next_attempt_at=next_at,
        claimed_at=None,
    )
    enqueue(deliver_webhook, delivery.pk, run_after=next_at)
    return DeliveryStatus.PENDING


def webhook_endpoints_active() -> list[WebhookEndpoint]:
    """The endpoints events are delivered to."""
    return list(WebhookEndpoint.objects.filter(active=True).order_by("pk"))


def webhook_deliveries_create(
    *, event_id: int, kind: str, occurred_at: datetime, data: dict, endpoints: list[WebhookEndpoint] | None = None
) -> list[WebhookDelivery]:
    """One pending delivery per active endpoint that wants this kind of event (once per endpoint and event).
    `endpoints`: the active ones, when the caller has read them for several events."""
    created = []
    for endpoint in webhook_endpoints_active() if endpoints is None else endpoints:
        if (
            not endpoint.wants(kind)
            or WebhookDelivery.objects.filter(endpoint=endpoint, event_id=event_id).exists()
        ):
            continue
        delivery = WebhookDelivery(
            endpoint=endpoint, event_id=event_id, event_kind=kind, payload={}
        )
        delivery.payload = webhook_body(delivery, occurred_at=occurred_at, data=data)
        delivery.save()
        created.append(delivery)
    return created
