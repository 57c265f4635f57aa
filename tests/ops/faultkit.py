"""Data for fault tests, written and read in a child process on the database its environment
names (DATABASE_URL), never the test's own: `python -m tests.ops.faultkit COMMAND [ARGS]`.
Each command prints one line of JSON.

    people                  migrate; a program manager and a requester with passwords, an API token
    emails N                a request whose reference has not answered for 30 hours (the sweep
                            owes a reminder and the owner a note) and N emails queued for the worker
    emails-report           every logged email: to, subject, status, attempts; and the task rows
    pool N                  people, and N active references who agreed to reference calls
    counts                  how many requests and activities are stored
"""

from __future__ import annotations

import datetime as dt
import json
import sys

import django

PM_EMAIL = "priya@vendor.example"
REQUESTER_EMAIL = "rita@vendor.example"
REP_EMAIL = "olivia@vendor.example"


def people() -> dict:
    from refdesk.cli import ensure_migrated
    from refdesk.people.models import User
    from refdesk.people.services import api_token_create
    from tests.ops.live import PASSWORD

    ensure_migrated()
    tokens = {}
    for email, role in (
        (PM_EMAIL, "program_manager"),
        (REQUESTER_EMAIL, "requester"),
        (REP_EMAIL, "sales_rep"),
    ):
        user = User.objects.filter(email=email).first() or User(email=email, role=role)
        user.set_password(PASSWORD)
        user.save()
        tokens[role] = api_token_create(user=user, name="fault test")[1]
    return {"tokens": tokens}


def emails(n: int) -> dict:
    from django.utils import timezone

    from refdesk.asks.models import ReferenceRequest, RequestCandidate
    from refdesk.notify.models import OutboundEmail
    from refdesk.notify.services import email_prepare, enqueue
    from refdesk.notify.tasks import send_outbound_email
    from refdesk.people.models import User
    from tests.factories import AccountFactory, ContactFactory, ReferenceFactory

    people()
    now = timezone.now()
    owner = User.objects.get(email=REP_EMAIL)
    account = AccountFactory(name="Prairie Cattle Co", owner=owner)
    contact = ContactFactory(account=account, name="Dana Diaz", email="dana@prairie.example")
    request = ReferenceRequest.objects.create(
        requester=User.objects.get(email=REQUESTER_EMAIL), prospect="Acme Bank", activity_type="reference_call",
        needed_by=(now + dt.timedelta(days=10)).date(), submitted_at=now - dt.timedelta(hours=31),
        status="in_progress", requester_time_zone="Europe/London",
        workflow={"fulfilment": "program_manager", "owner_approval": True, "sla": {"due_soon_hours": 72}},
        candidates_due_at=now, acceptance_due_at=now + dt.timedelta(hours=24),
    )  # fmt: skip
    # Invited 30 hours ago and silent: the sweep owes Dana a reminder and Olivia a note.
    RequestCandidate.objects.create(
        request=request, reference=ReferenceFactory(contact=contact), status="invited",
        invited_at=now - dt.timedelta(hours=30),
    )  # fmt: skip
    for i in range(n):
        email, _ = email_prepare(
            key=f"fault:{i}", kind="sla_escalation", recipient_role="program_manager",
            to=f"person{i}@fault.example", subject=f"Fault test {i}", body_text=f"Message {i}",
            body_html=f"<p>Message {i}</p>",
        )  # fmt: skip
        enqueue(send_outbound_email, email.pk)
    return {"emails": OutboundEmail.objects.count()}


def emails_report() -> dict:
    from django_tasks_db.models import DBTaskResult

    from refdesk.notify.models import OutboundEmail

    rows = list(OutboundEmail.objects.order_by("pk").values("to", "subject", "status", "attempts"))
    tasks: dict[str, int] = {}
    for status in DBTaskResult.objects.values_list("status", flat=True):
        tasks[status] = tasks.get(status, 0) + 1
    return {"emails": rows, "tasks": tasks}


def pool(n: int) -> dict:
    from tests.factories import AccountFactory, ContactFactory, ReferenceFactory

    result = people()
    ids = []
    for i in range(n):
        contact = ContactFactory(
            account=AccountFactory(name=f"Busy Customer {i}"), name=f"Person {i}"
        )
        ids.append(
            ReferenceFactory(
                contact=contact, status="active", activity_types=["reference_call", "quote"]
            ).pk
        )
    return {**result, "references": ids}


def counts() -> dict:
    from refdesk.activities.models import Activity
    from refdesk.asks.models import ReferenceRequest

    return {"requests": ReferenceRequest.objects.count(), "activities": Activity.objects.count()}


def main(argv: list[str]) -> int:
    django.setup()
    command, *args = argv
    result = {
        "people": people,
        "emails": lambda: emails(int(args[0])),
        "emails-report": emails_report,
        "pool": lambda: pool(int(args[0])),
        "counts": counts,
    }[command]()
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
