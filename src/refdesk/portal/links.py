"""Signed portal links: who (the contact), which key (their access nonce) and where to land.

A link is `TimestampSigner` over {"c": contact id, "n": nonce, "p": portal path} with the salt
"refdesk.portal". It works for LINK_MAX_AGE; a new nonce (`services.portal_links_revoke`) ends every
link and every portal session at once. The landing path is inside the signature, so a link can
never be bent to another site or to another person's page.
"""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from refdesk.core.errors import RefdeskError

LINK_MAX_AGE = dt.timedelta(days=7)
SESSION_MAX_AGE = dt.timedelta(hours=12)
_SALT = "refdesk.portal"
SESSION_KEY = "refdesk_portal"


class LinkInvalid(RefdeskError):
    """The link was changed, cut short or never issued."""

    status_code = 400


class LinkGone(RefdeskError):
    """The link has expired or was revoked."""

    status_code = 410


def safe_path(path: str | None) -> str:
    """A portal page to land on: only paths under /portal/ (never another site), else the portal home."""
    home = reverse("portal:home")
    path = (path or "").strip()
    prefix = home
    if (
        not path.startswith(prefix)
        or "//" in path
        or "\\" in path
        or "\n" in path
        or len(path) > 200
    ):
        return home
    return path


def token_for(access, path: str = "") -> str:
    """A fresh signed token for this contact's current key, landing on `path`."""
    data = {"c": access.contact_id, "n": access.nonce}
    if path:
        data["p"] = safe_path(path)
    return signing.dumps(data, salt=_SALT, compress=True)


def link_path(access, path: str = "") -> str:
    return reverse("portal:open", kwargs={"token": token_for(access, path)})


def link_url(access, path: str = "") -> str:
    """The absolute link an email carries."""
    return settings.SITE_URL.rstrip("/") + link_path(access, path)


def read_token(token: str) -> tuple[int, str, str]:
    """(contact id, nonce, landing path) from a token; LinkInvalid if tampered, LinkGone if expired."""
    token = (token or "").strip()
    if not token or len(token) > 500:
        raise LinkInvalid(
            _("This link is not valid. Please use the link from your most recent email.")
        )
    try:
        data = signing.loads(token, salt=_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkGone(
            _("This link has expired. Links work for 7 days; ask for a new one below.")
        ) from None
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        raise LinkInvalid(
            _("This link is not valid. Please use the link from your most recent email.")
        ) from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("c"), int)
        or not isinstance(data.get("n"), str)
    ):
        raise LinkInvalid(
            _("This link is not valid. Please use the link from your most recent email.")
        )
    return data["c"], data["n"], safe_path(data.get("p") if isinstance(data.get("p"), str) else "")
