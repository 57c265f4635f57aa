"""Writes about people: users, their API tokens, and the audit log of personal-data access."""

import getpass
import secrets

from django.db import transaction
from django.utils import timezone

from refdesk.core.errors import Conflict, InvalidInput, NotFound
from refdesk.people.audit import current_ip
from refdesk.people.choices import Role
from refdesk.people.models import ApiToken, AuditEntry, AuditKind, AuditVia, User
from refdesk.people.selectors import active_token_holder


def user_create(
    *,
    email: str,
    role: str = Role.SALES_REP,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    team: str = "",
) -> User:
    """Create a user; without a password they cannot log in until invited."""
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        raise InvalidInput("A valid email is required.", details={"email": "Enter a valid email."})
    if role not in Role.values:
        raise InvalidInput(f"Unknown role {role!r}.", details={"role": f"Choose one of {', '.join(Role.values)}."})
    if User.objects.filter(email=email).exists():
        raise Conflict(f"A user with email {email} already exists.")
    return User.objects.create_user(
        email,
        password,
        role=role,
        first_name=first_name,
        last_name=last_name,
        team=team,
        is_staff=role == Role.PROGRAM_MANAGER,
    )


def user_get_or_create_owner(*, email: str) -> User:
    """The sales rep who owns an account, created (unable to log in until invited) if new."""
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user:
        return user
    return User.objects.create_user(email, None, role=Role.SALES_REP)


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue an API token; the raw key is returned once and never stored."""
    name = (name or "").strip() or "API token"
    key = "rd_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=key[:10], key_hash=ApiToken.hash_key(key))
    return token, key


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens."""
    updated = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if updated != 1:
        raise NotFound("No such active token.")
    return ApiToken.objects.get(pk=token_id)


def api_token_authenticate(*, key: str) -> User | None:
    """The active user a raw API key belongs to, or None."""
    if not key or not key.startswith("rd_"):
        return None
    found = active_token_holder(key_hash=ApiToken.hash_key(key))
    if found is None:
        return None
    token_id, last_used_at, user = found
    now = timezone.now()
    if last_used_at is None or (now - last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return user


def _system_label(via: str) -> str:
    if via != AuditVia.CLI:
        return "anonymous"
    try:
        return f"command line (OS user {getpass.getuser()})"
    except Exception:  # no user name in some containers
        return "command line"


def audit_record(
    *, actor, kind: str, via: str, object_ids: list[int] | None = None, count: int | None = None,
    object_type: str = "contact", detail: str = "", ip: str | None = None,
) -> AuditEntry:
    """Append one row to the audit log (who, when, what, which objects, through which door, from where)."""
    if kind not in AuditKind.values:
        raise InvalidInput(f"Unknown audit kind {kind!r}.")
    if via not in AuditVia.values:
        raise InvalidInput(f"Unknown door {via!r}; use page, api or cli.")
    ids = sorted({int(i) for i in (object_ids or [])})
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        at=timezone.now(),
        actor=user,
        actor_label=user.email if user else _system_label(via),
        kind=kind,
        via=via,
        object_type=object_type,
        object_ids=ids,
        object_ids_text="," + ",".join(map(str, ids)) + "," if ids else "",
        count=len(ids) if count is None else count,
        ip=ip if ip is not None else current_ip(),
        detail=(detail or "")[:500],
    )


def audit_contact_view(user, contacts, via: str) -> AuditEntry | None:
    """Record that these contacts' email and phone were shown to `user`; nothing if none were."""
    ids = [c if isinstance(c, int) else c.pk for c in contacts]
    if not ids:
        return None
    return audit_record(actor=user, kind=AuditKind.CONTACT_VIEW, via=via, object_ids=ids)


def audit_figures_export(user, *, via: str, detail: str, count: int | None = None) -> AuditEntry:
    """Record a download of an insights table (its rows name references, accounts and salespeople)."""
    return audit_record(actor=user, kind=AuditKind.FIGURES_EXPORT, via=via, object_type="figures", count=count or 0, detail=detail)


def audit_pool_export(user, *, via: str, count: int | None = None, detail: str = "") -> AuditEntry:
    """Record a download of the whole pool (names, emails, phones of every reference)."""
    return audit_record(actor=user, kind=AuditKind.POOL_EXPORT, via=via, object_type="pool", count=count or 0, detail=detail)
