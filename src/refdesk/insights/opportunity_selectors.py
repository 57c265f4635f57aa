"""Reads about CRM opportunities for the opportunities page and for filing a request.

Kept apart from `selectors.py` (the figures) so the two can change independently. The list
builds on `selectors.opportunity_list`, which owns the permission scope and the "influenced" flag.
"""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from refdesk.insights import selectors
from refdesk.insights.choices import OpportunityStage
from refdesk.insights.models import Opportunity, RequestOpportunity

SUGGESTIONS = 50  # open opportunities offered when filing a request


def opportunity_page_list(*, user, stage: str = "") -> QuerySet[Opportunity]:
    """Opportunities for the page, newest first, with `influenced` and `linked_requests` (how many requests name each)."""
    linked = (
        RequestOpportunity.objects.filter(opportunity=OuterRef("pk"))
        .order_by()
        .values("opportunity")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # A correlated count rather than a JOIN + GROUP BY: the page reads 50 rows, and the
    # "influenced" EXISTS beside it stays a per-row subquery too.
    return selectors.opportunity_list(user=user, stage=stage).annotate(
        linked_requests=Coalesce(Subquery(linked, output_field=IntegerField()), Value(0))
    )


def opportunity_get(*, user, crm_id: str) -> Opportunity | None:
    """One opportunity by CRM id, for someone allowed to read insights (None when there is none)."""
    return selectors.opportunity_list(user=user).filter(crm_id=crm_id).first()


def opportunity_by_crm_id(crm_id: str) -> Opportunity | None:
    """The opportunity with this CRM id, unscoped (for services that check a named deal)."""
    crm_id = (crm_id or "").strip()
    if not crm_id:
        return None
    return Opportunity.objects.filter(crm_id=crm_id).first()


def opportunity_suggestions(*, user) -> list[tuple[str, str]]:
    """(CRM id, label) of the user's own open opportunities, newest first, to pick from when filing a request."""
    if not (user and user.is_authenticated):
        return []
    rows = (
        Opportunity.objects.filter(owner=user, stage=OpportunityStage.OPEN)
        .order_by("-created_on", "-pk")
        .values_list("crm_id", "prospect", "name")[:SUGGESTIONS]
    )
    return [
        (crm_id, f"{prospect} — {name}" if name else prospect) for crm_id, prospect, name in rows
    ]


def opportunity_of_request(*, request_id: int) -> Opportunity | None:
    """The opportunity a request was made for, if one is linked (the caller has already authorized the request)."""
    link = (
        RequestOpportunity.objects.filter(request_id=request_id)
        .select_related("opportunity")
        .first()
    )
    return link.opportunity if link else None
