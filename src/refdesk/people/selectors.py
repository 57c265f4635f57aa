"""Reads about people shared by pages, API and CLI, already scoped to the caller."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import QuerySet

from refdesk.core.errors import Forbidden
from refdesk.people import permissions
from refdesk.people.models import AuditEntry, User


@dataclass
class AuditFilters:
    """What the audit page and `GET /api/audit` filter by."""

    kind: str = ""
    via: str = ""
    actor: str = ""
    contact_id: int | None = None
    since: date | None = None
    until: date | None = None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def audit_list(*, user, filters: AuditFilters | None = None) -> QuerySet[AuditEntry]:
    """The audit log, newest first; program managers only."""
    if not permissions.is_program_manager(user):
        raise Forbidden("Only a program manager can read the audit log.")
    filters = filters or AuditFilters()
    qs = AuditEntry.objects.select_related("actor")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.via:
        qs = qs.filter(via=filters.via)
    if filters.actor:
        qs = qs.filter(actor_label__icontains=filters.actor.strip())
    if filters.contact_id:
        qs = qs.filter(object_type="contact", object_ids_text__contains=f",{int(filters.contact_id)},")
    if filters.since:
        qs = qs.filter(at__gte=_day_start(filters.since))
    if filters.until:
        qs = qs.filter(at__lt=_day_start(filters.until + timedelta(days=1)))
    return qs.order_by("-at", "-pk")


def users_by_id(ids) -> dict[int, User]:
    """{id: user} for these ids (name and email only), in one query; none for no ids."""
    ids = list(ids)
    return User.objects.only("email", "first_name", "last_name").in_bulk(ids) if ids else {}
