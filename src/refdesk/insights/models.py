"""CRM opportunities (won, lost and open), their link to reference requests, and sent monthly summaries."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from refdesk.insights.choices import OpportunityStage


class Opportunity(models.Model):
    """A sales opportunity from the CRM, with or without references, so win rates can be compared."""

    crm_id = models.CharField("CRM id", max_length=100, unique=True)
    name = models.CharField(max_length=200, blank=True)
    prospect = models.CharField("prospect company", max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    stage = models.CharField(
        max_length=8, choices=OpportunityStage.choices, default=OpportunityStage.OPEN
    )
    created_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_on", "-pk"]
        verbose_name_plural = "opportunities"
        indexes = [
            models.Index(fields=["stage", "closed_on"], name="opportunity_stage_closed_idx"),
            models.Index(fields=["created_on"], name="opportunity_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stage=OpportunityStage.OPEN, closed_on__isnull=True)
                | (~models.Q(stage=OpportunityStage.OPEN) & models.Q(closed_on__isnull=False)),
                name="opportunity_closed_on_iff_closed",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | models.Q(closed_on__gte=models.F("created_on")),
                name="opportunity_closes_after_creation",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="opportunity_amount_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.crm_id} {self.prospect}"


class RequestOpportunity(models.Model):
    """Which opportunity a reference request was made for (at most one per request)."""

    request = models.OneToOneField(
        "asks.ReferenceRequest", on_delete=models.CASCADE, related_name="opportunity_link"
    )
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="request_links"
    )
    linked_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"request {self.request_id} for {self.opportunity_id}"


class MonthlySummary(models.Model):
    """The executives' summary for one calendar month: one row per month makes sending it idempotent."""

    month = models.DateField(unique=True, help_text="The first day of the month summarised")
    created_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-month"]
        verbose_name_plural = "monthly summaries"

    def __str__(self):
        return f"Summary of {self.month:%Y-%m}"
