"""Emails that follow request events, sent through a real SMTP server on 127.0.0.1."""

import datetime as dt
import re

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from refdesk.notify.dispatch import dispatch_event
from refdesk.notify.models import OutboundEmail
from refdesk.notify.tasks import send_event_email

pytestmark = pytest.mark.django_db


def test_it_asks_the_account_owner_to_approve_with_a_plain_subject(smtp_server, make_event):
    dispatch_event(make_event("approval.requested").pk)

    [message] = smtp_server.messages
    assert message.rcpt_tos == ["olivia@vendor.example"]
    assert message.subject == "Approve a reference call with Prairie Cattle Co for Acme Bank?"
    assert "Rita Reyes would like Dana Diaz" in message.text()
    assert "/requests/approvals/" in message.text() or "approvals" in message.text()
    assert "<strong>Acme Bank</strong>" in message.text("text/html")
    row = OutboundEmail.objects.get()
    assert (row.status, row.kind, row.to, row.attempts) == (
        "sent",
        "approval_request",
        "olivia@vendor.example",
        1,
    )
    assert row.sent_at is not None


def test_it_invites_the_reference_with_the_signed_link_and_no_deal_data(
    smtp_server, make_event, world
):
    from refdesk.asks.links import candidate_for_token

    dispatch_event(make_event("invitation.sent").pk)

    [invite] = smtp_server.to("dana@prairie.example")
    assert invite.subject == "Would you share your experience with Acme Bank?"
    link = re.search(r"https?://\S+/respond/(\S+?)/?\s", invite.text()) or re.search(
        r"(https?://\S+)", invite.text()
    )
    token = (
        [t for t in re.findall(r"https?://[^\s\"<]+", invite.text()) if "respond" in t][0]
        .rstrip("/")
        .rsplit("/", 1)[-1]
    )
    assert link and candidate_for_token(token).pk == world.candidate.pk
    for secret in ("250", "amount", "Olivia", "olivia@"):
        assert secret not in invite.text() and secret not in invite.text("text/html")
    [note] = smtp_server.to("olivia@vendor.example")
    assert "Dana Diaz at Prairie Cattle Co has been invited by email" in note.text()


@pytest.mark.parametrize(
    "kind",
    [
        "invitation.sent",
        "invitation.accepted",
        "invitation.declined",
        "call.completed",
        "call.missed",
    ],
)
def test_the_account_owner_hears_of_every_contact_with_their_customer(
    smtp_server, make_event, kind
):
    dispatch_event(make_event(kind).pk)

    [note] = smtp_server.to("olivia@vendor.example")
    assert "Prairie Cattle Co" in note.subject
    assert "Dana Diaz at Prairie Cattle Co" in note.text()


def test_the_requester_hears_of_acceptance_and_decline(smtp_server, make_event):
    dispatch_event(make_event("invitation.accepted").pk)
    dispatch_event(make_event("invitation.declined", reason="Travelling all month").pk)

    accepted, declined = smtp_server.to("rita@vendor.example")
    assert (
        accepted.subject == "Dana Diaz at Prairie Cattle Co accepted: reference call for Acme Bank"
    )
    assert (
        declined.subject == "Dana Diaz at Prairie Cattle Co declined: reference call for Acme Bank"
    )
    assert "Travelling all month" in declined.text()


def _calendar(message):
    cal = icalendar.Calendar.from_ical(message.ics)
    [event] = cal.walk("VEVENT")
    return cal, event


def test_a_scheduled_call_sends_an_ics_invite_to_the_reference_and_the_requester(
    smtp_server, schedule, world
):
    start = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)
    dispatch_event(schedule("call.scheduled", start).pk)

    [to_dana] = smtp_server.to("dana@prairie.example")
    [to_rita] = smtp_server.to("rita@vendor.example")
    [to_olivia] = smtp_server.to("olivia@vendor.example")
    assert to_olivia.ics == ""
    assert "Tuesday 1 December 2026, 09:00 CST" in to_dana.text()
    assert "Tuesday 1 December 2026, 15:00 GMT" in to_rita.text()
    for message in (to_dana, to_rita):
        cal, event = _calendar(message)
        assert str(cal["METHOD"]) == "REQUEST"
        assert event.decoded("DTSTART") == start
        assert event.decoded("DTEND") == start + dt.timedelta(minutes=30)
        assert str(event["UID"]) == f"refdesk-call-{world.candidate.pk}@127.0.0.1"
        assert int(event["SEQUENCE"]) == 0
        assert str(event["ORGANIZER"]) == "mailto:rita@vendor.example"
        assert sorted(str(a) for a in event["ATTENDEE"]) == [
            "mailto:dana@prairie.example",
            "mailto:rita@vendor.example",
        ]
        assert message.part("text/calendar").get_param("method") == "REQUEST"
        assert message.part("text/calendar").get_filename() == "invite.ics"


def test_a_reschedule_keeps_the_uid_and_bumps_the_sequence_and_a_cancel_cancels_it(
    smtp_server, schedule
):
    start = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)
    later = start + dt.timedelta(days=1)
    for kind, when in (
        ("call.scheduled", start),
        ("call.rescheduled", later),
        ("call.cancelled", later),
    ):
        dispatch_event(schedule(kind, when).pk)

    invites = [_calendar(m) for m in smtp_server.to("dana@prairie.example")]
    assert [str(cal["METHOD"]) for cal, _ in invites] == ["REQUEST", "REQUEST", "CANCEL"]
    assert [int(ev["SEQUENCE"]) for _, ev in invites] == [0, 1, 2]
    assert len({str(ev["UID"]) for _, ev in invites}) == 1
    assert invites[1][1].decoded("DTSTART") == later
    assert str(invites[2][1]["STATUS"]) == "CANCELLED"
    assert (
        smtp_server.to("dana@prairie.example")[2].subject == "Cancelled: your call with Acme Bank"
    )
    assert smtp_server.to("rita@vendor.example")[1].subject.startswith(
        "New time: reference call with Dana Diaz"
    )


def test_a_call_booked_again_after_a_cancel_gets_a_new_uid(smtp_server, schedule):
    start = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)
    for kind in ("call.scheduled", "call.cancelled", "call.scheduled"):
        dispatch_event(schedule(kind, start).pk)

    uids = [str(_calendar(m)[1]["UID"]) for m in smtp_server.to("dana@prairie.example")]
    assert uids[0] == uids[1] != uids[2]


def test_sending_twice_delivers_once(smtp_server, make_event):
    event = make_event("invitation.sent")
    dispatch_event(event.pk)
    dispatch_event(event.pk)
    send_event_email.enqueue(event.pk, "reference")
    send_event_email.enqueue(event.pk, "owner")

    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == [
        "dana@prairie.example",
        "olivia@vendor.example",
    ]
    assert OutboundEmail.objects.count() == 2


def test_one_person_in_two_roles_gets_one_message(smtp_server, make_event, world):
    world.request.requester = world.owner
    world.request.save(update_fields=["requester"])

    dispatch_event(make_event("invitation.accepted").pk)

    [message] = smtp_server.messages
    assert message.rcpt_tos == ["olivia@vendor.example"]
    assert message.subject.startswith("Dana Diaz at Prairie Cattle Co accepted")


def test_a_poorly_rated_reference_held_back_is_sent_to_program_managers_for_review(
    smtp_server, make_event, world
):
    dispatch_event(
        make_event(
            "reference.held",
            reason="Rated 1/5 by the requester",
            data={"reference_id": world.reference.pk},
        ).pk
    )

    [message] = smtp_server.messages
    assert message.rcpt_tos == ["priya@vendor.example"]
    assert message.subject == "Review Dana Diaz at Prairie Cattle Co: held back from matching"
    assert "Rated 1/5" in message.text()


def test_an_event_nobody_is_emailed_about_sends_nothing(smtp_server, make_event):
    dispatch_event(make_event("candidate.selected").pk)
    dispatch_event(make_event("request.submitted", candidate=False).pk)

    assert smtp_server.messages == []


def test_events_from_the_request_workflow_are_dispatched_when_their_transaction_commits(
    make_event, world, django_capture_on_commit_callbacks
):
    from refdesk.asks import events

    with django_capture_on_commit_callbacks(execute=True):
        events.invitation_sent(candidate=world.candidate, at=timezone.now())

    assert sorted(m.to[0] for m in mail.outbox) == ["dana@prairie.example", "olivia@vendor.example"]


def test_a_send_that_fails_is_retried_with_backoff_and_sent_once_the_server_is_back(
    smtp_server, make_event
):
    from refdesk.notify.sweep import sweep_run

    smtp_server.stop()
    before = timezone.now()
    dispatch_event(make_event("approval.requested").pk)

    row = OutboundEmail.objects.get()
    assert (row.status, row.attempts) == ("pending", 1)
    assert "Connection refused" in row.error or "Errno" in row.error
    assert (
        before + dt.timedelta(seconds=59)
        <= row.next_attempt_at
        <= timezone.now() + dt.timedelta(seconds=61)
    )

    sweep_run()  # not due yet: nothing happens
    assert OutboundEmail.objects.get().attempts == 1

    smtp_server.start()
    OutboundEmail.objects.update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )  # a minute passes
    sweep_run()
    sweep_run()

    row.refresh_from_db()
    assert (row.status, row.attempts, row.error) == ("sent", 2, "")
    assert len(smtp_server.messages) == 1


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP is down")


def test_it_gives_up_after_six_attempts(settings, make_event):
    from refdesk.notify.services import email_send

    settings.EMAIL_BACKEND = "tests.notify.test_emails.RefusingBackend"
    dispatch_event(make_event("approval.requested").pk)
    row = OutboundEmail.objects.get()
    waits = []
    for _ in range(5):
        row.refresh_from_db()
        waits.append(round((row.next_attempt_at - timezone.now()).total_seconds() / 60))
        OutboundEmail.objects.update(next_attempt_at=timezone.now())
        email_send(email_id=row.pk)

    row.refresh_from_db()
    assert waits == [1, 5, 30, 120, 360]
    assert (row.status, row.attempts) == ("failed", 6)
    assert "SMTP is down" in row.error


def test_a_worker_killed_mid_send_leaves_a_pending_row_that_the_sweep_hands_on(
    smtp_server, make_event
):
    from refdesk.notify.sweep import sweep_run

    event = make_event("approval.requested")
    smtp_server.stop()
    dispatch_event(event.pk)
    # The worker claimed the row, then died before it could record anything.
    OutboundEmail.objects.update(
        claimed_at=timezone.now() - dt.timedelta(minutes=10),
        next_attempt_at=timezone.now() - dt.timedelta(minutes=9),
    )
    smtp_server.start()

    sweep_run()

    assert OutboundEmail.objects.get().status == "sent"
    assert len(smtp_server.messages) == 1


def test_a_claimed_row_is_not_sent_again_while_its_worker_is_alive(smtp_server, make_event):
    from refdesk.notify.services import email_send

    smtp_server.stop()
    dispatch_event(make_event("approval.requested").pk)
    smtp_server.start()
    OutboundEmail.objects.update(claimed_at=timezone.now(), next_attempt_at=timezone.now())

    assert email_send(email_id=OutboundEmail.objects.get().pk) == "pending"
    assert smtp_server.messages == []


def test_history_is_recorded_but_never_announced(smtp_server, make_event):
    from refdesk.notify.models import EventDispatch

    event = make_event("invitation.sent", at=timezone.now() - dt.timedelta(days=90))
    dispatch_event(event.pk)

    assert smtp_server.messages == []
    assert EventDispatch.objects.filter(event_id=event.pk).exists()


def test_muted_events_are_recorded_but_send_nothing(
    smtp_server, make_event, webhook_receiver, program_manager
):
    from refdesk.notify.dispatch import muted
    from refdesk.notify.models import EventDispatch
    from refdesk.notify.services import webhook_endpoint_create
    from refdesk.notify.sweep import sweep_run

    webhook_endpoint_create(actor=program_manager, url=webhook_receiver.url)
    event = make_event("invitation.sent", at=timezone.now() - dt.timedelta(minutes=5))
    with muted():
        dispatch_event(event.pk)

    assert sweep_run()["redispatched"] == 0
    assert smtp_server.messages == [] and webhook_receiver.requests == []
    assert EventDispatch.objects.filter(event_id=event.pk).exists()


def test_an_event_written_quietly_is_never_announced_by_the_sweep(smtp_server, make_event):
    from refdesk.notify.dispatch import event_mark_quiet
    from refdesk.notify.sweep import sweep_run

    event_mark_quiet(make_event("invitation.sent", at=timezone.now() - dt.timedelta(minutes=5)))

    assert sweep_run()["redispatched"] == 0
    assert smtp_server.messages == []
