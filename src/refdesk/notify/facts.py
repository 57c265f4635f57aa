"""What notifications need to know about a request event, as plain data.

This is the one module that reads the request workflow's objects (through `asks.selectors`);
emails, calendar invites and webhook payloads are built from `EventFacts` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    time_zone: str = ""
    user_id: int | None = None

    @property
    def greeting(self) -> str:
        """The first name to greet them by ("Hi Dana,"), or "there" when all we have is an email."""
        first = self.name.split()[0] if self.name.strip() else ""
        return first if first and "@" not in first else "there"


@dataclass(frozen=True)
class EventFacts:
    event_id: int | None
    kind: str
    occurred_at: datetime
    actor: Person | None = None
    reason: str = ""
    from_status: str = ""
    to_status: str = ""
    request_id: int | None = None
    request_status: str = ""
    prospect: str = ""
    activity_type: str = ""
    activity_label: str = ""
    needed_by: object = None
    requester: Person | None = None
    candidate_id: int | None = None
    candidate_status: str = ""
    reference_id: int | None = None
    contact: Person | None = None
    contact_id: int | None = None
    contact_title: str = ""
    account_id: int | None = None
    account_name: str = ""
    owner: Person | None = None
    call_start: datetime | None = None
    call_end: datetime | None = None
    slots: list = field(default_factory=list)
    rating: int | None = None

    @property
    def request_url(self) -> str:
        return absolute(
            _reverse_or("asks:request-detail", [self.request_id], f"/requests/{self.request_id}/")
        )

    @property
    def approvals_url(self) -> str:
        return absolute(_reverse_or("asks:approval-list", [], "/requests/approvals/"))

    @property
    def triage_url(self) -> str:
        return absolute(_reverse_or("asks:triage", [], "/requests/triage/"))

    @property
    def reference_url(self) -> str:
        if not self.reference_id:
            return ""
        return absolute(
            _reverse_or(
                "pool:reference-detail",
                [self.reference_id],
                f"/pool/references/{self.reference_id}/",
            )
        )


def absolute(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + path


def _reverse_or(name: str, args: list, fallback: str) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


def _person(user) -> Person | None:
    if user is None or not getattr(user, "email", ""):
        return None
    name = getattr(user, "display_name", "") or getattr(user, "name", "") or user.email
    return Person(name=name, email=user.email, user_id=getattr(user, "pk", None))


def event_facts(event) -> EventFacts:
    """Plain facts from a request event loaded by `asks.selectors.event_get`."""
    return _facts(
        event_id=event.pk, kind=event.kind, at=event.at, request=event.request, candidate=event.candidate,
        actor=_person(event.actor) or (Person(name=event.actor_label, email="") if event.actor_label else None),
        reason=event.reason or "", data=event.data if isinstance(event.data, dict) else {},
        from_status=event.from_status, to_status=event.to_status,
    )  # fmt: skip


def subject_facts(*, kind: str, at: datetime, request, candidate=None) -> EventFacts:
    """Facts about a request (and one reference on it) for a reminder, which has no event."""
    return _facts(
        event_id=None,
        kind=kind,
        at=at,
        request=request,
        candidate=candidate,
        actor=None,
        reason="",
        data={},
    )


def _facts(
    *, event_id, kind, at, request, candidate, actor, reason, data, from_status="", to_status=""
) -> EventFacts:
    from refdesk.pool.choices import ActivityType

    reference = candidate.reference if candidate is not None else None
    contact = reference.contact if reference is not None else None
    account = contact.account if contact is not None else None
    try:
        activity_label = ActivityType(request.activity_type).label.lower()
    except ValueError:
        activity_label = str(request.activity_type).replace("_", " ")
    requester = _person(request.requester)
    if requester is not None:
        requester = Person(
            requester.name, requester.email, request.requester_time_zone or "UTC", requester.user_id
        )
    start, end = _call_times(candidate, data)
    return EventFacts(
        event_id=event_id,
        kind=kind,
        occurred_at=at,
        actor=actor,
        reason=reason,
        from_status=from_status or "",
        to_status=to_status or "",
        request_id=request.pk,
        request_status=request.status,
        prospect=request.prospect,
        activity_type=request.activity_type,
        activity_label=activity_label,
        needed_by=request.needed_by,
        requester=requester,
        candidate_id=getattr(candidate, "pk", None),
        candidate_status=candidate.status if candidate is not None else "",
        reference_id=getattr(reference, "pk", None) or data.get("reference_id"),
        contact=Person(name=contact.name, email=contact.email, time_zone=contact.time_zone or "")
        if contact
        else None,
        contact_id=getattr(contact, "pk", None),
        contact_title=contact.title if contact is not None else "",
        account_id=getattr(account, "pk", None),
        account_name=account.name if account is not None else "",
        owner=_person(account.owner) if account is not None and account.owner_id else None,
        call_start=start,
        call_end=end,
        slots=_slots(data),
        rating=data.get("rating"),
    )


def _parse(value) -> datetime | None:
    from django.utils.dateparse import parse_datetime

    return parse_datetime(value) if isinstance(value, str) and value else None


def _call_times(candidate, data: dict) -> tuple[datetime | None, datetime | None]:
    """The call's time as the event recorded it (a cancellation names the time it cancels)."""
    start = _parse(data.get("starts_at")) or _parse(data.get("previous_start"))
    end = _parse(data.get("ends_at"))
    if start is None and candidate is not None and candidate.scheduled_start:
        start, end = candidate.scheduled_start, candidate.scheduled_end
    if start is not None and (end is None or end <= start):
        end = start + timedelta(minutes=30)
    return start, end


def _slots(data: dict) -> list[tuple[datetime, datetime]]:
    out = []
    for slot in data.get("slots") or []:
        start, end = _parse(slot.get("starts_at")), _parse(slot.get("ends_at"))
        if start and end:
            out.append((start, end))
    return out


def event_get(event_id: int):
    """The event with its request, candidate, contact, account, owner and requester."""
    from refdesk.asks import selectors

    return selectors.event_get(event_id)


def events_get(event_ids: list[int]) -> list:
    """The events of these ids that exist, oldest first, preloaded like `event_get`."""
    from refdesk.asks import selectors

    return selectors.events_get(event_ids)
