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
    assert queued.task_path == "refdesk.notify.tasks.dispatch_request_event"

    assert main(["worker", "--once", "--no-sweep"]) == 0

    assert OutboundEmail.objects.filter(event_id=event.pk, status="sent").exists()
    assert [m.subject for m in smtp_server.messages] == ["Approve a reference call with Prairie Cattle Co for Acme Bank?"]
