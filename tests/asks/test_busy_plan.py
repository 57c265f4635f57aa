"""The question "is this reference on an open request?" stays an index lookup on PostgreSQL
however many past requests a reference has been proposed on. PostgreSQL only: it reads the plan
PostgreSQL keeps for a prepared statement (psycopg prepares the queries a connection runs often)."""

import re

import pytest
from django.db import connection
from django.db.models import OuterRef
from django.utils import timezone

from refdesk.asks.choices import CandidateStatus, RequestStatus
from refdesk.asks.models import ReferenceRequest, RequestCandidate
from refdesk.asks.selectors import on_open_request
from refdesk.pool.models import ReferenceProfile
from tests.factories import ReferenceFactory

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("Reads PostgreSQL's generic plan (scripts/with_postgres.py).")


def _generic_plan(queryset) -> dict:
    """EXPLAIN ANALYZE of the queryset's SQL as a prepared statement run with its generic plan,
    the plan PostgreSQL settles on for a statement it has run several times."""
    sql, params = queryset.query.sql_with_params()
    numbered = iter(range(1, len(params) + 1))
    sql = re.sub(r"%s", lambda _: f"${next(numbered)}", sql)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE busy_check AS {sql}")
        try:
            placeholders = ", ".join(["%s"] * len(params))
            explain = f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE busy_check({placeholders})"
            cursor.execute(connection.ops.compose_sql(explain, params))  # values as typed literals
            return cursor.fetchone()[0][0]["Plan"]
        finally:
            cursor.execute("DEALLOCATE busy_check")


def _scans_of(plan: dict, table: str) -> list[dict]:
    found = [plan] if plan.get("Relation Name") == table else []
    for child in plan.get("Plans", ()):
        found += _scans_of(child, table)
    return found


def test_a_popular_reference_is_looked_up_among_its_active_candidacies_only(requester):
    popular, other = ReferenceFactory(), ReferenceFactory()
    now = timezone.now()
    requests = ReferenceRequest.objects.bulk_create(
        ReferenceRequest(requester=requester, prospect=f"Prospect {i}", submitted_at=now,
                         status=RequestStatus.CANDIDATES_PROPOSED)
        for i in range(600)
    )  # fmt: skip
    RequestCandidate.objects.bulk_create(
        [
            RequestCandidate(request=r, reference=popular, status=CandidateStatus.PROPOSED)
            for r in requests
        ]
        + [RequestCandidate(request=requests[0], reference=other, status=CandidateStatus.SELECTED)]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE asks_requestcandidate; ANALYZE asks_referencerequest")

    # What asks.selectors.on_open_request asks for each picked reference.
    busy = ReferenceProfile.objects.filter(pk=popular.pk).values(
        busy=on_open_request(OuterRef("pk"))
    )
    scans = _scans_of(_generic_plan(busy), "asks_requestcandidate")

    assert scans, "the plan reads the candidates"
    for scan in scans:
        # Only candidacies still in play are read; none of the 600 past ones is read and dropped.
        assert scan.get("Index Name") == "candidate_active_reference_idx", scan
        assert scan.get("Rows Removed by Filter", 0) == 0, scan

    assert busy.get()["busy"] is False
    RequestCandidate.objects.filter(reference=popular, request=requests[1]).update(
        status=CandidateStatus.INVITED
    )
    assert busy.get()["busy"] is True
    assert (
        ReferenceProfile.objects.filter(pk=other.pk)
        .values(busy=on_open_request(OuterRef("pk")))
        .get()["busy"]
    )
