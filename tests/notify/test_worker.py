"""`refdesk worker`: the database queue drained by the worker, with the sweep scheduled by it."""

import datetime as dt

import pytest
from django.utils import timezone

from refdesk.cli import main
from refdesk.notify.dispatch import dispatch_event
from refdesk.notify.models import OutboundEmail, ReminderSent
from tests.notify.conftest import DATABASE

# The worker checks its database connection between tasks, as in production, which a test
# transaction would not survive on PostgreSQL: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_worker_sends_what_was_queued_and_runs_the_sweep(
    settings, smtp_server, make_event, world, capsys
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE
    world.candidate.invited_at = timezone.now() - dt.timedelta(hours=30)
    world.candidate.save()
    dispatch_event(make_event("approval.requested").pk)
    assert smtp_server.messages == [] and DBTaskResult.objects.count() == 1

    assert main(["worker", "--once"]) == 0

    assert sorted(m.subject for m in smtp_server.messages) == [
        "A gentle reminder: a short call with Acme Bank?",
        "Approve a reference call with Prairie Cattle Co for Acme Bank?",
        "Reminder sent to Dana Diaz at Prairie Cattle Co",
    ]
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert ReminderSent.objects.count() == 1
    assert "queue drained" in capsys.readouterr().out

    main(["worker", "--once"])
    assert len(smtp_server.messages) == 3


def test_the_worker_leaves_a_retry_for_later(settings, smtp_server, make_event):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE
    smtp_server.stop()
    dispatch_event(make_event("approval.requested").pk)

    main(["worker", "--once", "--no-sweep"])

    row = OutboundEmail.objects.get()
    assert (row.status, row.attempts) == ("pending", 1)
    waiting = DBTaskResult.objects.filter(status="READY").get()
    assert waiting.task_path == "refdesk.notify.tasks.send_outbound_email"
    assert waiting.run_after == row.next_attempt_at


def test_refdesk_sweep_runs_the_sweep_once(capsys):
    assert main(["sweep"]) == 0
    assert "reminders: 0" in capsys.readouterr().out


def test_a_request_event_is_dispatched_by_the_worker_not_by_the_request(settings, smtp_server, world, owner_rep):
    from django_tasks_db.models import DBTaskResult

    from refdesk.asks import events

    settings.TASKS = DATABASE
    event = events.approval_requested(candidate=world.candidate, owner=owner_rep, at=timezone.now())

    assert OutboundEmail.objects.count() == 0 and smtp_server.messages == []
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "refdesk.notify.tasks.dispatch_request_events"

    assert main(["worker", "--once", "--no-sweep"]) == 0

    assert OutboundEmail.objects.filter(event_id=event.pk, status="sent").exists()
    assert [m.subject for m in smtp_server.messages] == ["Approve a reference call with Prairie Cattle Co for Acme Bank?"]


def test_one_task_dispatches_all_the_events_a_transaction_committed(settings, smtp_server, world, owner_rep, requester):
    """Two events in one transaction: one task, both dispatched, the emails sent by it (no task per recipient);
    an event whose savepoint rolled back is skipped without an error."""
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from refdesk.asks import events
    from refdesk.asks.models import RequestEvent
    from refdesk.notify.models import EventDispatch

    settings.TASKS = DATABASE
    now = timezone.now()
    with transaction.atomic():
        first = events.approval_requested(candidate=world.candidate, owner=owner_rep, at=now)
        try:
            with transaction.atomic():
                lost = events.request_withdrawn(request=world.request, actor=requester, from_status="in_progress",
                                                reason="changed my mind", at=now)  # fmt: skip
                raise RuntimeError("roll the savepoint back")
        except RuntimeError:
            pass
        second = events.request_candidates_proposed(request=world.request, actor=None, label="matcher",
                                                    from_status="in_progress", count=1, at=now)  # fmt: skip
        assert DBTaskResult.objects.count() == 0  # nothing is enqueued before the commit

    queued = DBTaskResult.objects.get()
    assert queued.task_path == "refdesk.notify.tasks.dispatch_request_events"
    # The rolled-back event's id rides along (SQLite even gives it again to the next event).
    assert queued.args_kwargs["args"] == [list(dict.fromkeys([first.pk, lost.pk, second.pk]))]
    assert not RequestEvent.objects.filter(kind="request.withdrawn").exists()

    assert main(["worker", "--once", "--no-sweep"]) == 0

    assert set(EventDispatch.objects.values_list("event_id", flat=True)) == {first.pk, second.pk}
    assert sorted(m.subject for m in smtp_server.messages) == [
        "Approve a reference call with Prairie Cattle Co for Acme Bank?",
        "Candidates ready: reference call for Acme Bank",
    ]
    assert list(DBTaskResult.objects.values_list("task_path", "status")) == [
        ("refdesk.notify.tasks.dispatch_request_events", "SUCCESSFUL")
    ]
    # Run again (a retried task): nothing is sent twice.
    from refdesk.notify.dispatch import dispatch_events

    dispatch_events([first.pk, second.pk])
    assert len(smtp_server.messages) == 2
