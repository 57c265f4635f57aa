"""Stages of a CRM opportunity as Refdesk reads them."""

from django.db import models


class OpportunityStage(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Closed won"
    LOST = "lost", "Closed lost"
