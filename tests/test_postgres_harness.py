"""scripts/with_postgres.py: a throwaway cluster that is always stopped and removed."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IN_CI

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "with_postgres.py"


def run(*command, **env):
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--", *command],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


def test_missing_binaries_fail_in_ci():
    result = run(sys.executable, "-c", "pass", PG_BIN="/nonexistent", CI="true")
    assert result.returncode == 1
    assert "PostgreSQL is required in CI" in result.stderr


def test_missing_binaries_skip_locally():
    result = run(sys.executable, "-c", "raise SystemExit(5)", PG_BIN="/nonexistent", CI="")
    assert result.returncode == 0
    assert "skipping PostgreSQL run:" in result.stderr


@pytest.fixture
def has_postgres():
    import glob

    if not glob.glob("/usr/lib/postgresql/*/bin/initdb") and not os.environ.get("PG_BIN"):
        if IN_CI:
            pytest.fail("PostgreSQL binaries are missing; CI must have them (make system-deps)")
        pytest.skip("PostgreSQL binaries are missing (make system-deps installs them)")


def test_runs_the_command_against_a_fresh_cluster_and_removes_it(has_postgres, tmp_path):
    probe = (
        "import os, psycopg; url = os.environ['DATABASE_URL']; print(url);"
        "c = psycopg.connect(url); print(c.execute('select current_database()').fetchone()[0]);"
        "raise SystemExit(7)"
    )
    result = run(sys.executable, "-c", probe, PG_BIN="")
    assert result.returncode == 7, result.stderr
    url, database = result.stdout.split()
    assert url.startswith("postgres://postgres@127.0.0.1:") and url.endswith("/refdesk")
    assert database == "refdesk"
    data_dir = result.stderr.split("(data in ", 1)[1].split(")", 1)[0]
    assert not Path(data_dir).exists()
    assert "stopped and its folder removed" in result.stderr
