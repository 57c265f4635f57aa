"""Cheap change stamps for caches that mirror large tables (the matcher's index, fatigue).

A table's stamp is (largest id, latest `updated_at`, rows ever deleted): an insert raises the
first, an update through the ORM the second, a delete the third. Each part is answered from an
index or a one-row table, so a stamp costs the same at a thousand rows as at a million, unlike
`COUNT(*)`. Writes that bypass the ORM's `save()` and `delete()` (raw SQL, `QuerySet.update()`
without `updated_at`) are not seen; the caches also rebuild on a timer for that reason.
"""

import contextlib
import copy
import datetime as dt
import fcntl
import hashlib
import os
import re
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.signals import post_delete
from django.utils import timezone
from django.utils._os import safe_makedirs
from django.utils.dateparse import parse_datetime

from refdesk.core.models import DeletionCount

_tracked: set[str] = set()


def _count_deletion(sender, **kwargs) -> None:
    table = sender._meta.db_table
    if DeletionCount.objects.filter(table=table).update(deleted=F("deleted") + 1):
        return
    try:
        with transaction.atomic():
            DeletionCount.objects.create(table=table, deleted=1)
    except IntegrityError:  # created by a concurrent delete just now
        DeletionCount.objects.filter(table=table).update(deleted=F("deleted") + 1)


def track_deletions(*models) -> None:
    """Count deletions of these models' rows (call from an AppConfig.ready)."""
    for model in models:
        _tracked.add(model._meta.db_table)
        post_delete.connect(
            _count_deletion, sender=model, dispatch_uid=f"deletions:{model._meta.label}"
        )


def _stamps_sql(tables: list[str], *, inline: bool = False) -> tuple[str, list]:
    """The stamps query; `inline` writes the table names as literals (for PREPARE, which takes no
    parameters here; they are our own models' table names, letters and underscores)."""
    quote = connection.ops.quote_name
    parts, params = [], []
    for table in tables:
        name = f"'{table}'" if inline else "%s"
        # Separate scalar subqueries: SQLite answers a lone MAX() from an index, not two together.
        parts += [
            f"(SELECT MAX({quote('id')}) FROM {quote(table)})",
            f"(SELECT MAX({quote('updated_at')}) FROM {quote(table)})",
            f"(SELECT {quote('deleted')} FROM {quote(DeletionCount._meta.db_table)} WHERE {quote('table')} = {name})",
        ]
        if not inline:
            params.append(table)
    return "SELECT " + ", ".join(parts), params


# PostgreSQL spends longer planning the every-table stamps query (some 30 subqueries) than running
# it, so each connection prepares it once and then only executes it (a prepared statement lives as
# long as the session, also when the transaction that prepared it rolls back).
PREPARED_STAMPS = "refdesk_stamps"


def _read_stamps(tables: list[str]) -> dict[str, tuple]:
    """{table: (max id, max updated_at, deleted)} for these tables, in a single query."""
    with connection.cursor() as cursor:
        if tables == _all_tables() and _prepare_stamps_ourselves():
            if getattr(connection, "_refdesk_stamps_prepared", None) is not connection.connection:
                cursor.execute(f"PREPARE {PREPARED_STAMPS} AS " + _stamps_sql(tables, inline=True)[0])
                connection._refdesk_stamps_prepared = connection.connection
            cursor.execute(f"EXECUTE {PREPARED_STAMPS}")
        else:
            cursor.execute(*_stamps_sql(tables))
        row = cursor.fetchone()
    return {
        table: (row[i], _as_datetime(row[i + 1]), row[i + 2] or 0)
        for table, i in zip(tables, range(0, len(row), 3), strict=True)
    }


def _prepare_stamps_ourselves() -> bool:
    """PREPARE the stamps query by hand only where psycopg prepares nothing (parameters bound on the
    client). With server-side binding psycopg prepares it like any query it runs often, and it
    answers every ROLLBACK (also to a savepoint) with DEALLOCATE ALL, which would drop ours."""
    return (
        connection.vendor == "postgresql"
        and settings.REFDESK_PG_PREPARED_STAMPS
        and not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding")
    )


def _all_tables() -> list[str]:
    return sorted(_tracked)


# Within one web request, every tracked table is stamped by the first stamps() call in one query
# and later calls read that snapshot until the request writes anything (see _watch_sql): a match
# reads the pool's, the activity log's and the settings' stamps once instead of once each. A
# snapshot taken inside a transaction may show its uncommitted writes, so it serves only there.
_request = threading.local()


def stamps(*models) -> tuple:
    """One stamp per model, read in a single query: ((max id, max updated_at, deleted), …)."""
    tables = [model._meta.db_table for model in models]
    for model, table in zip(models, tables, strict=True):
        if table not in _tracked:
            raise ValueError(f"{model._meta.label}: call track_deletions() for it first")
    if not getattr(_request, "active", False):
        found = _read_stamps(tables)
    else:
        in_transaction = connection.in_atomic_block
        snapshot = _request.snapshot
        if snapshot is None or (snapshot[0] and not in_transaction):
            snapshot = _request.snapshot = (in_transaction, _read_stamps(_all_tables()))
        found = snapshot[1]
    return tuple(found[table] for table in tables)


def _request_started(**kwargs) -> None:
    _request.active, _request.snapshot, _request.written = True, None, set()


def _request_finished(**kwargs) -> None:
    _request.active, _request.snapshot = False, None


_STAMPS_VERBS = (f"PREPARE {PREPARED_STAMPS} ", f"EXECUTE {PREPARED_STAMPS}")
_WRITE = re.compile(r'(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+["`]?(\w+)', re.IGNORECASE)
ANY_TABLE = "*"


def _watch_sql(execute, sql, params, many, context):
    # Any write (also through bulk_create, update() or raw SQL, and a rollback to a savepoint)
    # makes the request stamp the tables again; inside a transaction the written table is noted
    # until the transaction commits (see remembered()).
    conn, written = context["connection"], _written()
    if written and not conn.in_atomic_block:
        written.clear()  # left over from a transaction that rolled back
    text = sql.lstrip()
    verb = text[:9].upper()
    if not verb.startswith(("SELECT", "SAVEPOINT", "RELEASE")) and not text.startswith(_STAMPS_VERBS):
        found = _WRITE.match(text)
        table = found.group(1) if found else ANY_TABLE
        # A row written to a table no stamp reads (the audit log, the task queue) moves no stamp.
        if table == ANY_TABLE or table in _tracked or table == DeletionCount._meta.db_table:
            _request.snapshot = None
        if conn.in_atomic_block and not verb.startswith("ROLLBACK"):
            if table not in written:
                written.add(table)
                conn.on_commit(written.clear)
    return execute(sql, params, many, context)


def _written() -> set:
    written = getattr(_request, "written", None)
    if written is None:
        written = _request.written = set()
    return written


def _written_in_transaction(models) -> bool:
    """Whether the open transaction wrote to any of `models` (or to a table it could not name)."""
    written = _written()
    return ANY_TABLE in written or any(m._meta.db_table in written for m in models)


def _watch_connection(connection, **kwargs) -> None:
    if _watch_sql not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_sql)


def watch_requests() -> None:
    """Keep a stamps snapshot per web request (called once from CoreConfig.ready)."""
    from django.core.signals import request_finished, request_started
    from django.db.backends.signals import connection_created

    request_started.connect(_request_started, dispatch_uid="changes:request_started")
    request_finished.connect(_request_finished, dispatch_uid="changes:request_finished")
    connection_created.connect(_watch_connection, dispatch_uid="changes:connection_created")


def _as_datetime(value):
    # SQLite hands back the stored text of a subquery's MAX(); PostgreSQL a datetime.
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


# Values remembered per process: {key: (stamps of the tables they read, monotonic time, value)}.
_remembered: dict[tuple, tuple[tuple, float, object]] = {}
_remembered_lock = threading.Lock()
REMEMBERED_MAX = 2048
# How long a remembered answer is trusted while its stamps have not moved: writes that bypass
# save()/delete() (a bulk UPDATE, raw SQL) move no stamp and are seen after this long.
MAX_AGE = 300.0


def remembered(key: tuple, models: tuple, compute, *, max_age: float = MAX_AGE, shared: bool = False):
    """`compute()`, or its last answer for `key` while none of `models` changed (their stamps) and it is
    younger than `max_age` seconds. Per process; writes that bypass `save()`/`delete()` are seen
    only when `max_age` runs out. Inside a transaction a remembered answer is used while the stamps
    the transaction sees still match it (its own writes move them), and an answer computed there is
    kept only if the transaction has not written to `models`: rows it wrote are visible only to
    it until it commits, and must not reach anyone else.

    `shared`: also kept in the `shared` cache every worker process of this server reads (a folder
    of files), so one process's answer serves the others; only for answers that do not depend on
    who asks (pages rendered for every reader, counts) and pickle."""
    version = stamps(*models)
    with _remembered_lock:
        found = _remembered.get(key)
    if found is not None and found[0] == version and time.monotonic() - found[1] < max_age:
        return found[2]
    if shared and (found := _shared_get(key)) is not None:
        age = time.time() - found[1]
        if found[0] == version and 0 <= age < max_age:
            _remember(key, (version, time.monotonic() - age, found[2]))
            return found[2]
    value = compute()
    if connection.in_atomic_block and _written_in_transaction(models):
        return value
    _remember(key, (version, time.monotonic(), value))
    if shared:
        _shared_set(key, (version, time.time(), value), max_age)
    return value


def _remember(key: tuple, entry: tuple) -> None:
    with _remembered_lock:
        if len(_remembered) >= REMEMBERED_MAX:
            _remembered.clear()
        _remembered[key] = entry


def code_version() -> str:
    """A fingerprint of the code this process runs (`files_fingerprint` of the refdesk package),
    read once per process. Answers shared between processes are kept under it: after an upgrade,
    pages rendered (and values shaped) by the old code are not read."""
    global _code_version
    if _code_version is None:
        _code_version = files_fingerprint(Path(__file__).resolve().parent.parent)
    return _code_version


def files_fingerprint(folder: Path) -> str:
    """A short hash of the names, sizes and change times of the files under `folder`."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            found = path.stat()
            digest.update(f"{path.relative_to(folder)}:{found.st_size}:{found.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


_code_version: str | None = None


def _shared_key(key: tuple) -> str:
    # Stamps are only comparable within one database: the key names it too.
    db = connection.settings_dict
    where = (connection.vendor, db.get("HOST"), db.get("PORT"), str(db.get("NAME")))
    return "remembered:" + hashlib.sha256(repr((code_version(), where, key)).encode()).hexdigest()


def _shared_get(key: tuple):
    try:
        found = caches["shared"].get(_shared_key(key))
    except Exception:  # an unreadable cache file is a miss, never an error for the reader
        return None
    # The key's hash could in principle collide: the entry names its own key.
    if isinstance(found, tuple) and len(found) == 4 and found[0] == key:
        return found[1:]
    return None


def _shared_set(key: tuple, entry: tuple, max_age: float) -> None:
    try:
        caches["shared"].set(_shared_key(key), (key, *entry), timeout=max_age)
    except Exception:  # a full disk or a read-only folder costs the others a recomputation only
        pass


def shared_recent(key: tuple, max_age: float):
    """(age in seconds, value) of what a worker process of this server kept for `key` with
    `shared_keep`, while younger than `max_age`; else None. For answers kept for a time rather
    than until a change stamp moves (the insights dashboard)."""
    found = _shared_get(key)
    if found is None or found[0] is not None:
        return None
    age = time.time() - found[1]
    return (age, found[2]) if 0 <= age < max_age else None


def shared_keep(key: tuple, value, max_age: float) -> None:
    """Keep `value` for `key` for every worker process of this server, `max_age` seconds (see `shared_recent`)."""
    _shared_set(key, (None, time.time(), value), max_age)


@contextlib.contextmanager
def shared_lock(key: tuple):
    """Hold `key` against this server's other worker processes (a file lock beside the shared cache),
    so one of them computes what the others then read. Without a folder to lock in it holds nothing."""
    try:
        folder = Path(settings.CACHES["shared"]["LOCATION"])
        safe_makedirs(folder, mode=0o700, exist_ok=True)  # as the file cache makes it: owner-only
        name = folder / (_shared_key(key).split(":")[1][:32] + ".lock")
        handle = os.open(name, os.O_RDWR | os.O_CREAT, 0o600)
    except (KeyError, OSError):
        yield
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def settings_row(model):
    """The program's one settings row of `model` (pk 1, created with the defaults on first read),
    remembered per process until it changes; each caller gets its own copy to read or change."""

    def fetch():
        found = model.objects.filter(pk=1).first()
        if found is None:
            try:
                with transaction.atomic():
                    found = model.objects.create(pk=1)
            except IntegrityError:  # created by a concurrent first read just now
                found = model.objects.get(pk=1)
        return found

    return copy.copy(remembered(("settings", model._meta.label), (model,), fetch))


def forget() -> None:
    """Forget every remembered value, also those shared between processes (tests; benchmarks' cold runs)."""
    with _remembered_lock:
        _remembered.clear()
    caches["shared"].clear()


def count_remembered(queryset, *models) -> int:
    """`queryset.count()`, remembered per process until one of `models` changes (their stamps) or MAX_AGE passes.

    For lists whose filters join large tables: counting every match of a filter costs more than
    fetching its page, and the same filter is counted again for every page a person turns.
    """
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (`.none()`): Django answers 0 without SQL
        return queryset.count()
    key = ("count", sql, repr(params))
    return remembered(key, models, queryset.count, shared=True)
