"""The periodic sweep: reminders and escalations once per due item and threshold, expiry, recovery."""

import datetime as dt

import pytest
from django.db import IntegrityError
from django.utils import timezone

from refdesk.notify.models import OutboundEmail, ReminderSent
from refdesk.notify.sweep import sweep_run

pytestmark = pytest.mark.django_db


def _refresh(request):
    from refdesk.asks.services import request_refresh_sla

    request_refresh_sla(request=request)


def _subjects(smtp_server, address):
    return [m.subject for m in smtp_server.to(address)]


def test_an_overdue_approval_reminds_the_owner_once_then_escalates_to_the_program_manager(
    smtp_server, world
):
    now = timezone.now()
    world.candidate.status = "awaiting_approval"
    world.candidate.approval_due_at = now - dt.timedelta(hours=1)
    world.candidate.save()
    _refresh(world.request)

    sweep_run(now=now)
    sweep_run(now=now + dt.timedelta(minutes=5))

    assert _subjects(smtp_server, "olivia@vendor.example") == [
        "Reminder: approve a reference call with Prairie Cattle Co for Acme Bank?"
    ]
    assert smtp_server.to("priya@vendor.example") == []

    sweep_run(now=now + dt.timedelta(hours=24))
    sweep_run(now=now + dt.timedelta(hours=25))

    [escalation] = [m for m in smtp_server.to("priya@vendor.example") if "Olivia" in m.text()]
    assert (
        escalation.subject
        == "Overdue: reference call request for Acme Bank (Dana Diaz, Prairie Cattle Co)"
    )
    assert "has not answered an approval due" in escalation.text()
    assert len(smtp_server.to("olivia@vendor.example")) == 1


def test_a_reference_who_has_not_answered_in_24_hours_gets_one_gentle_reminder(smtp_server, world):
    from refdesk.asks.links import candidate_for_token

    now = timezone.now()
    world.candidate.invited_at = now - dt.timedelta(hours=23)
    world.candidate.save()

    sweep_run(now=now)
    assert smtp_server.to("dana@prairie.example") == []

    sweep_run(now=now + dt.timedelta(hours=2))
    sweep_run(now=now + dt.timedelta(hours=3))

    [reminder] = smtp_server.to("dana@prairie.example")
    assert reminder.subject == "A gentle reminder: a short call with Acme Bank?"
    assert "We will not remind you again" in reminder.text()
    link = next(w for w in reminder.text().split() if "/respond/" in w)
    assert candidate_for_token(link.rstrip("/").rsplit("/", 1)[-1]).pk == world.candidate.pk
    [note] = smtp_server.to("olivia@vendor.example")
    assert note.subject == "Reminder sent to Dana Diaz at Prairie Cattle Co"


def test_a_reference_silent_for_48_hours_is_escalated_to_the_program_manager(smtp_server, world):
    now = timezone.now()
    world.candidate.invited_at = now - dt.timedelta(hours=49)
    world.candidate.save()

    sweep_run(now=now)
    sweep_run(now=now)

    escalations = [
        m
        for m in smtp_server.to("priya@vendor.example")
        if "has not answered an invitation" in m.text()
    ]
    assert len(escalations) == 1
    assert len(smtp_server.to("dana@prairie.example")) == 1


def test_a_request_without_candidates_past_its_target_is_escalated(smtp_server, world):
    now = timezone.now()
    world.candidate.delete()
    world.request.status = "submitted"
    world.request.candidates_due_at = now - dt.timedelta(minutes=30)
    world.request.save()
    _refresh(world.request)

    sweep_run(now=now)
    sweep_run(now=now)

    [escalation] = smtp_server.to("priya@vendor.example")
    assert "No candidates were proposed by" in escalation.text()
    assert escalation.subject == "Overdue: reference call request for Acme Bank"


def test_a_request_needed_within_72_hours_and_not_fulfilled_is_flagged_once(smtp_server, world):
    now = timezone.now()
    world.candidate.invited_at = now
    world.candidate.save()
    world.request.needed_by = (now + dt.timedelta(days=2)).date()
    world.request.save()
    _refresh(world.request)

    sweep_run(now=now)
    sweep_run(now=now + dt.timedelta(hours=1))

    flagged = [
        m for m in smtp_server.to("priya@vendor.example") if "is not fulfilled yet" in m.text()
    ]
    assert len(flagged) == 1
    assert (
        ReminderSent.objects.filter(
            kind="needed_by_soon.escalation", subject_id=world.request.pk
        ).count()
        == 1
    )


def test_the_sweep_expires_requests_past_their_needed_by_date_and_tells_the_requester(
    smtp_server, world, django_capture_on_commit_callbacks
):
    now = timezone.now()
    world.request.needed_by = (now - dt.timedelta(days=1)).date()
    world.request.save()

    with django_capture_on_commit_callbacks(execute=True):
        summary = sweep_run(now=now)

    world.request.refresh_from_db()
    assert summary["expired"] == 1
    assert world.request.status == "expired"
    assert "Expired: reference call request for Acme Bank" in _subjects(
        smtp_server, "rita@vendor.example"
    )


def test_an_event_whose_dispatch_never_ran_is_dispatched_by_the_sweep(smtp_server, make_event):
    now = timezone.now()
    make_event("approval.requested", at=now - dt.timedelta(minutes=5))

    assert sweep_run(now=now)["redispatched"] == 1
    assert sweep_run(now=now)["redispatched"] == 0
    assert _subjects(smtp_server, "olivia@vendor.example") == [
        "Approve a reference call with Prairie Cattle Co for Acme Bank?"
    ]


def test_old_history_is_not_redispatched(smtp_server, make_event):
    make_event("approval.requested", at=timezone.now() - dt.timedelta(days=30))

    assert sweep_run()["redispatched"] == 0
    assert smtp_server.messages == []


def test_a_reminder_is_recorded_once_per_item_and_threshold():
    ReminderSent.objects.create(kind="approval_overdue", subject_id=7, threshold="due")
    ReminderSent.objects.create(kind="approval_overdue", subject_id=7, threshold="24h")

    with pytest.raises(IntegrityError):
        ReminderSent.objects.create(kind="approval_overdue", subject_id=7, threshold="due")


def test_the_sweep_twice_sends_nothing_twice(smtp_server, world):
    now = timezone.now()
    world.candidate.invited_at = now - dt.timedelta(hours=60)
    world.candidate.save()
    world.request.needed_by = (now + dt.timedelta(days=1)).date()
    world.request.save()
    _refresh(world.request)

    sweep_run(now=now)
    count = len(smtp_server.messages)
    sweep_run(now=now)
    sweep_run(now=now)

    assert count >= 4
    assert len(smtp_server.messages) == count == OutboundEmail.objects.filter(status="sent").count()
