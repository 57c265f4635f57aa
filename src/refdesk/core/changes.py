"""Cheap change stamps for caches that mirror large tables (the matcher's index, fatigue).

A table's stamp is (largest id, latest `updated_at`, rows ever deleted): an insert raises the
first, an update through the ORM the second, a delete the third. Each part is answered from an
index or a one-row table, so a stamp costs the same at a thousand rows as at a million, unlike
`COUNT(*)`. Writes that bypass the ORM's `save()` and `delete()` (raw SQL, `QuerySet.update()`
without `updated_at`) are not seen; the caches also rebuild on a timer for that reason.
"""

import datetime as dt

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
