"""What the portal reads, always for one contact: a portal page never reaches another person's rows."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from refdesk.core import changes
from refdesk.core.errors import Forbidden, NotFound
from refdesk.people import permissions
from refdesk.pool.models import Contact, ReferenceProfile
from refdesk.portal import links
from refdesk.portal.models import ErasureRequest, PortalAccess, UnavailablePeriod


def contact_for_session(*, contact_id, nonce, opened_at) -> Contact | None:
    """The contact a portal session belongs to, or None once the session is too old or its links were revoked."""
    if (
        not isinstance(contact_id, int)
        or not isinstance(nonce, str)
        or not isinstance(opened_at, str)
    ):
        return None
    try:
        opened = dt.datetime.fromisoformat(opened_at)
    except ValueError:
        return None
    if opened.tzinfo is None or timezone.now() - opened > links.SESSION_MAX_AGE:
        return None
    access = (
        PortalAccess.objects.select_related("contact__account", "contact__reference")
        .filter(contact_id=contact_id, nonce=nonce)
        .first()
    )
    if access is None or not hasattr(access.contact, "reference"):
        return None
    return access.contact


def contact_for_token(token: str) -> Contact:
    """The reference a link names (for the API); LinkInvalid if tampered, LinkGone if expired or revoked."""
    contact_id, nonce, _path = links.read_token(token)
    access = (
        PortalAccess.objects.select_related("contact__account", "contact__reference")
        .filter(contact_id=contact_id)
        .first()
    )
    contact = access.contact if access is not None else None
    if (
        access is None or access.nonce != nonce or not hasattr(contact, "reference")
        or not contact.email or contact.email.endswith("@invalid")
    ):  # fmt: skip
        raise links.LinkGone(_("This link is no longer in use. Ask for a new one."))
    return contact


def _candidates(contact: Contact):
    from refdesk.asks.models import RequestCandidate

    return RequestCandidate.objects.filter(reference__contact=contact).select_related(
        "request__industry", "request__requester", "reference__contact__account__owner"
    )


def candidate_for_contact(*, contact: Contact, candidate_id: int):
    """One of the person's own requests; anyone else's is simply not found."""
    candidate = (
        _candidates(contact).prefetch_related("slots", "feedback").filter(pk=candidate_id).first()
    )
    if candidate is None:
        raise NotFound(_("This request is not one of yours."))
    return candidate


def open_invitations(reference: ReferenceProfile):
    """Invitations the person has not answered yet, on requests still open."""
    from refdesk.asks.choices import OPEN_REQUEST_STATUSES, CandidateStatus

    return list(
        _candidates(reference.contact).filter(
            status=CandidateStatus.INVITED, request__status__in=OPEN_REQUEST_STATUSES
        )
    )


def overview(*, contact: Contact, now: dt.datetime | None = None) -> dict:
    """The person's open requests, upcoming calls and the history of their participation."""
    from refdesk.activities.selectors import ActivityFilters, activity_list
    from refdesk.asks.choices import OPEN_REQUEST_STATUSES, CandidateStatus
    from refdesk.asks.presenters import respond_actions

    now = now or timezone.now()
    reference = contact.reference
    candidates = list(
        _candidates(contact).prefetch_related("slots", "feedback").order_by("-invited_at", "-pk")
    )
    open_requests, calls, past = [], [], []
    for c in candidates:
        if c.invited_at is None:
            continue  # proposed or awaiting approval: the person has not been asked
        is_open = c.request.status in OPEN_REQUEST_STATUSES
        if (
            c.status == CandidateStatus.SCHEDULED
            and c.scheduled_start
            and c.scheduled_end
            and c.scheduled_end >= now
        ):
            calls.append(c)
        elif is_open and c.status in (CandidateStatus.INVITED, CandidateStatus.ACCEPTED):
            open_requests.append(c)
        else:
            past.append(c)
    for c in open_requests + calls + past:
        c.portal_actions = respond_actions(c)
    calls.sort(key=lambda c: c.scheduled_start)
    activities = list(
        activity_list(user=None, filters=ActivityFilters(reference_id=reference.pk))[:200]
    )
    return {
        "reference": reference,
        "open_requests": open_requests,
        "upcoming_calls": calls,
        "past_requests": past,
        "activities": activities,
    }


def call_ics(*, contact: Contact, candidate_id: int) -> str:
    """The calendar file of one of the person's booked calls: the same UID and sequence their invite email had."""
    from refdesk.asks.choices import CandidateStatus
    from refdesk.asks.models import RequestEvent
    from refdesk.notify.dispatch import call_ics as ics_for_event

    candidate = candidate_for_contact(contact=contact, candidate_id=candidate_id)
    if candidate.status != CandidateStatus.SCHEDULED or candidate.scheduled_start is None:
        raise NotFound(_("This call is not booked."))
    event = (
        RequestEvent.objects.filter(
            candidate=candidate, kind__in=["call.scheduled", "call.rescheduled"]
        )
        .order_by("-at", "-pk")
        .first()
    )
    if event is None:
        raise NotFound(_("This call is not booked."))
    return ics_for_event(event.pk)


def rewards(*, contact: Contact) -> dict:
    """Balance, ledger, redemptions and the catalogue as this person may use it."""
    from refdesk.rewards.selectors import reference_rewards_summary

    return reference_rewards_summary(contact.reference.pk)


def preferences(*, contact: Contact) -> dict:
    """What the person has told us: agreed activity types, limit, channel, languages, zone, away dates, testimonial use."""
    reference = contact.reference
    fatigue = getattr(reference, "fatigue", None)  # no row yet: no own limit
    return {
        "reference": reference,
        "activity_types": list(reference.activity_types or []),
        "testimonial_channels": list(reference.testimonial_channels or []),
        "testimonial_expires": reference.testimonial_expires,
        "monthly_limit": fatigue.monthly_limit if fatigue else None,
        "preferred_channel": contact.preferred_channel,
        "languages": list(contact.languages or []),
        "time_zone": contact.time_zone,
        "unavailable": list(
            UnavailablePeriod.objects.filter(
                reference=reference, ends_on__gte=timezone.now().date()
            )
        ),
        "opted_out": reference.opted_out,
        "erasure_open": ErasureRequest.objects.filter(contact=contact, status="open").exists(),
    }


def unavailable_reference_ids(*, day: dt.date) -> frozenset[int]:
    """References who said they are away on `day`: the matcher leaves them out. Remembered per
    process and day until a period is added, changed or removed."""

    def read():
        periods = UnavailablePeriod.objects.filter(starts_on__lte=day, ends_on__gte=day)
        return frozenset(periods.values_list("reference_id", flat=True))

    return changes.remembered(("away", day), (UnavailablePeriod,), read)


# --- the program manager's side -------------------------------------------------------------------


def access_state(*, user, reference_id: int) -> dict:
    """A reference's portal access as the program manager sees it."""
    if not permissions.is_program_manager(user):
        raise Forbidden("Only a program manager can manage portal access.")
    reference = (
        ReferenceProfile.objects.select_related("contact__account").filter(pk=reference_id).first()
    )
    if reference is None:
        raise NotFound(f"No reference #{reference_id}.")
    access = PortalAccess.objects.filter(contact=reference.contact).first()
    return {"reference": reference, "contact": reference.contact, "access": access}


def erasure_request_list(*, user, status: str = "") -> QuerySet[ErasureRequest]:
    """Erasure requests from the portal, open ones first (program managers only)."""
    if not permissions.is_program_manager(user):
        raise Forbidden("Only a program manager can see erasure requests.")
    qs = ErasureRequest.objects.select_related("contact__account", "done_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-status", "requested_at", "pk")
