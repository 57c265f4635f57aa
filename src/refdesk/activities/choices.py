from django.db import models

from refdesk.pool.choices import ActivityType


class ActivityStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


# Activities that take none of the person's time (a logo on a slide, a quote already given) do
# not count toward caps, cool-downs or fairness, and requests for them ignore caps.
PASSIVE_ACTIVITY_TYPES = frozenset({ActivityType.LOGO.value, ActivityType.QUOTE.value})
