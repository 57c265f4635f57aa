"""Statuses and kinds for growing the pool."""

from django.db import models


class NominationKind(models.TextChoices):
    HAPPY_CUSTOMER = "happy_customer", "Happy customer"
    POCKET_REFERENCE = "pocket_reference", "Pocket reference"


class NominationStatus(models.TextChoices):
    # After review the reference profile carries the stage (candidate → invited → active/declined).
    SUBMITTED = "submitted", "Awaiting review"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class EscalationStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class SurveyKind(models.TextChoices):
    NPS = "nps", "NPS (0–10)"
    CSAT = "csat", "CSAT (1–5)"


class MilestoneKind(models.TextChoices):
    KICK_OFF = "kick_off", "Kick-off"
    GO_LIVE = "go_live", "Go-live"
    CHECK_IN = "check_in", "Check-in"
    FOLLOW_UP = "follow_up", "Onboarding follow-up due"


class GiveBackKind(models.TextChoices):
    PUBLICITY = "publicity", "Publicity for them"
    TRAINING = "training", "Training"
    INTRODUCTION = "introduction", "Introduction"
    REFERRAL = "referral", "Referral passed to them"
    EVENT = "event", "Event pass or invitation"
    OTHER = "other", "Other"
