"""Webhook payloads, signatures and the HTTP call (urllib, 5 s timeout)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder

from refdesk.notify.facts import EventFacts

TIMEOUT_SECONDS = 5
USER_AGENT = "Refdesk-Webhooks/1"


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def event_payload_data(facts: EventFacts) -> dict:
    """The `data` of a webhook body: the request and candidate, never a contact's email or phone."""
    data: dict = {
        "request": {
            "id": facts.request_id,
            "status": facts.request_status,
            "prospect": facts.prospect,
            "activity_type": facts.activity_type,
            "needed_by": facts.needed_by.isoformat()
            if hasattr(facts.needed_by, "isoformat")
            else facts.needed_by,
            "requester": {"id": facts.requester.user_id, "name": facts.requester.name}
            if facts.requester
            else None,
            "url": facts.request_url if facts.request_id else None,
        },
        "candidate": None,
        "from_status": facts.from_status or None,
        "to_status": facts.to_status or None,
        "actor": {"id": facts.actor.user_id, "name": facts.actor.name} if facts.actor else None,
        "reason": facts.reason or None,
    }
    if facts.candidate_id:
        data["candidate"] = {
            "id": facts.candidate_id,
            "status": facts.candidate_status,
            "reference_id": facts.reference_id,
            "contact": {
                "id": facts.contact_id,
                "name": facts.contact.name,
                "title": facts.contact_title,
            }
            if facts.contact
            else None,
            "account": {"id": facts.account_id, "name": facts.account_name},
        }
    if facts.call_start is not None:
        data["call"] = {
            "starts_at": facts.call_start.isoformat(),
            "ends_at": facts.call_end.isoformat() if facts.call_end else None,
        }
    if facts.rating is not None:
        data["rating"] = facts.rating
    return data


def body_bytes(*, delivery_uuid: str, event: str, occurred_at: str, data: dict) -> bytes:
    """The JSON body: `{"id", "event", "occurred_at", "data"}` with stable key order."""
    body = {"id": delivery_uuid, "event": event, "occurred_at": occurred_at, "data": data}
    return json.dumps(body, cls=DjangoJSONEncoder, separators=(",", ":"), sort_keys=False).encode()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of "{timestamp}.{body}">`, what `X-Refdesk-Signature` carries."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    tolerance: int = 300,
    now: float | None = None,
) -> bool:
    """What a receiver does: recompute the signature and refuse stale timestamps (replays)."""
    if abs((now or time.time()) - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


@dataclass(frozen=True)
class PostResult:
    ok: bool
    status: int | None
    error: str = ""


def post(url: str, *, body: bytes, headers: dict[str, str]) -> PostResult:
    """POST the body; any 2xx is success, everything else (3xx included) a failure to retry."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers={**headers, "User-Agent": USER_AGENT}
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        return PostResult(ok=False, status=exc.code, error=f"HTTP {exc.code} {exc.reason}")
    except Exception as exc:  # refused, timed out, TLS, a malformed answer: all retried alike
        reason = getattr(exc, "reason", exc)
        return PostResult(ok=False, status=None, error=f"{type(exc).__name__}: {reason}"[:1000])
    if 200 <= status < 300:
        return PostResult(ok=True, status=status)
    return PostResult(ok=False, status=status, error=f"HTTP {status}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is reported, not followed: the signature was made for the configured URL."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None
