"""`GET /api/audit`: the audit log for program managers (thin door onto `people.selectors.audit_list`)."""

from datetime import date, datetime

from ninja import Field, Query, Router, Schema

from refdesk.core.schemas import ERRORS, Limit, Offset, page
from refdesk.people import selectors

router = Router(tags=["audit"])


class AuditQuery(Schema):
    kind: str = Field("", max_length=20)
    via: str = Field("", max_length=8)
    actor: str = Field("", max_length=254)
    contact_id: int | None = Field(None, ge=1, le=2**62)
    since: date | None = None
    until: date | None = None


class AuditEntryOut(Schema):
    id: int
    at: datetime
    actor_id: int | None
    actor: str
    kind: str
    via: str
    object_type: str
    object_ids: list[int]
    count: int
    ip: str | None
    detail: str


class AuditPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AuditEntryOut]


@router.get("/audit", response={200: AuditPage, **ERRORS}, summary="Read the audit log")
def list_audit(request, filters: Query[AuditQuery], limit: Limit = 50, offset: Offset = 0):
    """Who saw contact details or exported personal data, newest first. Program managers only."""
    qs = selectors.audit_list(user=request.user, filters=selectors.AuditFilters(**filters.model_dump()))
    result = page(qs, limit=limit, offset=offset)
    result["items"] = [
        {
            "id": e.pk, "at": e.at, "actor_id": e.actor_id, "actor": e.actor_label, "kind": e.kind, "via": e.via,
            "object_type": e.object_type, "object_ids": e.object_ids, "count": e.count, "ip": e.ip, "detail": e.detail,
        }
        for e in result["items"]
    ]
    return result
