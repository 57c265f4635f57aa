"""The suite runs on the database DATABASE_URL names, never silently on another one."""

import os

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
