from django.db import models

from refdesk.pool.choices import ActivityType


class ActivityStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class ActivitySource(models.TextChoices):
    REQUEST = "request", "Reference request"
    MANUAL = "manual", "Entered by hand"
    IMPORT = "import", "Imported"
    EVENT = "event", "Group event"


class ContentKind(models.TextChoices):
    CASE_STUDY = "case_study", "Case study"
    TESTIMONIAL = "testimonial", "Testimonial"
    QUOTE = "quote", "Quote"
    RECORDING = "recording", "Recording"
    LOGO = "logo", "Logo permission"


class ContentUseKind(models.TextChoices):
    SHARED = "shared", "Shared with a prospect"
    VIEWED = "viewed", "Viewed by a prospect"
    USED = "used", "Used (deck, web, press…)"
    OFFERED = "offered", "Offered by matching"


class EventFormat(models.TextChoices):
    TELECONFERENCE = "teleconference", "Teleconference"
    WEBINAR = "webinar", "Webinar with Q&A"


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


# Activities that take none of the person's time (a logo on a slide, a quote already given) do
# not count toward caps, cool-downs or fairness, and requests for them ignore caps.
PASSIVE_ACTIVITY_TYPES = frozenset({ActivityType.LOGO.value, ActivityType.QUOTE.value})
