import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from refdesk.notify.choices import DeliveryStatus, EmailStatus, RecipientRole


class EventDispatch(models.Model):
    """Marks a request event as dispatched: its emails and webhook deliveries exist as rows.

    The event id is a plain integer, not a foreign key, so notifications never block the
    request workflow's migrations or deletions; the sweep re-dispatches events that lack a row.
    """

    event_id = models.BigIntegerField(unique=True)
    kind = models.CharField(max_length=40)
    request_id = models.BigIntegerField(null=True, blank=True)
    candidate_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    dispatched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-event_id"]

    def __str__(self):
        return f"event {self.event_id} ({self.kind})"


class OutboundEmail(models.Model):
    """One email to one person, and what became of it; its unique key makes sending idempotent.

    The row is written `pending` before anything is sent and claimed with a conditional UPDATE,
    so a task that runs twice sends once, and a worker that dies mid-send leaves a pending row
    the sweep hands to another worker.
    """

    key = models.CharField(
        max_length=200, unique=True, help_text="event:<id>:<kind>:<email> or reminder:<id>"
    )
    kind = models.CharField(
        max_length=40, help_text="Which template: approval_request, invitation, …"
    )
    recipient_role = models.CharField(max_length=20, choices=RecipientRole.choices)
    event_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    event_kind = models.CharField(max_length=40, blank=True)
    request_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    ics = models.TextField(blank=True, help_text="The calendar attachment, if any")
    status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="email_due_idx")]

    def __str__(self):
        return f"{self.kind} to {self.to} ({self.status})"


class ReminderSent(models.Model):
    """One SLA reminder or escalation per due item per threshold; the constraint makes the sweep idempotent."""

    kind = models.CharField(max_length=40, help_text="approval_overdue, reference_unanswered, …")
    subject_id = models.BigIntegerField(help_text="The request or candidate the reminder is about")
    threshold = models.CharField(max_length=20, help_text="Which step of the clock: 24h, 72h, …")
    email = models.ForeignKey(
        OutboundEmail, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_id", "threshold"], name="reminder_once_per_threshold"
            )
        ]

    def __str__(self):
        return f"{self.kind} #{self.subject_id} at {self.threshold}"


class WebhookEndpoint(models.Model):
    """A URL that receives signed JSON for request and activity events (all kinds, or those listed)."""

    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(max_length=80, help_text="Signs each delivery (HMAC-SHA256)")
    event_kinds = models.JSONField(default=list, blank=True, help_text="Empty: every event")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.url

    def wants(self, kind: str) -> bool:
        return not self.event_kinds or kind in self.event_kinds


class WebhookDelivery(models.Model):
    """One event sent (or being retried) to one endpoint: the endpoint's delivery log."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.BigIntegerField(null=True, blank=True, help_text="Empty for a test ping")
    event_kind = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"],
                condition=models.Q(event_id__isnull=False),
                name="delivery_once_per_event",
            )
        ]

    def __str__(self):
        return f"{self.event_kind} → {self.endpoint} ({self.status})"
