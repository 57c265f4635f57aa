"""Insights API: thin doors onto insights services and selectors. One GET per figure, one for the whole dashboard."""

import datetime as dt
from typing import Literal

from ninja import Query, Router

from refdesk.core.schemas import ERRORS, Limit, Offset
from refdesk.insights import selectors, services
from refdesk.insights.schemas import (
    InsightDashboardOut,
    InsightFigureOut,
    InsightRowsOut,
    OpportunityIn,
    OpportunityPageOut,
    OpportunityUpsertOut,
)

router = Router(tags=["insights"])

FigureKey = Literal[selectors.FIGURE_KEYS]  # type: ignore[valid-type]
FROM = Query(None, alias="from", description="First day (YYYY-MM-DD); default 90 days before 'to'")
TO = Query(None, alias="to", description="Last day (YYYY-MM-DD); default today")


def _opportunity(o) -> dict:
    return {"id": o.pk, "crm_id": o.crm_id, "name": o.name, "prospect": o.prospect, "owner_email": o.owner.email if o.owner else None,
            "amount": o.amount, "stage": o.stage, "created_on": o.created_on, "closed_on": o.closed_on,
            "influenced": bool(getattr(o, "influenced", False))}  # fmt: skip


@router.get(
    "/insights/dashboard",
    response={200: InsightDashboardOut, **ERRORS},
    url_name="insights_dashboard",
)
def insights_dashboard(request, date_from: dt.date | None = FROM, date_to: dt.date | None = TO, fresh: bool = False):
    """Every figure of the dashboard for the period (computed at most REFDESK_INSIGHTS_MAX_AGE seconds ago; fresh=true recomputes)."""
    selectors.require_read(request.user)
    period = selectors.period_parse(date_from, date_to)
    snapshot = selectors.dashboard_snapshot(user=request.user, period=period, fresh=fresh)
    return {
        "period": {"start": period.start, "end": period.end},
        "figures": [f.as_dict() for f in snapshot.figures],
        "computed_at": snapshot.computed_at,
    }


@router.get(
    "/insights/rows/{figure}", response={200: InsightRowsOut, **ERRORS}, url_name="insights_rows"
)
def insights_rows(request, figure: FigureKey, date_from: dt.date | None = FROM, date_to: dt.date | None = TO,
                  limit: Limit = 50, offset: Offset = 0):  # fmt: skip
    """The rows behind one figure, a page at a time."""
    selectors.require_read(request.user)
    period = selectors.period_parse(date_from, date_to)
    rows = selectors.figure_rows(user=request.user, key=figure, period=period)
    items = [list(r) for r in rows.queryset[offset : offset + limit]]
    return {"key": rows.key, "title": rows.title, "columns": rows.columns, "count": rows.queryset.count(), "limit": limit,
            "offset": offset, "items": items}  # fmt: skip


def _figure_view(key: str):
    def view(request, date_from: dt.date | None = FROM, date_to: dt.date | None = TO):
        selectors.require_read(request.user)
        period = selectors.period_parse(date_from, date_to)
        return selectors.figure_get(user=request.user, key=key, period=period).as_dict()

    view.__name__ = f"insights_{key}"
    view.__doc__ = (selectors.FIGURES[key].__doc__ or key).strip().splitlines()[0]
    return view


for _key in selectors.FIGURE_KEYS:
    router.get(f"/insights/{_key}", response={200: InsightFigureOut, **ERRORS}, url_name=f"insights_{_key}",
               operation_id=f"insights_{_key}", summary=selectors.FIGURES[_key].__doc__.splitlines()[0][:80])(_figure_view(_key))  # fmt: skip


@router.get(
    "/insights/opportunities",
    response={200: OpportunityPageOut, **ERRORS},
    url_name="insights_opportunities",
)
def opportunity_list(
    request, stage: Literal["", "open", "won", "lost"] = "", limit: Limit = 50, offset: Offset = 0
):
    """CRM opportunities, newest first, with whether a completed reference influenced each."""
    qs = selectors.opportunity_list(user=request.user, stage=stage)
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": [_opportunity(o) for o in qs[offset : offset + limit]],
    }


@router.post(
    "/insights/opportunities",
    response={200: OpportunityUpsertOut, **ERRORS},
    url_name="insights_opportunity_upsert",
)
def opportunity_upsert(request, payload: OpportunityIn):
    """Create or update an opportunity by its CRM id, and link the requests made for it."""
    data = payload.dict(exclude_none=True)
    opportunity, action = services.opportunity_upsert(actor=request.user, data=data)
    opportunity = selectors.opportunity_list(user=request.user).get(pk=opportunity.pk)
    return {"action": action, "opportunity": _opportunity(opportunity)}
