"""Reference requests: what was asked, who is on it, when things are due, and what happened."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from refdesk.asks.choices import (
    ACTIVE_CANDIDATE_STATUSES,
    AutoApprove,
    CandidateStatus,
    EventKind,
    FeedbackSide,
    Fulfilment,
    RequestStatus,
    Stage,
)
from refdesk.pool.choices import ActivityType


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


class WorkflowPolicy(models.Model):
    """How requests are fulfilled: the program default (no activity type) or an override for one type."""

    activity_type = models.CharField(
        max_length=20, choices=ActivityType.choices, blank=True, default="", help_text="Blank: the program default"
    )
    fulfilment = models.CharField(max_length=20, choices=Fulfilment.choices, default=Fulfilment.PROGRAM_MANAGER)
    owner_approval = models.BooleanField(default=True, help_text="The account owner approves each use of their customer")
    feedback_required = models.BooleanField(default=False, help_text="A request closes only once the requester gave feedback")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["activity_type"]
        verbose_name_plural = "workflow policies"
        constraints = [models.UniqueConstraint(fields=["activity_type"], name="workflow_policy_one_per_type")]

    def __str__(self):
        return f"Workflow for {self.activity_type or 'every request'}"


class SlaPolicy(models.Model):
    """The program's service-level targets: one row, created with the defaults on first read."""

    candidates_within_hours = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(720)], help_text="Candidates proposed within (0 = at once)"
    )
    approval_within_hours = models.PositiveSmallIntegerField(
        default=8, validators=[MinValueValidator(1), MaxValueValidator(720)], help_text="Account owner answers within"
    )
    acceptance_within_hours = models.PositiveSmallIntegerField(
        default=24, validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text="A reference has accepted within this many hours of submission",
    )  # fmt: skip
    due_soon_hours = models.PositiveSmallIntegerField(
        default=72, validators=[MinValueValidator(1), MaxValueValidator(720)], help_text="'Due soon' from this close"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policy"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="sla_policy_single_row")]

    def __str__(self):
        return "SLA targets"


class OwnerApprovalPolicy(models.Model):
    """An account owner's standing answer: approve every request for their customers, some types, or none."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="approval_policy")
    mode = models.CharField(max_length=10, choices=AutoApprove.choices, default=AutoApprove.NEVER)
    activity_types = models.JSONField(default=list, blank=True, help_text="Auto-approved types when mode is 'types'")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.owner}: {self.get_mode_display()}"

    def approves(self, activity_type: str) -> bool:
        return self.mode == AutoApprove.ALWAYS or (self.mode == AutoApprove.TYPES and activity_type in self.activity_types)


class ReferenceRequest(models.Model):
    """Someone's ask for references for an opportunity, and where it stands."""

    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reference_requests")
    prospect = models.CharField("prospect company", max_length=200)
    industry = models.ForeignKey("pool.NaicsIndustry", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    industry_text = models.CharField(max_length=200, blank=True, help_text="The industry as it was written")
    employees = models.PositiveIntegerField(null=True, blank=True, validators=[MaxValueValidator(10_000_000)])
    country = models.CharField(max_length=2, blank=True)
    products = models.JSONField(default=list, blank=True)
    amount = models.DecimalField("opportunity amount", max_digits=14, decimal_places=2, null=True, blank=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    expected_close = models.DateField(null=True, blank=True)
    competitor = models.CharField("competitor in the deal", max_length=200, blank=True)
    activity_type = models.CharField(max_length=20, choices=ActivityType.choices, default=ActivityType.REFERENCE_CALL)
    references_needed = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    needed_by = models.DateField(null=True, blank=True)
    topics = models.CharField(max_length=1000, blank=True, help_text="Use cases the prospect cares about")
    notes = models.TextField(blank=True)
    requester_time_zone = models.CharField(max_length=64, default="UTC")

    status = models.CharField(max_length=20, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED)
    # The workflow as it was when the request was submitted: later policy changes do not move it.
    workflow = models.JSONField(default=dict)
    submitted_at = models.DateTimeField()
    candidates_proposed_at = models.DateTimeField(null=True, blank=True)
    in_progress_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Withdrawn, cancelled or expired")
    # SLA clocks, set at submission from the SLA policy.
    candidates_due_at = models.DateTimeField(null=True, blank=True)
    acceptance_due_at = models.DateTimeField(null=True, blank=True)
    # The next open target (a cache the services recompute), so the triage queue sorts by index.
    next_due_at = models.DateTimeField(null=True, blank=True)
    next_due_what = models.CharField(max_length=120, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_due_at"], name="request_status_due_idx"),
            models.Index(fields=["requester", "-submitted_at"], name="request_requester_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(references_needed__gte=1, references_needed__lte=5), name="request_needed_1_5"
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.prospect} ({self.get_activity_type_display()})"

    @property
    def is_open(self) -> bool:
        from refdesk.asks.choices import OPEN_REQUEST_STATUSES

        return self.status in OPEN_REQUEST_STATUSES


class RequestCandidate(models.Model):
    """One reference on a request: proposed by the matcher, then selected, approved, invited, booked."""

    request = models.ForeignKey(ReferenceRequest, on_delete=models.CASCADE, related_name="candidates")
    reference = models.ForeignKey("pool.ReferenceProfile", on_delete=models.PROTECT, related_name="request_candidates")
    status = models.CharField(max_length=20, choices=CandidateStatus.choices, default=CandidateStatus.PROPOSED)
    rank = models.PositiveSmallIntegerField(default=0)
    score = models.FloatField(default=0)
    explanation = models.JSONField(default=list, blank=True, help_text="The matcher's reasons when proposed")
    availability = models.CharField(max_length=20, blank=True)
    # Rotating the nonce revokes every link sent so far.
    link_nonce = models.CharField(max_length=32, default=new_nonce)
    selected_at = models.DateTimeField(null=True, blank=True)
    approval_requested_at = models.DateTimeField(null=True, blank=True)
    approval_due_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    scheduled_start = models.DateTimeField(null=True, blank=True)
    scheduled_end = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True, help_text="Why it was declined or cancelled")
    activity = models.ForeignKey("activities.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    # Kept by the database from `status`. Written as a column rather than `status IN (…)` because
    # the statuses would be bound as parameters, and a generic plan cannot tell how few rows they
    # match: with the reference's own index it read every past candidacy of a popular reference.
    active = models.GeneratedField(
        expression=models.ExpressionWrapper(
            models.Q(status__in=sorted(ACTIVE_CANDIDATE_STATUSES)), output_field=models.BooleanField()
        ),
        output_field=models.BooleanField(),
        db_persist=True,
        help_text="Selected, waiting for approval, approved, invited, accepted or scheduled",
    )

    class Meta:
        ordering = ["rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "reference"], name="candidate_once_per_request"),
            models.CheckConstraint(
                condition=models.Q(scheduled_start__isnull=True)
                | models.Q(scheduled_end__isnull=False, scheduled_end__gt=models.F("scheduled_start")),
                name="candidate_slot_ends_after_start",
            ),
        ]
        indexes = [
            # "Is this reference on an open request?" (asks.selectors.on_open_request), asked on
            # every match: an index of the few candidacies still in play, found by a condition
            # without parameters, so PostgreSQL's plan for the prepared statement uses it too.
            models.Index(fields=["reference"], condition=models.Q(active=True), name="candidate_active_reference_idx"),
            models.Index(fields=["status", "invited_at"], name="candidate_status_idx"),
        ]

    def __str__(self):
        return f"{self.reference_id} on request {self.request_id} ({self.status})"


class TimeSlot(models.Model):
    """A time proposed for the call (by the reference, or set by the requester), in UTC with each side's zone."""

    candidate = models.ForeignKey(RequestCandidate, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    proposed_by = models.CharField(max_length=10, choices=FeedbackSide.choices)
    time_zone = models.CharField(max_length=64, help_text="The zone of whoever proposed it")
    chosen = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.starts_at:%Y-%m-%d %H:%M} UTC"


class RequestEvent(models.Model):
    """One step on a request's timeline: who, when, from, to, why. Append-only; written by `asks.events`."""

    request = models.ForeignKey(ReferenceRequest, on_delete=models.CASCADE, related_name="events")
    candidate = models.ForeignKey(RequestCandidate, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=120, help_text="Who acted, as people read it")
    at = models.DateTimeField()
    reason = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["request", "at"], name="event_request_idx"),
            models.Index(fields=["kind", "at"], name="event_kind_idx"),
        ]

    def __str__(self):
        return f"{self.kind} on request {self.request_id}"


class Feedback(models.Model):
    """What one side said after the activity."""

    candidate = models.ForeignKey(RequestCandidate, on_delete=models.CASCADE, related_name="feedback")
    side = models.CharField(max_length=10, choices=FeedbackSide.choices)
    helped = models.BooleanField(null=True, blank=True, help_text="Requester: did it help the deal?")
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(blank=True)
    could_speak_to_subject = models.BooleanField(null=True, blank=True, help_text="Reference: could you speak to it?")
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    given_at = models.DateTimeField()

    class Meta:
        ordering = ["given_at"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "side"], name="feedback_once_per_side"),
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_5"),
        ]

    def __str__(self):
        return f"{self.side} feedback on {self.candidate_id}: {self.rating}/5"


class MatchingHold(models.Model):
    """A reference held back from matching after a poor rating, until a program manager has reviewed it."""

    reference = models.ForeignKey("pool.ReferenceProfile", on_delete=models.CASCADE, related_name="matching_holds")
    candidate = models.ForeignKey(RequestCandidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    review_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"], condition=models.Q(released_at__isnull=True), name="hold_one_open_per_reference"
            ),
        ]

    def __str__(self):
        return f"Hold on {self.reference_id}"
