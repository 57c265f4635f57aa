"""Referral leads, their sources and referrers, targets, the ask plan, fees, thank-yous and costs."""

from decimal import Decimal

from django.conf import settings
from django.db import models

from refdesk.referrals.choices import (
    FeeKind,
    FeeStatus,
    LeadSource,
    LeadStage,
    Payee,
    PlanStatus,
    ThankYouOccasion,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class ReferralLead(models.Model):
    """A prospective buyer someone referred to us, with the source, referrer and where the deal stands."""

    company = models.CharField(max_length=200)
    company_key = models.CharField(
        max_length=200, db_index=True, editable=False, help_text="Normalised name for duplicates"
    )
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True, db_index=True)
    source = models.CharField(max_length=10, choices=LeadSource.choices)
    referrer_contact = models.ForeignKey(
        "pool.Contact",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_made",
    )
    referrer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_made",
    )
    referrer_name = models.CharField(
        max_length=200, blank=True, help_text="Partner, event or web source by name"
    )
    referrer_email = models.EmailField(blank=True, help_text="Where progress updates go")
    surfaced_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals_surfaced",
                                    help_text="The employee (sales, service or support) who surfaced it")  # fmt: skip
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referral_leads",
    )
    stage = models.CharField(max_length=10, choices=LeadStage.choices, default=LeadStage.NEW)
    expected_value = models.DecimalField(**MONEY, null=True, blank=True)
    amount = models.DecimalField("won amount", **MONEY, null=True, blank=True)
    lost_reason = models.CharField(max_length=300, blank=True)
    products = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    received_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["source", "stage"], name="lead_source_stage_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(stage="won") | models.Q(amount__isnull=False),
                name="lead_won_has_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=Decimal("0")),
                name="lead_amount_positive",
            ),
        ]

    def __str__(self):
        return f"{self.company} ({self.get_source_display()})"

    @property
    def referrer_label(self) -> str:
        if self.referrer_contact_id:
            return f"{self.referrer_contact.name} ({self.referrer_contact.account.name})"
        if self.referrer_user_id:
            return self.referrer_user.display_name
        return self.referrer_name or "—"


class LeadEvent(models.Model):
    """Append-only timeline of a lead: arrival, stage changes, referrer updates, fees, thank-yous."""

    lead = models.ForeignKey(ReferralLead, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30)
    text = models.CharField(max_length=500)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return self.text


class ReferralThankYou(models.Model):
    """A thank-you owed to a referrer when their referral arrives and again when it closes."""

    lead = models.ForeignKey(ReferralLead, on_delete=models.CASCADE, related_name="thank_yous")
    occasion = models.CharField(max_length=10, choices=ThankYouOccasion.choices)
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["lead", "occasion"], name="thank_you_once_per_occasion")
        ]

    def __str__(self):
        return f"Thank-you ({self.occasion}) for lead {self.lead_id}"


class ReferralTarget(models.Model):
    """How many referrals, worth how much, we aim for in a period."""

    label = models.CharField(max_length=100)
    starts_on = models.DateField()
    ends_on = models.DateField()
    lead_count = models.PositiveIntegerField(help_text="Referral leads wanted in the period")
    value = models.DecimalField(
        "expected value", **MONEY, help_text="Won value wanted from referrals in the period"
    )

    class Meta:
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="target_period_order"
            )
        ]

    def __str__(self):
        return self.label


class AskPlanItem(models.Model):
    """One person to ask for a referral: who asks, by when, when to review, and how it went."""

    contact = models.ForeignKey(
        "pool.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    partner_name = models.CharField(max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ask_plan_items"
    )
    due_on = models.DateField()
    review_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.PLANNED)
    completed_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self):
        return f"Ask {self.who} by {self.due_on}"

    @property
    def who(self) -> str:
        return (
            f"{self.contact.name} ({self.contact.account.name})"
            if self.contact_id
            else self.partner_name
        )


class FeeRule(models.Model):
    """What we pay for a won referral from a source: a share of the sale or a flat amount, part of it to the employee."""

    name = models.CharField(max_length=100)
    source = models.CharField(
        max_length=10, choices=LeadSource.choices, blank=True, help_text="Blank: any source"
    )
    kind = models.CharField(max_length=8, choices=FeeKind.choices)
    percent = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, help_text="Of the won amount"
    )
    flat_amount = models.DecimalField(**MONEY, null=True, blank=True)
    employee_share_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"),
                                                 help_text="Of the fee, credited to the employee who surfaced the referral")  # fmt: skip
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["source", "name"]

    def __str__(self):
        return self.name


class ReferralFee(models.Model):
    """A fee owed (then paid) for a won referral, to the referrer or the employee who surfaced it."""

    lead = models.ForeignKey(ReferralLead, on_delete=models.PROTECT, related_name="fees")
    rule = models.ForeignKey(FeeRule, null=True, on_delete=models.SET_NULL, related_name="+")
    payee = models.CharField(max_length=10, choices=Payee.choices)
    payee_label = models.CharField(max_length=200)
    payee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referral_fees",
    )
    amount = models.DecimalField(**MONEY)
    status = models.CharField(max_length=5, choices=FeeStatus.choices, default=FeeStatus.OWED)
    paid_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["lead", "payee"], name="fee_once_per_lead_payee")
        ]

    def __str__(self):
        return f"{self.amount} to {self.payee_label} ({self.status})"


class SourceCost(models.Model):
    """What a lead costs from a channel, entered so referral leads can be set beside other sources."""

    channel = models.CharField(
        max_length=100, unique=True, help_text="e.g. Paid search, Trade shows, or a referral source"
    )
    cost_per_lead = models.DecimalField(**MONEY)
    note = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["channel"]

    def __str__(self):
        return f"{self.channel}: {self.cost_per_lead} per lead"


class PassedReferral(models.Model):
    """A referral we passed to a customer: a prospect of theirs we introduced."""

    account = models.ForeignKey(
        "pool.Account", on_delete=models.CASCADE, related_name="referrals_received"
    )
    company = models.CharField(max_length=200)
    contact_name = models.CharField(max_length=200, blank=True)
    passed_on = models.DateField()
    note = models.CharField(max_length=500, blank=True)
    passed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-passed_on", "-pk"]

    def __str__(self):
        return f"{self.company} passed to {self.account_id}"
