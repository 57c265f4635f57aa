"""Writes about people: users and their API tokens."""

import secrets

from django.db import transaction
from django.utils import timezone

from refdesk.core.errors import Conflict, InvalidInput, NotFound
from refdesk.people.choices import Role
from refdesk.people.models import ApiToken, User


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
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
