"""A worker killed mid-send loses no email or reminder, and a new worker sends none twice.

The real `refdesk worker` runs as a child process on a file-based SQLite database (and on a fresh
PostgreSQL database when DATABASE_URL names one), sending to a real SMTP server on loopback that
holds the first message at RCPT, so the worker is surely in the middle of a send when it gets
SIGKILL. A second worker must then deliver everything, each message exactly once: the outbox row
of the interrupted send is still claimed by the dead worker, and the sweep hands it on once the
claim's lease (REFDESK_CLAIM_LEASE_SECONDS, shortened here) has run out.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import threading
import time
from collections import Counter

import pytest

from tests.notify.servers import ReceivedMail, _free_port
from tests.ops import live

EMAILS = 12
LEASE_SECONDS = 5


class SlowFirstRecipient:
    """Holds the first RCPT for a long time (and says so); records every message that arrives."""

    def __init__(self):
        self.messages: list[ReceivedMail] = []
        self.holding = threading.Event()
        self.held = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not self.held:
            self.held = True
            self.holding.set()
            await asyncio.sleep(60)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import email
        import email.policy

        message = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        self.messages.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@pytest.fixture
def slow_smtp():
    from aiosmtpd.controller import Controller

    handler = SlowFirstRecipient()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield handler, controller.port
    with contextlib.suppress(Exception):
        controller.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_url")
        return
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip(
            "PostgreSQL run only when DATABASE_URL names PostgreSQL (scripts/with_postgres.py)"
        )
    with live.scratch_postgres_database(url) as scratch:
        yield scratch


def _worker(env, log):
    return subprocess.Popen(
        [str(live.BIN / "refdesk"), "worker", "--sweep-minutes", "0.05", "--interval", "0.2"],
        env=env, cwd=live.ROOT, stdout=log, stderr=log, start_new_session=True,
    )  # fmt: skip


def test_a_worker_killed_mid_send_loses_no_email_and_sends_none_twice(
    database_url, slow_smtp, tmp_path
):
    handler, port = slow_smtp
    env = live.app_env(
        database_url, tmp_path,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port), EMAIL_TIMEOUT="120", REFDESK_CLAIM_LEASE_SECONDS=str(LEASE_SECONDS),
    )  # fmt: skip
    assert live.kit(env, "emails", str(EMAILS))["emails"] == EMAILS
    log = open(tmp_path / "worker.log", "ab")  # noqa: SIM115

    first = _worker(env, log)
    try:
        assert handler.holding.wait(60), "the first worker never started sending"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        live.stop_process(first, signal.SIGKILL)
    sent_before_restart = len(handler.messages)

    second = _worker(env, log)
    try:
        deadline = time.monotonic() + 45
        while True:
            report = live.kit(env, "emails-report")
            pending = [e for e in report["emails"] if e["status"] != "sent"]
            # Every email the outbox holds (ours, the reminder and the owner's note) is sent.
            if not pending and len(report["emails"]) >= EMAILS + 2:
                break
            assert time.monotonic() < deadline, (
                f"still unsent after 45 s: {pending}\n{(tmp_path / 'worker.log').read_text()}"
            )
            time.sleep(1)
        time.sleep(LEASE_SECONDS + 4)  # a sweep or two more: nothing may be sent again
    finally:
        live.stop_process(second)
        log.close()

    report = live.kit(env, "emails-report")
    arrived = Counter((m.rcpt_tos[0], m.subject) for m in handler.messages)
    expected = Counter((e["to"], e["subject"]) for e in report["emails"])
    assert arrived == expected, f"duplicates or losses: {arrived - expected} / {expected - arrived}"
    assert all(count == 1 for count in arrived.values())
    assert any(to == "dana@prairie.example" for to, _ in arrived), "the SLA reminder was lost"
    # The interrupted send was claimed twice (once by the dead worker), the others once.
    assert sorted(e["attempts"] for e in report["emails"]) == [1] * (len(report["emails"]) - 1) + [
        2
    ]
    assert sent_before_restart < len(handler.messages)
