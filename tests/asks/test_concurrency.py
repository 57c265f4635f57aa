"""Two people acting on one request at once: one wins, the other is told it changed. PostgreSQL only."""

import threading

import pytest
from django.db import connection

from refdesk.asks import services
from refdesk.asks.models import RequestEvent
from refdesk.core.errors import RefdeskError
from tests.asks.helpers import first_candidate, fresh

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("Concurrency tests need PostgreSQL (scripts/with_postgres.py); SQLite runs one writer at a time.")


def _race(*calls):
    """Run each call in its own thread and connection, released together; returns (results, errors)."""
    from django.db import connections

    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(fn):
        try:
            barrier.wait()
            results.append(fn())
        except RefdeskError as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results, errors


def test_two_approvals_at_once_one_wins(submit, program_manager, owner_rep):
    request = submit()
    candidate = first_candidate(request)
    services.candidate_select(actor=program_manager, request=request, candidate_id=candidate.pk)
    results, errors = _race(
        lambda: services.approval_grant(actor=owner_rep, request=request, candidate_id=candidate.pk),
        lambda: services.approval_grant(actor=program_manager, request=request, candidate_id=candidate.pk),
    )
    assert len(results) == 1 and len(errors) == 1
    assert fresh(candidate).status == "invited"
    assert RequestEvent.objects.filter(kind="approval.granted").count() == 1
    assert RequestEvent.objects.filter(kind="invitation.sent").count() == 1


def test_two_selections_of_the_same_reference_one_wins(submit, program_manager, workflow, requester):
    workflow(fulfilment="self_service")
    request = submit(references_needed=2)
    candidate = first_candidate(request)
    results, errors = _race(
        lambda: services.candidate_select(actor=program_manager, request=request, candidate_id=candidate.pk),
        lambda: services.candidate_select(actor=requester, request=request, candidate_id=candidate.pk),
    )
    assert len(results) == 1 and len(errors) == 1
    assert RequestEvent.objects.filter(kind="candidate.selected").count() == 1


def test_an_approval_and_a_withdrawal_at_once_never_leave_an_invitation_on_a_withdrawn_request(submit, program_manager, owner_rep, requester):
    request = submit()
    candidate = first_candidate(request)
    services.candidate_select(actor=program_manager, request=request, candidate_id=candidate.pk)
    _race(
        lambda: services.approval_grant(actor=owner_rep, request=request, candidate_id=candidate.pk),
        lambda: services.request_withdraw(actor=requester, request=request, reason="lost"),
    )
    assert fresh(request).status == "withdrawn"
    assert fresh(candidate).status == "cancelled"


def test_two_bookings_of_one_reference_at_the_same_time_one_wins(submit, program_manager, owner_rep, requester):
    from tests.asks.helpers import later, to_invited

    first, second = submit(), submit(prospect="Second Ranch")
    booked = []
    for request in (first, second):
        candidate = to_invited(request, program_manager, owner_rep)
        services.invitation_accept(candidate=candidate)
        booked.append((request, candidate))
    start = later()
    results, errors = _race(*[
        (lambda r=r, c=c: services.call_schedule(actor=requester, request=r, candidate_id=c.pk, starts_at=start))
        for r, c in booked
    ])  # fmt: skip
    assert len(results) == 1 and len(errors) == 1
    assert "already has a call" in errors[0].message
