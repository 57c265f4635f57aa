"""Outbound webhooks: signed JSON to a real receiver on 127.0.0.1, retries with backoff, a delivery log."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from refdesk.core.errors import Forbidden, InvalidInput
from refdesk.notify import services
from refdesk.notify.dispatch import dispatch_event
from refdesk.notify.models import WebhookDelivery
from refdesk.notify.sweep import sweep_run
from refdesk.notify.webhooks import sign, verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(program_manager, webhook_receiver):
    return services.webhook_endpoint_create(
        actor=program_manager, url=webhook_receiver.url, description="CRM"
    )


def test_it_posts_a_signed_event_that_the_receiver_can_verify(
    endpoint, webhook_receiver, make_event, world
):
    event = make_event("invitation.accepted")
    dispatch_event(event.pk)

    [received] = webhook_receiver.requests
    headers = received.headers
    assert received.path == "/hooks/refdesk"
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Refdesk-Event"] == "invitation.accepted"
    delivery = WebhookDelivery.objects.get()
    assert headers["X-Refdesk-Delivery"] == str(delivery.uuid)
    timestamp = headers["X-Refdesk-Timestamp"]
    assert abs(int(timestamp) - timezone.now().timestamp()) < 10
    assert headers["X-Refdesk-Signature"] == sign(endpoint.secret, timestamp, received.body)
    assert verify(endpoint.secret, timestamp, received.body, headers["X-Refdesk-Signature"])
    assert not verify("whsec_wrong", timestamp, received.body, headers["X-Refdesk-Signature"])
    assert not verify(
        endpoint.secret, timestamp, received.body + b" ", headers["X-Refdesk-Signature"]
    )

    body = received.json
    assert set(body) == {"id", "event", "occurred_at", "data"}
    assert (body["id"], body["event"]) == (str(delivery.uuid), "invitation.accepted")
    assert body["data"]["request"]["id"] == world.request.pk
    assert body["data"]["request"]["prospect"] == "Acme Bank"
    assert body["data"]["candidate"]["account"]["name"] == "Prairie Cattle Co"
    assert body["data"]["candidate"]["contact"]["name"] == "Dana Diaz"
    raw = received.body.decode()
    assert (
        "dana@prairie.example" not in raw
        and "+1 555 0199" not in raw
        and "@" not in json.dumps(body["data"]["candidate"])
    )
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 1, 200)


def test_a_receiver_that_fails_gets_the_delivery_again_after_a_backoff(
    endpoint, webhook_receiver, make_event
):
    webhook_receiver.statuses = [500]
    before = timezone.now()
    dispatch_event(make_event("call.completed").pk)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, 500)
    assert "HTTP 500" in delivery.last_error
    assert (
        before + dt.timedelta(seconds=59)
        <= delivery.next_attempt_at
        <= timezone.now() + dt.timedelta(seconds=61)
    )

    sweep_run()  # too early: nothing is sent
    assert len(webhook_receiver.requests) == 1

    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    sweep_run()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 2, 200)
    first, second = webhook_receiver.requests
    assert first.headers["X-Refdesk-Delivery"] == second.headers["X-Refdesk-Delivery"]
    assert first.body == second.body


def test_it_gives_up_after_six_attempts_with_growing_waits(endpoint, webhook_receiver, make_event):
    webhook_receiver.statuses = [503] * 6
    dispatch_event(make_event("call.completed").pk)
    waits = []
    for _ in range(5):
        delivery = WebhookDelivery.objects.get()
        waits.append(round((delivery.next_attempt_at - timezone.now()).total_seconds() / 60))
        WebhookDelivery.objects.update(next_attempt_at=timezone.now())
        services.webhook_deliver(delivery_id=delivery.pk)

    delivery = WebhookDelivery.objects.get()
    assert waits == [1, 5, 30, 120, 360]
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 6, 503)
    assert len(webhook_receiver.requests) == 6


def test_an_unreachable_receiver_is_recorded_and_retried(program_manager, make_event):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    services.webhook_endpoint_create(actor=program_manager, url=f"http://127.0.0.1:{port}/nobody")

    dispatch_event(make_event("call.completed").pk)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, None)
    assert "refused" in delivery.last_error.lower()


def test_a_disabled_endpoint_gets_nothing(endpoint, webhook_receiver, make_event, program_manager):
    webhook_receiver.statuses = [500]
    dispatch_event(make_event("invitation.sent").pk)  # fails once, waits for a retry
    services.webhook_endpoint_set_active(actor=program_manager, endpoint=endpoint, active=False)

    dispatch_event(make_event("call.completed").pk)
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - dt.timedelta(minutes=5))
    sweep_run()

    assert len(webhook_receiver.requests) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_error) == ("failed", "The endpoint is disabled.")


def test_an_endpoint_gets_only_the_events_it_subscribed_to(
    program_manager, webhook_receiver, make_event
):
    services.webhook_endpoint_create(
        actor=program_manager, url=webhook_receiver.url, event_kinds=["call.completed"]
    )

    dispatch_event(make_event("invitation.sent").pk)
    dispatch_event(make_event("call.completed").pk)

    assert [r.json["event"] for r in webhook_receiver.requests] == ["call.completed"]


def test_each_event_is_delivered_once_per_endpoint(endpoint, webhook_receiver, make_event):
    from refdesk.notify.tasks import deliver_webhook

    event = make_event("call.completed")
    dispatch_event(event.pk)
    dispatch_event(event.pk)
    deliver_webhook.enqueue(WebhookDelivery.objects.get().pk)

    assert len(webhook_receiver.requests) == 1


def test_a_test_ping_is_signed_and_logged(endpoint, webhook_receiver, program_manager):
    delivery = services.webhook_ping(actor=program_manager, endpoint=endpoint)

    [received] = webhook_receiver.requests
    assert received.json["event"] == "ping"
    assert verify(
        endpoint.secret,
        received.headers["X-Refdesk-Timestamp"],
        received.body,
        received.headers["X-Refdesk-Signature"],
    )
    delivery.refresh_from_db()
    assert delivery.status == "delivered"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "example.com/hook",
        "http://",
    ],
)
def test_it_refuses_endpoint_urls_that_are_not_http(program_manager, url):
    with pytest.raises(InvalidInput):
        services.webhook_endpoint_create(actor=program_manager, url=url)


def test_it_refuses_unknown_event_kinds(program_manager):
    with pytest.raises(InvalidInput) as exc:
        services.webhook_endpoint_create(
            actor=program_manager, url="https://crm.example/hook", event_kinds=["call.exploded"]
        )
    assert "call.exploded" in exc.value.message


def test_only_a_program_manager_manages_webhooks(owner_rep):
    with pytest.raises(Forbidden):
        services.webhook_endpoint_create(actor=owner_rep, url="https://crm.example/hook")


def test_with_the_database_backend_a_failed_delivery_is_queued_again_for_later(
    settings, endpoint, webhook_receiver, make_event
):
    from django_tasks_db.models import DBTaskResult

    from tests.notify.conftest import DATABASE

    settings.TASKS = DATABASE
    webhook_receiver.statuses = [500]
    dispatch_event(make_event("call.completed").pk)
    hooks = DBTaskResult.objects.filter(task_path="refdesk.notify.tasks.deliver_webhook")
    [queued] = hooks
    assert webhook_receiver.requests == []  # queued, not run: the worker runs it

    services.webhook_deliver(delivery_id=WebhookDelivery.objects.get().pk)

    delivery = WebhookDelivery.objects.get()
    retry = hooks.exclude(pk=queued.pk).get()
    assert retry.args_kwargs == {"args": [delivery.pk], "kwargs": {}}
    assert retry.run_after == delivery.next_attempt_at
    assert not DBTaskResult.objects.ready().filter(pk=retry.pk).exists()
