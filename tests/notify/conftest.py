"""Notify fixtures: tasks run at once, a real SMTP server and a real webhook receiver on 127.0.0.1,
and a small request on the real asks models to hang events on."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from django.utils import timezone

from refdesk.people.choices import Role
from tests.factories import ContactFactory, ReferenceFactory, UserFactory

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Tasks run where they are enqueued. Changing TASKS sends `setting_changed`, which makes
    django-tasks drop its cached backends, so the next enqueue uses this backend."""
    settings.TASKS = IMMEDIATE


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- SMTP -------------------------------------------------------------------------------------


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, content_type: str):
        for part in self.message.walk():
            if part.get_content_type() == content_type:
                return part
        return None

    def text(self, content_type: str = "text/plain") -> str:
        part = self.part(content_type)
        return part.get_content() if part is not None else ""

    @property
    def ics(self) -> str:
        return self.text("text/calendar")


class _Collector:
    def __init__(self):
        self.messages: list[ReceivedMail] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        self.messages.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    """A real SMTP server on 127.0.0.1; `.messages` is what arrived."""

    port: int
    handler: _Collector
    controller: object = None

    @property
    def messages(self) -> list[ReceivedMail]:
        return self.handler.messages

    def to(self, address: str) -> list[ReceivedMail]:
        return [m for m in self.messages if address in m.rcpt_tos]

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()


@pytest.fixture
def smtp_server(settings):
    """Sends go through Django's SMTP backend to an aiosmtpd server on a free loopback port."""
    server = SmtpServer(port=_free_port(), handler=_Collector())
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


# --- webhook receiver -------------------------------------------------------------------------


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 that records each POST and answers with `statuses` in turn (then 200)."""

    url: str = ""
    requests: list[SimpleNamespace] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)


@pytest.fixture
def webhook_receiver():
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.requests.append(
                SimpleNamespace(
                    path=self.path, headers=dict(self.headers), body=body, json=json.loads(body)
                )
            )
            status = receiver.statuses.pop(0) if receiver.statuses else 200
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"nope")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/refdesk"
    yield receiver
    server.shutdown()
    server.server_close()


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
