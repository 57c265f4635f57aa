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
