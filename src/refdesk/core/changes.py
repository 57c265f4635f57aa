"""Cheap change stamps for caches that mirror large tables (the matcher's index, fatigue).

A table's stamp is (largest id, latest `updated_at`, rows ever deleted): an insert raises the
first, an update through the ORM the second, a delete the third. Each part is answered from an
index or a one-row table, so a stamp costs the same at a thousand rows as at a million, unlike
`COUNT(*)`. Writes that bypass the ORM's `save()` and `delete()` (raw SQL, `QuerySet.update()`
without `updated_at`) are not seen; the caches also rebuild on a timer for that reason.
"""

import datetime as dt
import threading
import time

from django.core.exceptions import EmptyResultSet
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.signals import post_delete
from django.utils import timezone
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


def stamps(*models) -> tuple:
    """One stamp per model, read in a single query: ((max id, max updated_at, deleted), …)."""
    quote = connection.ops.quote_name
    parts, params = [], []
    for model in models:
        table = model._meta.db_table
        if table not in _tracked:
            raise ValueError(f"{model._meta.label}: call track_deletions() for it first")
        # Separate scalar subqueries: SQLite answers a lone MAX() from an index, not two together.
        parts += [
            f"(SELECT MAX({quote('id')}) FROM {quote(table)})",
            f"(SELECT MAX({quote('updated_at')}) FROM {quote(table)})",
            f"(SELECT {quote('deleted')} FROM {quote(DeletionCount._meta.db_table)} WHERE {quote('table')} = %s)",
        ]
        params.append(table)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return tuple((row[i], _as_datetime(row[i + 1]), row[i + 2] or 0) for i in range(0, len(row), 3))


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
COUNT_MAX_AGE = 300.0


def remembered(key: tuple, models: tuple, compute, *, max_age: float):
    """`compute()`, or its last answer for `key` while none of `models` changed (their stamps) and it is
    younger than `max_age` seconds. Per process; writes that bypass `save()`/`delete()` are seen
    only when `max_age` runs out. Inside a transaction nothing is remembered: the rows it wrote
    are visible only to it, and must not reach anyone else."""
    if connection.in_atomic_block:
        return compute()
    version = stamps(*models)
    with _remembered_lock:
        found = _remembered.get(key)
    if found is not None and found[0] == version and time.monotonic() - found[1] < max_age:
        return found[2]
    value = compute()
    with _remembered_lock:
        if len(_remembered) >= REMEMBERED_MAX:
            _remembered.clear()
        _remembered[key] = (version, time.monotonic(), value)
    return value


def forget() -> None:
    """Forget every remembered value (tests; benchmarks' cold runs)."""
    with _remembered_lock:
        _remembered.clear()


def count_remembered(queryset, *models) -> int:
    """`queryset.count()`, remembered per process until one of `models` changes (their stamps) or COUNT_MAX_AGE passes.

    For lists whose filters join large tables: counting every match of a filter costs more than
    fetching its page, and the same filter is counted again for every page a person turns.
    """
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (`.none()`): Django answers 0 without SQL
        return queryset.count()
    key = ("count", sql, repr(params))
    return remembered(key, models, queryset.count, max_age=COUNT_MAX_AGE)
