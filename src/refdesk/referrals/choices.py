from django.db import models


class LeadSource(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    PARTNER = "partner", "Partner"
    EMPLOYEE = "employee", "Employee"
    EVENT = "event", "Event"
    WEB = "web", "Web"


class LeadStage(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    QUALIFIED = "qualified", "Qualified"
    PROPOSAL = "proposal", "Proposal"
    WON = "won", "Closed won"
    LOST = "lost", "Closed lost"


OPEN_STAGES = (LeadStage.NEW, LeadStage.CONTACTED, LeadStage.QUALIFIED, LeadStage.PROPOSAL)
STAGE_ORDER = [s.value for s in LeadStage]


class FeeKind(models.TextChoices):
    PERCENT = "percent", "Percentage of the sale"
    FLAT = "flat", "Flat amount"


class FeeStatus(models.TextChoices):
    OWED = "owed", "Owed"
    PAID = "paid", "Paid"


class Payee(models.TextChoices):
    REFERRER = "referrer", "Referrer"
    EMPLOYEE = "employee", "Employee who surfaced it"


class PlanStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ASKED = "asked", "Asked"
    REFERRED = "referred", "Referred someone"
    DECLINED = "declined", "Declined"
    DONE = "done", "Done"


class ThankYouOccasion(models.TextChoices):
    ARRIVAL = "arrival", "Referral arrived"
    CLOSE = "close", "Referral closed"
