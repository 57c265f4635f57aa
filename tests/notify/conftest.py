"""Notify fixtures: tasks run at once, a real SMTP server and a real webhook receiver on 127.0.0.1,
and a small request on the real asks models to hang events on."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from refdesk.people.choices import Role
from tests.factories import ContactFactory, ReferenceFactory, UserFactory
from tests.notify.servers import smtp_server, webhook_receiver  # noqa: F401  (fixtures)

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Tasks run where they are enqueued. Changing TASKS sends `setting_changed`, which makes
    django-tasks drop its cached backends, so the next enqueue uses this backend."""
    settings.TASKS = IMMEDIATE


# --- a request on the real asks models --------------------------------------------------------


@pytest.fixture
def requester(db):
    """Rita from marketing asks for references."""
    return UserFactory(
        email="rita@vendor.example", first_name="Rita", last_name="Reyes", role=Role.REQUESTER
    )


@pytest.fixture
def world(program_manager, owner_rep, account, requester):
    """Rita asks for a reference call for Acme Bank; Dana at Olivia's customer Prairie Cattle Co is on it."""
    from refdesk.asks.models import ReferenceRequest, RequestCandidate

    now = timezone.now()
    contact = ContactFactory(
        account=account,
        name="Dana Diaz",
        email="dana@prairie.example",
        phone="+1 555 0199",
        time_zone="America/Chicago",
    )
    reference = ReferenceFactory(contact=contact)
    request = ReferenceRequest.objects.create(
        requester=requester,
        prospect="Acme Bank",
        activity_type="reference_call",
        amount="250000.00",
        needed_by=(now + dt.timedelta(days=10)).date(),
        submitted_at=now,
        status="in_progress",
        requester_time_zone="Europe/London",
        workflow={
            "fulfilment": "program_manager",
            "owner_approval": True,
            "sla": {"due_soon_hours": 72},
        },
        candidates_due_at=now,
        acceptance_due_at=now + dt.timedelta(hours=24),
    )
    candidate = RequestCandidate.objects.create(
        request=request, reference=reference, status="invited", invited_at=now
    )
    return SimpleNamespace(
        request=request, candidate=candidate, reference=reference, contact=contact, account=account,
        owner=owner_rep, requester=requester, pm=program_manager,
    )  # fmt: skip


@pytest.fixture
def make_event(world):
    """make_event(kind, **fields) writes a RequestEvent row (not dispatched)."""
    from refdesk.asks.models import RequestEvent

    def make(kind, *, candidate=True, at=None, **fields):
        fields.setdefault("actor_label", "Refdesk")
        return RequestEvent.objects.create(
            request=world.request, candidate=world.candidate if candidate else None, kind=kind,
            at=at or timezone.now(), **fields,
        )  # fmt: skip

    return make


@pytest.fixture
def schedule(world, make_event):
    """schedule(kind, start) books (or moves, or cancels) Dana's call and writes the event."""

    def book(kind, start, minutes=30):
        candidate = world.candidate
        end = start + dt.timedelta(minutes=minutes)
        if kind == "call.cancelled":
            candidate.status, candidate.scheduled_start, candidate.scheduled_end = (
                "accepted",
                None,
                None,
            )
            data = {"previous_start": start.isoformat()}
        else:
            candidate.status, candidate.scheduled_start, candidate.scheduled_end = (
                "scheduled",
                start,
                end,
            )
            data = {"starts_at": start.isoformat(), "ends_at": end.isoformat()}
        candidate.save(update_fields=["status", "scheduled_start", "scheduled_end"])
        return make_event(kind, data=data)

    return book
