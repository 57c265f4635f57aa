"""The points ledger, earn rules, catalogue, redemptions, thank-yous and contests."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from refdesk.rewards.choices import (
    RULE_KEYS,
    EntryKind,
    ItemKind,
    RedemptionStatus,
    RefusalCode,
    ThankYouStatus,
)


class RewardSettings(models.Model):
    """The program's reward settings: one row, created with the defaults on first read."""

    expiry_months = models.PositiveSmallIntegerField(
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="Points expire this many months after they were earned",
    )
    expiry_notice_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Tell people this many days before points expire",
    )
    yearly_value_cap = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("250.00"), validators=[MinValueValidator(Decimal("0"))],
        help_text="Most a person may receive in a calendar year, in money (compliance)",
    )  # fmt: skip
    currency = models.CharField(max_length=3, default="USD")
    thank_you_due_days = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="A thank-you is due this many days after an activity",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "reward settings"
        verbose_name_plural = "reward settings"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="reward_settings_single_row")]

    def __str__(self):
        return "Reward settings"


class EarnRule(models.Model):
    """Points for one activity type (the reference earns) or one sales action (the salesperson earns)."""

    key = models.CharField(max_length=20, choices=RULE_KEYS, unique=True)
    points = models.PositiveIntegerField(validators=[MaxValueValidator(1_000_000)])
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["key"]

    def __str__(self):
        return f"{self.get_key_display()}: {self.points}"


class PointsHolder(models.Model):
    """Whoever holds points: a reference (customer contact) or a user (salesperson).

    `balance` is a cache of the sum of the holder's ledger entries, written in the same
    transaction as each entry and rebuildable with `holder_balance_rebuild`. The row is also
    what a redemption locks, so two redemptions at once are served one after the other.
    """

    reference = models.OneToOneField(
        "pool.ReferenceProfile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="points_holder",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="points_holder",
    )
    balance = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(reference__isnull=False, user__isnull=True)
                | Q(reference__isnull=True, user__isnull=False),
                name="holder_reference_xor_user",
            ),
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="holder_balance_never_negative"
            ),
        ]

    def __str__(self):
        if self.reference_id:
            return f"reference #{self.reference_id}"
        return f"user #{self.user_id}"


class LedgerEntry(models.Model):
    """One movement of points. Append-only: written by one function per kind in `rewards.services`.

    Points are signed: earn and returns add, redemptions and expiry take away, adjustments either.
    `source_key` names what caused the entry (``activity:12``, ``sharing:7``…); its unique
    constraint makes every credit idempotent.
    """

    holder = models.ForeignKey(PointsHolder, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    points = models.IntegerField()
    balance_after = models.IntegerField()
    at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="For points added: when they lapse"
    )
    rule = models.CharField(max_length=20, blank=True, help_text="The earn rule that applied")
    reason = models.CharField(max_length=300)
    source_key = models.CharField(max_length=80, blank=True, default="")
    activity = models.ForeignKey(
        "activities.Activity", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    redemption = models.ForeignKey(
        "rewards.Redemption",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "ledger entries"
        indexes = [
            models.Index(fields=["holder", "at"], name="ledger_holder_at_idx"),
            models.Index(fields=["kind", "at"], name="ledger_kind_at_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "kind"],
                condition=Q(activity__isnull=False),
                name="ledger_once_per_activity_kind",
            ),
            models.UniqueConstraint(
                fields=["source_key"], condition=~Q(source_key=""), name="ledger_source_once"
            ),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="ledger_balance_after_never_negative"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["earn", "reverse"], points__gt=0)
                    | Q(kind__in=["redeem", "expire"], points__lt=0)
                    | Q(kind="adjust") & ~Q(points=0)
                ),
                name="ledger_points_sign_by_kind",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.points:+d} for {self.holder}"


class CatalogueItem(models.Model):
    """Something points buy: a gift card, a service, a discount, training, an event pass, a donation, a thank-you."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=ItemKind.choices)
    description = models.TextField(blank=True)
    points_cost = models.PositiveIntegerField(validators=[MaxValueValidator(10_000_000)])
    stock = models.PositiveIntegerField(null=True, blank=True, help_text="Blank: unlimited")
    countries = models.JSONField(
        default=list, blank=True, help_text="ISO codes where it can be fulfilled; empty: anywhere"
    )
    value = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(max_length=3, default="USD")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["points_cost", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stock__isnull=True) | Q(stock__gte=0),
                name="catalogue_stock_never_negative",
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="catalogue_value_not_negative"),
        ]

    def __str__(self):
        return self.name


class Redemption(models.Model):
    """Points turned into an item: requested (points taken) → approved → fulfilled, or refused (points returned)."""

    holder = models.ForeignKey(PointsHolder, on_delete=models.PROTECT, related_name="redemptions")
    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, related_name="redemptions")
    points = models.PositiveIntegerField()
    value = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    status = models.CharField(
        max_length=12, choices=RedemptionStatus.choices, default=RedemptionStatus.REQUESTED
    )
    note = models.CharField(
        max_length=500, blank=True, help_text="e.g. which charity, where to send it"
    )
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["status", "requested_at"], name="redemption_status_idx")]

    def __str__(self):
        return f"{self.item} for {self.holder} ({self.status})"


class RewardRefusal(models.Model):
    """A credit or redemption Refdesk refused, and why; the program manager reviews them."""

    code = models.CharField(max_length=24, choices=RefusalCode.choices)
    reason = models.CharField(max_length=500)
    key = models.CharField(
        max_length=120,
        blank=True,
        default="",
        help_text="Repeats of the same refusal are logged once",
    )
    holder = models.ForeignKey(
        PointsHolder, null=True, blank=True, on_delete=models.SET_NULL, related_name="refusals"
    )
    activity = models.ForeignKey(
        "activities.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    item = models.ForeignKey(
        CatalogueItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    redemption = models.ForeignKey(
        Redemption, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~Q(key=""), name="refusal_logged_once"
            )
        ]

    def __str__(self):
        return f"{self.code}: {self.reason}"


class ThankYouTemplate(models.Model):
    """A note the program manager keeps for thanking references; placeholders {name}, {activity}, {date}, {sender}."""

    name = models.CharField(max_length=120)
    activity_type = models.CharField(max_length=20, blank=True, help_text="Blank: any activity")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ThankYouTask(models.Model):
    """The thank-you every completed activity is owed, due within days."""

    activity = models.OneToOneField(
        "activities.Activity", on_delete=models.PROTECT, related_name="thank_you"
    )
    reference = models.ForeignKey(
        "pool.ReferenceProfile", on_delete=models.PROTECT, related_name="thank_yous"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="thank_you_tasks",
        help_text="The account owner; program managers when there is none",
    )  # fmt: skip
    status = models.CharField(
        max_length=10, choices=ThankYouStatus.choices, default=ThankYouStatus.OPEN
    )
    created_at = models.DateTimeField()
    due_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    template = models.ForeignKey(
        ThankYouTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["status", "due_at"], name="thankyou_status_due_idx")]

    def __str__(self):
        return f"Thank-you for activity {self.activity_id} ({self.status})"


class ExpiryNotice(models.Model):
    """A notice that points will expire; one per holder per expiry day keeps the sweep idempotent."""

    holder = models.ForeignKey(
        PointsHolder, on_delete=models.CASCADE, related_name="expiry_notices"
    )
    expires_on = models.DateField()
    points = models.PositiveIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["holder", "expires_on"], name="expiry_notice_once")
        ]

    def __str__(self):
        return f"{self.points} points of {self.holder} expire {self.expires_on}"


class Contest(models.Model):
    """A contest between salespeople: the points they earn between two dates, with prizes by rank."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    team = models.CharField(max_length=100, blank=True, help_text="Blank: everyone")
    prizes = models.JSONField(
        default=list, blank=True, help_text="Prizes by rank: first place first"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="contest_ends_after_start"
            )
        ]

    def __str__(self):
        return self.name
