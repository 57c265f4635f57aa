from django.db import models

from refdesk.activities.choices import ActivityStatus
from refdesk.pool.choices import ActivityType


class Activity(models.Model):
    """One participation of a reference: a call, a case study, a talk, a logo use…

    Caps, cool-downs and fairness in matching are computed from these rows.
    """

    reference = models.ForeignKey(
        "pool.ReferenceProfile", on_delete=models.PROTECT, related_name="activities"
    )
    activity_type = models.CharField(max_length=20, choices=ActivityType.choices)
    status = models.CharField(
        max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.SCHEDULED
    )
    occurred_at = models.DateTimeField(help_text="When it happened or is scheduled to happen")
    request_text = models.CharField("request", max_length=300, blank=True)
    opportunity_text = models.CharField("opportunity", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["occurred_at"], name="activity_occurred_idx"),
            models.Index(fields=["reference", "occurred_at"], name="activity_reference_idx"),
        ]

    def __str__(self):
        return f"{self.get_activity_type_display()} ({self.get_status_display()}) {self.occurred_at:%Y-%m-%d}"
