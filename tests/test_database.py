"""The suite runs on the database DATABASE_URL names, never silently on another one."""

import os
import time

import pytest
from django.db import connection

from refdesk.pool.models import NaicsIndustry


def expected_vendor() -> str:
    url = os.environ.get("DATABASE_URL", "")
    scheme = url.split(":", 1)[0].lower() if url else "sqlite"
    if scheme in {"postgres", "postgresql", "pgsql", "postgis"}:
        return "postgresql"
    if scheme.startswith("sqlite"):
        return "sqlite"
    pytest.fail(f"DATABASE_URL has a scheme the suite does not run on: {scheme!r}")


@pytest.mark.django_db
def test_the_suite_runs_on_the_database_that_database_url_names():
    assert connection.vendor == expected_vendor(), (
        f"DATABASE_URL={os.environ.get('DATABASE_URL', '')!r}"
    )
    assert (
        connection.settings_dict["NAME"].endswith("test_refdesk") or connection.vendor == "sqlite"
    )


@pytest.mark.django_db
def test_the_database_answers_and_the_naics_migration_ran():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone()[0] == 1
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            assert cursor.fetchone()[0]
    assert NaicsIndustry.objects.filter(pk="522110").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", ["first", "after the first one's flush"])
def test_a_transactional_test_still_has_the_naics_taxonomy(run):
    assert NaicsIndustry.objects.filter(pk="522110").exists()


def _reused_for_a_new_request(conn) -> None:
    """What Django does to a persistent connection when the next request begins."""
    conn.health_check_enabled, conn.health_check_done = True, False


@pytest.mark.django_db(transaction=True)
def test_the_health_check_asks_the_socket_and_still_sees_a_connection_the_server_closed(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backend's health check; this run is on SQLite")
    import psycopg
    from django.db import connections

    conn = connections["default"]

    asked = []
    real_is_usable = type(conn).is_usable
    monkeypatch.setattr(type(conn), "is_usable", lambda self: asked.append(1) or real_is_usable(self))

    def backend_pid() -> int:
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    first = backend_pid()
    _reused_for_a_new_request(conn)
    assert backend_pid() == first
    assert asked == [], "a quiet idle connection needs no SELECT 1"

    # The server ends the connection (as a restart or an administrator would) between requests.
    params = {**conn.get_connection_params(), "autocommit": True}
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [first])
        for _ in range(100):  # the backend ends a moment after the signal
            if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [first]).fetchone():
                break
            time.sleep(0.05)
    _reused_for_a_new_request(conn)
    assert backend_pid() != first, "the closed connection was noticed and replaced"
