"""Growing the pool: nominations, wish lists, readiness, freshness, satisfaction, onboarding, give-backs."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from refdesk.growth.choices import (
    EscalationStatus,
    GiveBackKind,
    MilestoneKind,
    NominationKind,
    NominationStatus,
    SurveyKind,
)


class GrowthSettings(models.Model):
    """The program's growth rules: readiness thresholds, freshness, the sharing rule. One row."""

    min_live_days = models.PositiveSmallIntegerField(
        default=90,
        validators=[MaxValueValidator(3650)],
        help_text="Live at least this many days before asking",
    )
    min_nps = models.PositiveSmallIntegerField(
        default=9, validators=[MaxValueValidator(10)], help_text="Latest NPS at least this"
    )
    stale_after_days = models.PositiveSmallIntegerField(
        default=182, validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text="A profile not confirmed for this long is stale",
    )  # fmt: skip
    sharing_rule = models.BooleanField(
        default=False,
        help_text="Reps who keep their customers out of the pool may only request their own accounts",
    )
    sharing_min_percent = models.PositiveSmallIntegerField(
        default=25, validators=[MaxValueValidator(100)],
        help_text="Share of a rep's accounts that must have an active reference to count as sharing",
    )  # fmt: skip
    giveback_gap = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="Flag a customer when asks exceed gives by this many",
    )  # fmt: skip
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "growth settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="growth_settings_single_row")
        ]

    def __str__(self):
        return "Growth settings"


class Nomination(models.Model):
    """A salesperson's suggestion that a customer contact become a reference, and why."""

    contact = models.ForeignKey(
        "pool.Contact", on_delete=models.CASCADE, related_name="nominations"
    )
    nominator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="nominations"
    )
    kind = models.CharField(
        max_length=20, choices=NominationKind.choices, default=NominationKind.HAPPY_CUSTOMER
    )
    reason = models.TextField()
    status = models.CharField(
        max_length=12, choices=NominationStatus.choices, default=NominationStatus.SUBMITTED
    )
    reference = models.ForeignKey(
        "pool.ReferenceProfile",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nominations",
    )
    decline_reason = models.CharField(max_length=500, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    credited_points = models.IntegerField(
        default=0, help_text="Points the nominator earned (0: none)"
    )
    credit_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-created_at"], name="nomination_status_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["contact"],
                condition=models.Q(status="submitted"),
                name="nomination_one_open_per_contact",
            ),
        ]

    def __str__(self):
        return f"Nomination of {self.contact} by {self.nominator}"

    @property
    def stage(self) -> str:
        """Where the nominee stands: the review, then the reference's own status."""
        if self.status == NominationStatus.ACCEPTED and self.reference_id:
            return self.reference.status
        return self.status


class WishListEntry(models.Model):
    """An account a salesperson wishes were a reference."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wishes"
    )
    account = models.ForeignKey("pool.Account", on_delete=models.CASCADE, related_name="wishes")
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "wish list entries"
        constraints = [
            models.UniqueConstraint(fields=["user", "account"], name="wish_once_per_user_account")
        ]

    def __str__(self):
        return f"{self.user} wishes for {self.account}"


class Escalation(models.Model):
    """A support or relationship escalation at an account; an open one means 'do not ask now'."""

    account = models.ForeignKey(
        "pool.Account", on_delete=models.CASCADE, related_name="escalations"
    )
    summary = models.CharField(max_length=300)
    status = models.CharField(
        max_length=8, choices=EscalationStatus.choices, default=EscalationStatus.OPEN
    )
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "-pk"]
        indexes = [models.Index(fields=["account", "status"], name="escalation_account_idx")]

    def __str__(self):
        return f"{self.summary} ({self.status})"


class ProfileConfirmation(models.Model):
    """When a reference last confirmed their profile is right, and when we asked them to."""

    reference = models.OneToOneField(
        "pool.ReferenceProfile", on_delete=models.CASCADE, related_name="confirmation"
    )
    last_confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.CharField(
        max_length=100, blank=True, help_text="'portal' or a user's email"
    )
    reconfirm_requested_at = models.DateTimeField(null=True, blank=True)
    nonce = models.CharField(max_length=24, blank=True)

    def __str__(self):
        return f"Confirmation of {self.reference_id}"


class SurveyResponse(models.Model):
    """One NPS or CSAT answer from a customer contact, as imported from a survey tool."""

    contact = models.ForeignKey(
        "pool.Contact", on_delete=models.CASCADE, related_name="survey_responses"
    )
    kind = models.CharField(max_length=4, choices=SurveyKind.choices)
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(10)])
    answered_on = models.DateField()
    comment = models.TextField(blank=True)
    source = models.CharField(max_length=200, blank=True, help_text="The file it came from")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-answered_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "kind", "answered_on"], name="survey_one_per_contact_kind_day"
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.score} on {self.answered_on}"


class OnboardingMilestone(models.Model):
    """A kick-off, go-live, check-in or follow-up at an account."""

    account = models.ForeignKey("pool.Account", on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=12, choices=MilestoneKind.choices)
    occurred_on = models.DateField(help_text="When it happened (or is due, for a follow-up)")
    note = models.CharField(max_length=500, blank=True)
    done = models.BooleanField(default=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.occurred_on}"


class Win(models.Model):
    """A closed-won opportunity from the CRM; it makes its champion a candidate reference."""

    external_id = models.CharField("opportunity id", max_length=100, unique=True)
    account = models.ForeignKey("pool.Account", on_delete=models.PROTECT, related_name="wins")
    contact = models.ForeignKey("pool.Contact", on_delete=models.PROTECT, related_name="wins")
    reference = models.ForeignKey(
        "pool.ReferenceProfile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    closed_on = models.DateField()
    products = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-closed_on", "-pk"]

    def __str__(self):
        return f"Win {self.external_id}"


class GiveBack(models.Model):
    """Something we did for a customer: publicity, training, an introduction, a referral passed to them."""

    account = models.ForeignKey("pool.Account", on_delete=models.CASCADE, related_name="givebacks")
    contact = models.ForeignKey(
        "pool.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=14, choices=GiveBackKind.choices)
    occurred_on = models.DateField()
    note = models.CharField(max_length=500, blank=True)
    value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_key = models.CharField(
        max_length=100, blank=True, help_text="Set when another part of Refdesk logged it"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_key"],
                condition=~models.Q(source_key=""),
                name="giveback_source_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(value__isnull=True) | models.Q(value__gte=Decimal("0")),
                name="giveback_value_positive",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.account_id} on {self.occurred_on}"
