"""Signed links that let a reference answer a request without a password.

A token signs the candidate's id and its per-candidate nonce with a timestamp. Rotating the
nonce (`services.candidate_link_revoke`) revokes every link sent so far; links expire after
LINK_MAX_AGE.
"""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.urls import reverse

from refdesk.core.errors import RefdeskError

LINK_MAX_AGE = dt.timedelta(days=14)
_SALT = "refdesk.asks.respond"


class LinkInvalid(RefdeskError):
    """The link was changed, cut short or never issued."""

    status_code = 400


class LinkGone(RefdeskError):
    """The link has expired or was replaced by a newer one."""

    status_code = 410


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=_SALT)


def token_for(candidate) -> str:
    """A fresh signed token for this candidate's current nonce."""
    return _signer().sign(f"{candidate.pk}.{candidate.link_nonce}")


def respond_path(candidate) -> str:
    return reverse("asks:respond", kwargs={"token": token_for(candidate)})


def respond_url(candidate) -> str:
    """The absolute link the reference's emails carry."""
    return settings.SITE_URL.rstrip("/") + respond_path(candidate)


def candidate_for_token(token: str):
    """The candidate a token names; LinkInvalid if tampered, LinkGone if expired or revoked."""
    from refdesk.asks.models import RequestCandidate

    token = (token or "").strip()
    if not token or len(token) > 300:
        raise LinkInvalid("This link is not valid. Please use the link from your most recent email.")
    try:
        value = _signer().unsign(token, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkGone(
            "This link has expired. Links work for 14 days; ask the program team to send a new one."
        ) from None
    except signing.BadSignature:
        raise LinkInvalid("This link is not valid. Please use the link from your most recent email.") from None
    candidate_id, _, nonce = value.partition(".")
    if not candidate_id.isdigit():
        raise LinkInvalid("This link is not valid. Please use the link from your most recent email.")
    candidate = (
        RequestCandidate.objects.select_related(
            "request__industry", "request__requester", "reference__contact__account__owner"
        )
        .filter(pk=int(candidate_id))
        .first()
    )
    if candidate is None or candidate.link_nonce != nonce:
        raise LinkGone("This link is no longer in use. Please use the link from your most recent email.")
    return candidate
