"""Reads about people shared by pages, API and CLI, already scoped to the caller."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import DEFAULT_DB_ALIAS
from django.db.models import QuerySet

from refdesk.core.compiled import compiled_rows
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
    """{id: user} for these ids (name and email only), in one query compiled once per number of
    ids (the owners on every page of the API's references list); none for no ids."""
    ids = sorted(ids)
    if not ids:
        return {}
    # In the model's order of fields: how `Model.from_db` reads a row of only some of them.
    columns = [name for name in _user_columns() if name in ("id", "email", "first_name", "last_name")]

    def build(ids):
        return User.objects.filter(pk__in=ids).order_by().values_list(*columns)

    rows = compiled_rows(("people: users by id",), build, ids=ids)
    return {row[0]: User.from_db(DEFAULT_DB_ALIAS, columns, row) for row in rows}


def _user_columns() -> list[str]:
    return [field.attname for field in User._meta.concrete_fields]


def _user_from(values) -> User:
    return User.from_db(DEFAULT_DB_ALIAS, _user_columns(), values)


def active_token_holder(*, key_hash: str) -> tuple[int, datetime | None, User] | None:
    """(token id, last used, its user) for an unrevoked API token of an active user, or None.

    Asked on every API call: the query is compiled once (`core.compiled`), and the user is built
    from its row, as the ORM would."""
    from refdesk.people.models import ApiToken

    def build(key_hash):
        return (
            ApiToken.objects.filter(key_hash=key_hash, revoked_at__isnull=True, user__is_active=True)
            .order_by()
            .values_list("pk", "last_used_at", *(f"user__{name}" for name in _user_columns()))
        )

    rows = compiled_rows(("people: active token holder",), build, key_hash=key_hash)
    if not rows:  # key_hash is unique: one row at most
        return None
    token_id, last_used_at, *user = rows[0]
    return token_id, last_used_at, _user_from(user)


def active_user(user_id: int) -> User | None:
    """The user a logged-in session names, for each page request (compiled once, as above);
    None if there is none. Whether they may still log in is the authentication backend's call."""

    def build(user_id):
        return User.objects.filter(pk=user_id).order_by().values_list(*_user_columns())

    rows = compiled_rows(("people: session user",), build, user_id=user_id)
    return _user_from(rows[0]) if rows else None
