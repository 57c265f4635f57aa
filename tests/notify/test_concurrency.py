"""Workers on the same email or delivery at once: one sends, the others stand aside. PostgreSQL only."""

import threading

import pytest
from django.db import connection

from refdesk.notify import services
from refdesk.notify.models import OutboundEmail, WebhookDelivery

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    # The SQLite test database lives in shared-cache memory, where writers fail with "table is
    # locked" instead of waiting; on a file with WAL they queue, as in production.
    if connection.vendor != "postgresql":
        pytest.skip("Concurrency tests need PostgreSQL (scripts/with_postgres.py).")


def _race(fn, n=4):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(fn())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results


def test_four_workers_on_one_email_send_it_once(smtp_server):
    email, _ = services.email_prepare(
        key="test:race", kind="sla_escalation", recipient_role="program_manager", to="priya@vendor.example",
        subject="Overdue", body_text="Hello", body_html="<p>Hello</p>",
    )  # fmt: skip

    _race(lambda: services.email_send(email_id=email.pk))

    assert len(smtp_server.messages) == 1
    assert OutboundEmail.objects.get().attempts == 1


def test_four_workers_on_one_delivery_post_it_once(program_manager, webhook_receiver):
    endpoint = services.webhook_endpoint_create(actor=program_manager, url=webhook_receiver.url)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_kind="ping", payload={"data": {}}
    )

    _race(lambda: services.webhook_deliver(delivery_id=delivery.pk))

    assert len(webhook_receiver.requests) == 1
    assert WebhookDelivery.objects.get().attempts == 1
