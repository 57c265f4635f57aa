"""A request followed from submission to a cancelled call through the real request services:
every email that arrives over SMTP and every webhook the receiver gets."""

import datetime as dt

import icalendar
import pytest
from django.utils import timezone

from refdesk.asks import services
from refdesk.notify import services as notify_services
from refdesk.pool.models import NaicsIndustry
from tests.factories import AccountFactory, ContactFactory, ReferenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranch(owner_rep):
    """Ada at Olivia's customer Prairie Cattle Co, the one reference who fits a cattle ranch."""
    from refdesk.matching.engine import engine

    engine.reset()
    account = AccountFactory(
        name="Prairie Cattle Co", owner=owner_rep, industry=NaicsIndustry.objects.get(pk="112111")
    )
    contact = ContactFactory(
        account=account,
        name="Ada Lovelace",
        email="ada@prairie.example",
        time_zone="America/Denver",
    )
    yield ReferenceFactory(contact=contact)
    engine.reset()


def test_every_step_reaches_the_right_people(
    smtp_server,
    webhook_receiver,
    ranch,
    requester,
    program_manager,
    owner_rep,
    django_capture_on_commit_callbacks,
):
    notify_services.webhook_endpoint_create(actor=program_manager, url=webhook_receiver.url)

    def step(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    request = step(
        services.request_submit,
        actor=requester,
        prospect="Big Sky Ranch",
        industry="cattle ranch",
        country="US",
        employees=300,
    )
    candidate = request.candidates.get()
    step(
        services.candidate_select, actor=program_manager, request=request, candidate_id=candidate.pk
    )
    step(services.approval_grant, actor=owner_rep, request=request, candidate_id=candidate.pk)
    candidate.refresh_from_db()
    step(services.invitation_accept, candidate=candidate)
    start = (timezone.now() + dt.timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    step(
        services.call_schedule,
        actor=requester,
        request=request,
        candidate_id=candidate.pk,
        starts_at=start,
    )
    step(
        services.call_schedule,
        actor=requester,
        request=request,
        candidate_id=candidate.pk,
        starts_at=start + dt.timedelta(hours=3),
    )
    step(
        services.call_cancel,
        actor=requester,
        request=request,
        candidate_id=candidate.pk,
        reason="The prospect postponed",
    )

    def subjects(address):
        return [m.subject for m in smtp_server.to(address)]

    assert (
        subjects("olivia@vendor.example")[0]
        == "Approve a reference call with Prairie Cattle Co for Big Sky Ranch?"
    )
    assert subjects("olivia@vendor.example")[1:3] == [
        "Ada Lovelace at Prairie Cattle Co invited to a reference call",
        "Ada Lovelace at Prairie Cattle Co accepted: reference call for Big Sky Ranch",
    ]
    assert (
        subjects("olivia@vendor.example")[-1]
        == "Cancelled: reference call with Ada Lovelace at Prairie Cattle Co"
    )
    assert (
        len(subjects("olivia@vendor.example")) == 6
    )  # approval, invited, accepted, booked, moved, cancelled
    ada = smtp_server.to("ada@prairie.example")
    assert ada[0].subject == "Would you share your experience with Big Sky Ranch?"
    assert [str(icalendar.Calendar.from_ical(m.ics)["METHOD"]) for m in ada[1:]] == [
        "REQUEST",
        "REQUEST",
        "CANCEL",
    ]
    events = [icalendar.Calendar.from_ical(m.ics).walk("VEVENT")[0] for m in ada[1:]]
    assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 2]
    assert len({str(e["UID"]) for e in events}) == 1
    assert events[0].decoded("DTSTART") == start
    assert events[1].decoded("DTSTART") == start + dt.timedelta(hours=3)
    rita = subjects("rita@vendor.example")
    assert rita[0] == "Candidates ready: reference call for Big Sky Ranch"
    assert "Approved: Ada Lovelace at Prairie Cattle Co for Big Sky Ranch" in rita
    assert "Ada Lovelace at Prairie Cattle Co accepted: reference call for Big Sky Ranch" in rita
    assert sum(1 for m in smtp_server.to("rita@vendor.example") if m.ics) == 3

    kinds = [r.json["event"] for r in webhook_receiver.requests]
    assert kinds[:6] == [
        "request.submitted", "request.candidates_proposed", "candidate.selected",
        "approval.requested", "approval.granted", "invitation.sent",
    ]  # fmt: skip
    assert {
        "invitation.accepted",
        "request.fulfilled",
        "call.scheduled",
        "call.rescheduled",
        "call.cancelled",
    } <= set(kinds)
