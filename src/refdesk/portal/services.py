"""Every write the reference's portal makes, and the program manager's portal controls.

The portal owns little: its access key, the dates a reference is away and erasure requests. Everything
else a reference does here is a call to the service that owns the rule: answers go through
`asks.services.candidate_respond`, preferences through the pool and activities services, redemptions
through `rewards.services.reward_redeem`, data exports and erasure through `pool.privacy`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from refdesk.core import ratelimit
from refdesk.core.errors import Forbidden, InvalidInput, NotFound, RefdeskError
from refdesk.people import permissions
from refdesk.pool.models import Contact, ReferenceProfile
from refdesk.portal import links
from refdesk.portal.models import (
    ErasureRequest,
    ErasureStatus,
    PortalAccess,
    UnavailablePeriod,
    new_nonce,
)

# The languages the portal's text exists in; anything else is shown in English.
PORTAL_LANGUAGES = ("en", "de")
MAX_UNAVAILABLE_PERIODS = 20


class RateLimited(RefdeskError):
    """Too many link requests from this address or for this email; try again later."""

    status_code = 429


def _limits() -> tuple[ratelimit.Limit, ratelimit.Limit]:
    window = settings.REFDESK_PORTAL_LINK_WINDOW
    return (
        ratelimit.Limit(settings.REFDESK_PORTAL_LINKS_PER_EMAIL, window),
        ratelimit.Limit(settings.REFDESK_PORTAL_LINKS_PER_IP, window),
    )


def _require_pm(actor, what: str) -> None:
    if actor is None or not permissions.is_program_manager(actor):
        raise Forbidden(f"Only a program manager can {what}.")


def portal_language(contact: Contact) -> str:
    """The first of the person's languages the portal speaks, else English."""
    for code in contact.languages or []:
        code = str(code).lower()[:2]
        if code in PORTAL_LANGUAGES:
            return code
    return "en"


def access_for(contact: Contact) -> PortalAccess:
    """The contact's portal key, created on first use."""
    try:
        with transaction.atomic():
            access, _created = PortalAccess.objects.get_or_create(contact=contact)
    except IntegrityError:
        access = PortalAccess.objects.get(contact=contact)
    return access


def portal_url(contact: Contact, path: str = "") -> str:
    """An absolute signed link that lands the person on `path` (a portal page); for emails."""
    return links.link_url(access_for(contact), path)


def page_path(name: str, *args) -> str:
    """The path of a portal page, for the landing part of a link."""
    return reverse(f"portal:{name}", args=args)


def _reachable(contact: Contact) -> bool:
    """A reference who still has an address (an erased person has none)."""
    return (
        bool(contact.email)
        and not contact.email.endswith("@invalid")
        and ReferenceProfile.objects.filter(contact=contact).exists()
    )


# --- links -------------------------------------------------------------------------------------


def portal_link_send(*, actor, contact: Contact, path: str = "") -> PortalAccess:
    """Email the person a fresh portal link (a program manager, or the person asking for one: actor None)."""
    if actor is not None:
        _require_pm(actor, "send portal links")
    if not _reachable(contact):
        raise InvalidInput(
            _("This person has no address we can send a link to."),
            details={"contact": "not reachable"},
        )
    access = access_for(contact)
    now = timezone.now()
    url = links.link_url(access, path)
    with translation.override(portal_language(contact)):
        subject = _("Your reference programme page")
        text = render_to_string(
            "portal/email/link.txt",
            {"contact": contact, "url": url, "days": links.LINK_MAX_AGE.days},
        )
    from refdesk.notify.services import email_prepare, enqueue
    from refdesk.notify.tasks import send_outbound_email

    email, created = email_prepare(
        key=f"portal-link:{contact.pk}:{now.timestamp():.6f}", kind="portal_link", recipient_role="reference",
        to=contact.email, subject=subject, body_text=text, body_html="",
    )  # fmt: skip
    PortalAccess.objects.filter(pk=access.pk).update(last_sent_at=now)
    if created:
        transaction.on_commit(lambda: enqueue(send_outbound_email, email.pk))
    return access


def portal_link_request(*, email: str, ip: str | None) -> bool:
    """Someone asks for a link by email: rate-limited per address and per IP; True if a link was sent.

    The answer the doors give is the same whether or not the address is known, so nobody can
    find out who is a reference by asking."""
    email = (email or "").strip().lower()
    if not email or "@" not in email or len(email) > 254:
        raise InvalidInput(
            _("Please enter your email address."), details={"email": "is not an email address"}
        )
    per_email, per_ip = _limits()
    email_key, ip_key = (
        ratelimit.key_for("portal-link", email),
        ratelimit.key_for("portal-link-ip", ip or "unknown"),
    )
    if ratelimit.retry_after(email_key, per_email) or ratelimit.retry_after(ip_key, per_ip):
        raise RateLimited(_("Too many links were asked for. Please wait an hour and try again."))
    ratelimit.hit(email_key, per_email)
    ratelimit.hit(ip_key, per_ip)
    contact = Contact.objects.filter(email__iexact=email).first()
    if contact is None or not _reachable(contact):
        return False
    portal_link_send(actor=None, contact=contact)
    return True


def portal_links_revoke(*, actor, contact: Contact) -> PortalAccess:
    """End every link sent so far and every open portal session of this person, at once."""
    _require_pm(actor, "revoke portal links")
    access = access_for(contact)
    now = timezone.now()
    PortalAccess.objects.filter(pk=access.pk).update(
        nonce=new_nonce(), revoked_at=now, revoked_by=actor if getattr(actor, "pk", None) else None
    )
    access.refresh_from_db()
    return access


def portal_open(*, token: str) -> tuple[Contact, PortalAccess, str]:
    """Check a link: (the contact, their key, the page to land on). LinkInvalid / LinkGone otherwise."""
    from refdesk.portal.selectors import contact_for_token

    _contact_id, _nonce, path = links.read_token(token)
    contact = contact_for_token(token)
    access = PortalAccess.objects.get(contact=contact)
    PortalAccess.objects.filter(pk=access.pk).update(last_opened_at=timezone.now())
    return contact, access, path


# --- requests ----------------------------------------------------------------------------------


def request_answer(*, contact: Contact, candidate_id: int, action: str, **answer: Any):
    """Accept, decline (with an optional reason), propose times, confirm the call or give feedback on one of the
    person's own requests, through the same service their emailed link uses."""
    from refdesk.asks.services import candidate_respond
    from refdesk.portal.selectors import candidate_for_contact

    candidate = candidate_for_contact(contact=contact, candidate_id=candidate_id)
    return candidate_respond(candidate=candidate, action=action, **answer)


# --- preferences -------------------------------------------------------------------------------


def preferences_update(*, contact: Contact, **fields: Any) -> ReferenceProfile:
    """The person changes what they agree to, their own monthly limit, channel, languages, zone and testimonial use.

    Takes effect for matching at once (the matcher re-reads a reference whose row changed); saving
    also confirms the profile is up to date."""
    from refdesk.activities.services import reference_fatigue_set
    from refdesk.growth.services import freshness_confirm
    from refdesk.pool import services as pool
    from refdesk.pool.models import ConsentSource

    reference = ReferenceProfile.objects.select_related("contact__account").get(contact=contact)
    contact_fields = {
        k: fields[k] for k in ("preferred_channel", "languages", "time_zone") if k in fields
    }
    reference_fields = {
        k: fields[k] for k in ("activity_types", "testimonial_channels") if k in fields
    }
    errors: dict[str, str] = {}
    with transaction.atomic():
        for call in (
            lambda: (
                contact_fields
                and pool.contact_update(actor=None, contact=reference.contact, **contact_fields)
            ),
            lambda: (
                reference_fields
                and pool.reference_update(
                    actor=None,
                    reference=reference,
                    consent_source=ConsentSource.SELF_SERVICE,
                    **reference_fields,
                )
            ),
            lambda: (
                "monthly_limit" in fields
                and reference_fatigue_set(
                    actor=None, reference=reference, monthly_limit=fields["monthly_limit"]
                )
            ),
        ):
            try:
                call()
            except InvalidInput as exc:
                errors.update(
                    exc.details if isinstance(exc.details, dict) else {"preferences": exc.message}
                )
        if errors:
            raise InvalidInput(
                _("Please correct: %(fields)s.")
                % {"fields": "; ".join(f"{k} {m}" for k, m in errors.items())},
                details=errors,
            )
        freshness_confirm(reference=reference, via="portal")
    return reference


def stop_asking(*, contact: Contact) -> ReferenceProfile:
    """The person says "stop asking me": opted out at once, and every invitation not yet answered is declined."""
    from refdesk.asks.services import invitation_decline
    from refdesk.pool import services as pool
    from refdesk.portal.selectors import open_invitations

    reference = ReferenceProfile.objects.select_related("contact__account").get(contact=contact)
    with transaction.atomic():
        if not reference.opted_out:
            pool.reference_update(actor=None, reference=reference, opted_out=True)
        for candidate in open_invitations(reference):
            invitation_decline(
                candidate=candidate, reason="The reference asked not to be asked again."
            )
    return reference


def resume_asking(*, contact: Contact) -> ReferenceProfile:
    """The person is happy to be asked again."""
    from refdesk.pool import services as pool

    reference = ReferenceProfile.objects.select_related("contact__account").get(contact=contact)
    if reference.opted_out:
        pool.reference_update(actor=None, reference=reference, opted_out=False)
    return reference


def unavailable_add(
    *, contact: Contact, starts_on: Any, ends_on: Any, note: str = ""
) -> UnavailablePeriod:
    """The person will be away from one date to another (inclusive); matching leaves them out then."""
    from refdesk.pool import validation as v

    reference = ReferenceProfile.objects.get(contact=contact)
    cleaned = v.clean_fields({"starts_on": v.date, "ends_on": v.date, "note": v.text(200)},
                             {"starts_on": starts_on, "ends_on": ends_on, "note": note})  # fmt: skip
    start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
    errors = {}
    if start is None:
        errors["starts_on"] = _("is required")
    if end is None:
        errors["ends_on"] = _("is required")
    today = timezone.now().date()
    if start and end:
        if end < start:
            errors["ends_on"] = _("is before the first day")
        elif end < today:
            errors["ends_on"] = _("is in the past")
        elif end > today + dt.timedelta(days=730) or (end - start).days > 366:
            errors["ends_on"] = _("is too far ahead (at most a year at a time, within two years)")
    if UnavailablePeriod.objects.filter(reference=reference).count() >= MAX_UNAVAILABLE_PERIODS:
        errors["starts_on"] = _("you already have %(n)s periods; remove one first") % {
            "n": MAX_UNAVAILABLE_PERIODS
        }
    if errors:
        raise InvalidInput(_("Please correct the dates."), details=errors)
    return UnavailablePeriod.objects.create(
        reference=reference, starts_on=start, ends_on=end, note=cleaned.get("note", "")
    )


def unavailable_remove(*, contact: Contact, period_id: int) -> None:
    """Remove one of the person's own away periods."""
    deleted, _count = UnavailablePeriod.objects.filter(
        pk=period_id, reference__contact=contact
    ).delete()
    if not deleted:
        raise NotFound(_("No such period."))


# --- rewards -----------------------------------------------------------------------------------


def redeem(*, contact: Contact, item_id: int, note: str = ""):
    """Spend the person's own points on a catalogue item (the rewards rules decide)."""
    from refdesk.rewards.services import reward_redeem

    reference = ReferenceProfile.objects.get(contact=contact)
    return reward_redeem(actor=None, item_id=item_id, reference_id=reference.pk, note=note)


# --- personal data -----------------------------------------------------------------------------


def data_export(*, contact: Contact) -> dict:
    """Everything Refdesk holds about the person, for their own download (recorded in the audit log)."""
    from refdesk.pool.privacy import person_export

    data = person_export(contact.pk, actor=None, via="page")
    data["portal"] = {
        "unavailable": [
            {"starts_on": p.starts_on.isoformat(), "ends_on": p.ends_on.isoformat(), "note": p.note}
            for p in UnavailablePeriod.objects.filter(reference__contact=contact)
        ],
        "erasure_requests": [
            {"requested_at": e.requested_at.isoformat(), "status": e.status, "note": e.note}
            for e in ErasureRequest.objects.filter(contact=contact)
        ],
    }
    return data


def erasure_request(*, contact: Contact, note: str = "") -> ErasureRequest:
    """The person asks to be erased: they stop being asked at once; a program manager carries it out."""
    now = timezone.now()
    with transaction.atomic():
        found = ErasureRequest.objects.filter(contact=contact, status=ErasureStatus.OPEN).first()
        if found is None:
            try:
                with transaction.atomic():
                    found = ErasureRequest.objects.create(
                        contact=contact, requested_at=now, note=(note or "").strip()[:500]
                    )
            except IntegrityError:
                found = ErasureRequest.objects.get(contact=contact, status=ErasureStatus.OPEN)
        stop_asking(contact=contact)
    return found


def erasure_carry_out(*, actor, erasure_id: int) -> ErasureRequest:
    """A program manager erases the person who asked (audited by `pool.privacy.person_erase`); links end too."""
    from refdesk.pool.privacy import person_erase

    _require_pm(actor, "carry out erasure requests")
    with transaction.atomic():
        found = ErasureRequest.objects.select_for_update().filter(pk=erasure_id).first()
        if found is None:
            raise NotFound(f"No erasure request #{erasure_id}.")
        if found.status != ErasureStatus.OPEN:
            raise InvalidInput(
                "This erasure request was already carried out.", details={"status": found.status}
            )
        person_erase(
            actor=actor, contact_id=found.contact_id,
            reason=f"the person's request through the portal on {found.requested_at:%Y-%m-%d}",
        )  # fmt: skip
        now = timezone.now()
        changed = ErasureRequest.objects.filter(pk=found.pk, status=ErasureStatus.OPEN).update(
            status=ErasureStatus.DONE, done_at=now, done_by=actor
        )
        if changed != 1:
            raise InvalidInput("This erasure request was already carried out.")
        PortalAccess.objects.filter(contact_id=found.contact_id).update(
            nonce=new_nonce(),
            revoked_at=now,
            revoked_by=actor if getattr(actor, "pk", None) else None,
        )
    found.refresh_from_db()
    return found
