"""A small fixed-window rate limiter kept in the database, and the client IP it keys on.

Fixed windows are coarse (a burst at a window's edge can reach twice the limit) but need one
row per key and one UPDATE per hit, which is what a login form needs. The database holds the
counters so every gunicorn worker and app server shares them.
"""

import hashlib
import ipaddress
import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from refdesk.core.models import RateLimitCounter


@dataclass(frozen=True)
class Limit:
    """At most `count` hits per `seconds` for one key."""

    count: int
    seconds: int


def client_ip(request) -> str | None:
    """The client's IP: REMOTE_ADDR, or the address the trusted reverse proxies saw.

    `REFDESK_TRUSTED_PROXIES` is how many proxies stand in front of the app; only that many
    entries from the right of X-Forwarded-For are believed, so a client cannot spoof its address.
    """
    candidate = request.META.get("REMOTE_ADDR", "")
    hops = getattr(settings, "REFDESK_TRUSTED_PROXIES", 0)
    if hops:
        forwarded = [
            p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()
        ]
        if len(forwarded) >= hops:
            candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def _key(*parts: str) -> str:
    raw = "|".join(parts)
    # Hash long keys (emails) so the column stays bounded and holds no personal data in clear.
    return parts[0] + ":" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def key_for(scope: str, *parts: str | None) -> str:
    """A counter key for `scope` and the values it is limited by (IP, email…)."""
    return _key(scope, *[(p or "").lower() for p in parts])


def retry_after(key: str, limit: Limit) -> int:
    """Seconds until `key` may be hit again, or 0 if it is under its limit now."""
    now = timezone.now()
    row = RateLimitCounter.objects.filter(
        key=key, window_start__gt=now - timedelta(seconds=limit.seconds)
    ).first()
    if row is None or row.count < limit.count:
        return 0
    ends = row.window_start + timedelta(seconds=limit.seconds)
    return max(1, math.ceil((ends - now).total_seconds()))


def hit(key: str, limit: Limit) -> int:
    """Count one hit on `key`; returns the count in the current window."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=limit.seconds)
    for _ in range(3):
        with transaction.atomic():
            if RateLimitCounter.objects.filter(key=key, window_start__gt=cutoff).update(
                count=F("count") + 1
            ):
                return RateLimitCounter.objects.get(key=key).count
            # No live window: start one (reusing the row of an expired window if there is one).
            if RateLimitCounter.objects.filter(key=key).update(window_start=now, count=1):
                return 1
            try:
                with transaction.atomic():
                    RateLimitCounter.objects.create(key=key, window_start=now, count=1)
                return 1
            except IntegrityError:
                continue  # another worker created it meanwhile: count on its row
    return limit.count


def reset(key: str) -> None:
    """Forget the hits on `key` (e.g. after a successful log-in)."""
    RateLimitCounter.objects.filter(key=key).delete()


# --- doors opened by a secret link (no log-in) ---------------------------------------------------

LINK_GONE_STATUSES = (400, 404, 410)


def link_limits() -> tuple[Limit, Limit]:
    """(bad links per IP, POSTs per link), from settings."""
    return (
        Limit(settings.REFDESK_LINK_FAILURES_PER_IP, settings.REFDESK_LINK_WINDOW_SECONDS),
        Limit(settings.REFDESK_LINK_POSTS_PER_LINK, settings.REFDESK_LINK_WINDOW_SECONDS),
    )


def _too_many(request, wait: int, message: str):
    from django.http import JsonResponse
    from django.shortcuts import render

    if request.path.startswith("/api/"):
        response = JsonResponse({"message": message, "details": None}, status=429)
    else:
        response = render(request, "core/rate_limited.html", {"message": message}, status=429)
    response["Retry-After"] = str(wait)
    return response


def link_limited(scope: str):
    """Guard a view reached by a secret token in its URL (a reference's answer link, a profile
    confirmation, a shared content page), with no log-in.

    An address that keeps presenting invalid, unknown or expired links (400/404/410) is refused
    with 429 for a while, whichever door it tries, so tokens cannot be guessed at speed; and each
    link may be POSTed only so often, so a leaked link cannot make Refdesk send a flood of emails.
    """
    from functools import wraps

    from django.http import Http404

    def decorate(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            per_ip, per_link = link_limits()
            ip_key = key_for("link-bad", client_ip(request) or "unknown")
            wait = retry_after(ip_key, per_ip)
            if wait:
                return _too_many(request, wait, "Too many links that do not work were opened from your address. "
                                 f"Try again in {max(1, round(wait / 60))} minute(s).")  # fmt: skip
            post_key = key_for(f"link-post-{scope}", str(kwargs.get("token", "")))
            if request.method == "POST":
                wait = retry_after(post_key, per_link)
                if wait:
                    return _too_many(request, wait, "This link was used too often in a short time. "
                                     f"Try again in {max(1, round(wait / 60))} minute(s).")  # fmt: skip
            try:
                response = view(request, *args, **kwargs)
            except Exception as exc:  # the API raises its 4xx; pages may raise Http404
                if (
                    isinstance(exc, Http404)
                    or getattr(exc, "status_code", None) in LINK_GONE_STATUSES
                ):
                    hit(ip_key, per_ip)
                elif request.method == "POST":
                    hit(post_key, per_link)
                raise
            if getattr(response, "status_code", 200) in LINK_GONE_STATUSES:
                hit(ip_key, per_ip)
            elif request.method == "POST":
                hit(post_key, per_link)  # only links that work count: no row per guessed token
            return response

        return guarded

    return decorate
