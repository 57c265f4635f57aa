from django.db import models


class RateLimitCounter(models.Model):
    """How many times one key (e.g. failed log-ins for an IP and email) was hit in its current window.

    Kept in the database, not a per-process cache, so the limit holds across gunicorn workers
    and app servers. Rows are small and reset in place; `refdesk.core.ratelimit` owns them.
    """

    key = models.CharField(max_length=200, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.key}: {self.count} since {self.window_start:%H:%M}"


class DeletionCount(models.Model):
    """How many rows of a table have ever been deleted.

    With the largest id and the latest `updated_at` (both read from an index) it tells a cache
    that a table changed without a `COUNT(*)`, which costs a scan on large PostgreSQL tables.
    `refdesk.core.changes` keeps it.
    """

    table = models.CharField(max_length=100, primary_key=True)
    deleted = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.table}: {self.deleted} deleted"
