"""Back up and restore the whole database: SQLite's online backup, or pg_dump/pg_restore.

Both work on the live database. SQLite copies page by page through `sqlite3.Connection.backup`,
which gives a consistent snapshot even while the app writes (WAL mode). PostgreSQL uses
`pg_dump -Fc` (one consistent snapshot, compressed) and `pg_restore --clean --if-exists
--single-transaction`, so a restore that fails half-way changes nothing.
"""

import glob
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db import connections

from refdesk.core.errors import RefdeskError

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"


class BackupError(RefdeskError):
    """A backup or restore that cannot be done; the message says why and what to do."""

    status_code = 400


@dataclass
class BackupResult:
    path: Path
    engine: str
    size: int


def _engine(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(
            f"Backups of a {vendor} database are not supported; use SQLite or PostgreSQL."
        )
    return vendor


def _version_key(path: str) -> tuple:
    parts = Path(path).parent.parent.name.split(".")
    return tuple(int(p) if p.isdigit() else 0 for p in parts)


def find_pg_tool(name: str) -> str:
    """The path of pg_dump or pg_restore: on PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version_key, reverse=True
    )
    for candidate in candidates:
        if os.access(candidate, os.X_OK):
            return candidate
    raise BackupError(
        f"{name} was not found on PATH or in /usr/lib/postgresql/*/bin. Install the PostgreSQL client "
        f"(Debian: apt-get install postgresql-client) in a version at least that of the server."
    )


def _pg_command(tool: str, settings_dict: dict) -> tuple[list[str], dict[str, str]]:
    command = [find_pg_tool(tool)]
    env = {**os.environ}
    if settings_dict.get("HOST"):
        command += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        command += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        command += ["--username", str(settings_dict["USER"])]
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(
            settings_dict["PASSWORD"]
        )  # never on the command line (ps shows it)
    sslmode = (settings_dict.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return command, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    if result.returncode != 0:
        raise BackupError(
            f"{what} failed (exit {result.returncode}): {(result.stderr or result.stdout).strip()[:2000]}"
        )


def database_backup(path: str | os.PathLike, *, using: str = "default") -> BackupResult:
    """Write a consistent copy of the live database to `path` (readable only by its owner)."""
    path = Path(path)
    engine = _engine(using)
    if path.is_dir():
        raise BackupError(f"{path} is a folder; give a file name, e.g. {path / 'refdesk.backup'}.")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.unlink(missing_ok=True)
    # The file holds every contact's email and phone: owner-only from the first byte.
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    try:
        connection = connections[using]
        if engine == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(tmp)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        else:
            command, env = _pg_command("pg_dump", connection.settings_dict)
            command += [
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(tmp),
                connection.settings_dict["NAME"],
            ]
            _run(command, env, "pg_dump")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return BackupResult(path=path, engine=engine, size=path.stat().st_size)


def backup_kind(path: Path) -> str:
    """'sqlite', 'postgresql' or 'unknown', from the file's first bytes."""
    with open(path, "rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    return "unknown"


def database_restore(path: str | os.PathLike, *, using: str = "default") -> BackupResult:
    """Replace the live database's contents with a backup made by `database_backup`."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup file {path}.")
    engine = _engine(using)
    kind = backup_kind(path)
    if kind != engine:
        made = {"sqlite": "a SQLite backup", "postgresql": "a PostgreSQL (pg_dump) backup"}.get(
            kind, "not a Refdesk backup"
        )
        raise BackupError(
            f"{path} is {made}, but this Refdesk runs on {engine}. Restore it into a {kind} database."
        )
    connection = connections[using]
    if engine == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            check = source.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"{path} is damaged ({check}); nothing was restored.")
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        # pg_restore needs the tables to itself: our own idle connections must not hold them.
        for conn in connections.all():
            conn.close()
        command, env = _pg_command("pg_restore", connection.settings_dict)
        command += [
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--dbname",
            connection.settings_dict["NAME"],
            str(path),
        ]
        _run(command, env, "pg_restore")
    return BackupResult(path=path, engine=engine, size=path.stat().st_size)
