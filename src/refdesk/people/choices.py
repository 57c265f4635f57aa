from django.db import models


class Role(models.TextChoices):
    PROGRAM_MANAGER = "program_manager", "Program manager"
    SALES_REP = "sales_rep", "Sales rep"
    REQUESTER = "requester", "Marketing / PR / product"
    EXECUTIVE = "executive", "Executive (read-only)"
