"""Fault-test fixtures: a migrated SQLite file made once per session and copied for each test."""

import shutil

import pytest

from tests.ops import live


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory):
    folder = tmp_path_factory.mktemp("migrated")
    path = folder / "template.sqlite3"
    live.refdesk(live.app_env(f"sqlite:///{path}", folder), "migrate", timeout=300)
    return path


@pytest.fixture
def sqlite_url(_migrated_sqlite, tmp_path):
    """A fresh, migrated SQLite file of this test's own: its DATABASE_URL."""
    path = tmp_path / "refdesk.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        source = _migrated_sqlite.with_name(_migrated_sqlite.name + suffix)
        if source.exists():
            shutil.copy(source, path.with_name(path.name + suffix))
    return f"sqlite:///{path}"
