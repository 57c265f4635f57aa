"""Background tasks: thin, idempotent, and they take ids. Retries are scheduled by the services."""

from django_tasks import task

from refdesk.notify import services
from refdesk.notify.models import EventDispatch, OutboundEmail


@task()
def dispatch_request_event(event_id: int) -> None:
    """Write the emails and webhook deliveries one request event calls for, once, and enqueue their sending."""
    from refdesk.notify.dispatch import dispatch_event

    dispatch_event(event_id)


@task()
def dispatch_request_events(event_ids: list[int]) -> None:
    """Write and send what the request events one transaction committed call for, once.
    (`dispatch_request_event` is kept for tasks queued before this one existed.)"""
    from refdesk.notify.dispatch import dispatch_events

    dispatch_events(event_ids)


@task()
def send_event_email(event_id: int, recipient_role: str) -> list[str]:
    """Send the pending emails one event owes to one kind of recipient (dispatching the event first if needed)."""
    from refdesk.notify.dispatch import event_dispatch

    if not EventDispatch.objects.filter(event_id=event_id).exists():
        event_dispatch(event_id=event_id)
    ids = OutboundEmail.objects.filter(
        event_id=event_id, recipient_role=recipient_role, status="pending"
    ).values_list("pk", flat=True)
    return [services.email_send(email_id=pk) for pk in ids]


@task()
def send_outbound_email(email_id: int) -> str:
    """Send (or retry) one logged email; does nothing if it was sent already."""
    return services.email_send(email_id=email_id)


@task()
def deliver_webhook(delivery_id: int) -> str:
    """POST one webhook delivery; does nothing if it was delivered already."""
    return services.webhook_deliver(delivery_id=delivery_id)


@task()
def sla_sweep() -> dict:
    """The periodic sweep: SLA reminders and escalations, expiries, and work a dead worker left behind."""
    from refdesk.notify.sweep import sweep_run

    return sweep_run()
