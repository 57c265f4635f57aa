"""The activity log, fatigue rules, the content library, private shares and group events."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from refdesk.activities.choices import (
    ActivitySource,
    ActivityStatus,
    ContentKind,
    ContentUseKind,
    EventFormat,
    EventStatus,
)
from refdesk.pool.choices import ActivityType


def new_share_token() -> str:
    # 32 random bytes: unguessable, and a new one per share (revoking one never touches another).
    return secrets.token_urlsafe(32)


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
    request = models.ForeignKey(
        "asks.ReferenceRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    candidate = models.ForeignKey(
        "asks.RequestCandidate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.ForeignKey(
        "activities.GroupEvent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    source = models.CharField(
        max_length=10, choices=ActivitySource.choices, default=ActivitySource.REQUEST
    )
    notes = models.TextField(blank=True)
    external_id = models.CharField("import id", max_length=100, blank=True, default="")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["occurred_at"], name="activity_occurred_idx"),
            models.Index(fields=["reference", "occurred_at"], name="activity_reference_idx"),
            models.Index(fields=["external_id"], name="activity_external_idx"),
        ]
        constraints = [
            # A group event counts once per reference, however many prospects attend.
            models.UniqueConstraint(
                fields=["event", "reference"],
                condition=models.Q(event__isnull=False),
                name="activity_once_per_event",
            ),
        ]

    def __str__(self):
        return f"{self.get_activity_type_display()} ({self.get_status_display()}) {self.occurred_at:%Y-%m-%d}"


def _cap(help_text: str):
    return models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=help_text,
    )


class FatigueRule(models.Model):
    """The program's limits for one activity type; absent rows fall back to `fatigue.DEFAULT_RULES`."""

    activity_type = models.CharField(max_length=20, choices=ActivityType.choices, unique=True)
    short_cap = _cap("At most this many in the short window (blank: no cap)")
    short_window_days = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    long_cap = _cap("At most this many in the long window (blank: no cap)")
    long_window_days = models.PositiveSmallIntegerField(
        default=90, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    cooldown_days = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(365)],
        help_text="Rest after any activity before this type again",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["activity_type"]

    def __str__(self):
        return f"Fatigue rule for {self.activity_type}"


class ReferenceFatigue(models.Model):
    """One reference's own limits: what they said they can give, and the program manager's override."""

    reference = models.OneToOneField(
        "pool.ReferenceProfile", on_delete=models.CASCADE, related_name="fatigue"
    )
    monthly_limit = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)],
        help_text="The reference's own limit: activities of any kind in 30 days. Always wins.",
    )  # fmt: skip
    short_cap = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Override of every type's short-window cap",
    )  # fmt: skip
    long_cap = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Override of every type's long-window cap",
    )  # fmt: skip
    cooldown_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(365)],
        help_text="Override of every type's cool-down",
    )
    note = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return f"Limits of reference {self.reference_id}"


class GroupEvent(models.Model):
    """A teleconference or webinar where one or more references speak to several prospects."""

    title = models.CharField(max_length=200)
    format = models.CharField(
        max_length=20, choices=EventFormat.choices, default=EventFormat.WEBINAR
    )
    status = models.CharField(
        max_length=12, choices=EventStatus.choices, default=EventStatus.SCHEDULED
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    description = models.TextField(blank=True)
    industry = models.ForeignKey(
        "pool.NaicsIndustry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    products = models.JSONField(default=list, blank=True)
    topics = models.JSONField(default=list, blank=True)
    join_url = models.URLField(max_length=500, blank=True)
    references = models.ManyToManyField(
        "pool.ReferenceProfile", related_name="group_events", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.title


class EventInvite(models.Model):
    """A prospect invited to a group event, for one opportunity (a request, or a named deal)."""

    event = models.ForeignKey(GroupEvent, on_delete=models.CASCADE, related_name="invites")
    request = models.ForeignKey(
        "asks.ReferenceRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    prospect = models.CharField(max_length=200)
    opportunity_text = models.CharField("opportunity", max_length=300, blank=True)
    email = models.EmailField(blank=True)
    attended = models.BooleanField(
        null=True, blank=True, help_text="Blank until attendance is recorded"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField()

    class Meta:
        ordering = ["prospect", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "prospect", "opportunity_text"], name="invite_once_per_opportunity"
            ),
        ]

    def __str__(self):
        return f"{self.prospect} at {self.event_id}"


class ContentAsset(models.Model):
    """A case study, testimonial, quote, recording or logo permission, with where it may be used."""

    kind = models.CharField(max_length=20, choices=ContentKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField("text", blank=True)
    url = models.URLField("link", max_length=500, blank=True)
    file = models.FileField(upload_to="content/%Y/%m/", blank=True, max_length=300)
    channels = models.JSONField(
        default=list, blank=True, help_text="web, sales_deck, press, social"
    )
    expires_on = models.DateField(null=True, blank=True)
    approved_by = models.CharField(
        max_length=200, blank=True, help_text="Who approved it at the customer"
    )
    approved_on = models.DateField(null=True, blank=True)
    approval_note = models.CharField(
        max_length=500, blank=True, help_text="Where the approval is recorded"
    )
    account = models.ForeignKey(
        "pool.Account",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="content_assets",
    )
    contact = models.ForeignKey(
        "pool.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="content_assets",
    )
    industry = models.ForeignKey(
        "pool.NaicsIndustry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    products = models.JSONField(default=list, blank=True)
    topics = models.JSONField(default=list, blank=True)
    event = models.ForeignKey(
        GroupEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="recordings"
    )
    search_text = models.TextField(blank=True, default="", editable=False)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "expires_on"], name="content_kind_expiry_idx")]

    def __str__(self):
        return self.title

    @property
    def approved(self) -> bool:
        return bool(self.approved_on)


class ContentShare(models.Model):
    """A curated page of assets sent to a prospect by a private link."""

    token = models.CharField(max_length=64, unique=True, default=new_share_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="content_shares"
    )
    request = models.ForeignKey(
        "asks.ReferenceRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    prospect = models.CharField(max_length=200)
    recipient_email = models.EmailField(blank=True)
    message = models.TextField(blank=True)
    assets = models.ManyToManyField(ContentAsset, related_name="shares")
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    first_opened_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Content for {self.prospect}"


class ContentShareView(models.Model):
    """One opening of a share's private page. Append-only; the requester's share page lists them."""

    share = models.ForeignKey(ContentShare, on_delete=models.CASCADE, related_name="views")
    viewed_at = models.DateTimeField()
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-viewed_at", "-pk"]

    def __str__(self):
        return f"View of share {self.share_id} at {self.viewed_at:%Y-%m-%d %H:%M}"


class ContentUse(models.Model):
    """One use of an asset: shared, viewed by a prospect, put in a deck… Append-only."""

    asset = models.ForeignKey(ContentAsset, on_delete=models.CASCADE, related_name="uses")
    kind = models.CharField(max_length=10, choices=ContentUseKind.choices)
    channel = models.CharField(max_length=20, blank=True)
    used_at = models.DateTimeField()
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    share = models.ForeignKey(
        ContentShare, null=True, blank=True, on_delete=models.SET_NULL, related_name="uses"
    )
    request = models.ForeignKey(
        "asks.ReferenceRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-used_at", "-pk"]
        indexes = [models.Index(fields=["asset", "used_at"], name="content_use_asset_idx")]

    def __str__(self):
        return f"{self.kind} of {self.asset_id}"
