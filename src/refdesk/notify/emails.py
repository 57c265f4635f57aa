"""Who is told of each request event, and the messages they get (text, HTML and .ics)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.mime.text import MIMEText
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from refdesk.notify.choices import RecipientRole
from refdesk.notify.facts import EventFacts, Person

OWNER, REQUESTER, REFERENCE, PM = (
    RecipientRole.OWNER.value,
    RecipientRole.REQUESTER.value,
    RecipientRole.REFERENCE.value,
    RecipientRole.PROGRAM_MANAGER.value,
)

_CALL = [(REFERENCE, "call_invite"), (REQUESTER, "call_update"), (OWNER, "owner_contact")]

# Event kind → who hears of it, with which message. Earlier entries win when one person holds
# two roles (a requester who owns the account gets the requester's message, not both).
# The account owner hears of every step that contacts their customer.
ROUTES: dict[str, list[tuple[str, str]]] = {
    "request.candidates_proposed": [(REQUESTER, "requester_update")],
    "approval.requested": [(OWNER, "approval_request")],
    "approval.granted": [(REQUESTER, "approval_result")],
    "approval.declined": [(REQUESTER, "approval_result")],
    "invitation.sent": [(REFERENCE, "invitation"), (OWNER, "owner_contact")],
    "invitation.accepted": [(REQUESTER, "requester_update"), (OWNER, "owner_contact")],
    "invitation.declined": [(REQUESTER, "requester_update"), (OWNER, "owner_contact")],
    "slots.proposed": [(REQUESTER, "requester_update")],
    "call.scheduled": _CALL,
    "call.rescheduled": _CALL,
    "call.cancelled": _CALL,
    "call.completed": [(REQUESTER, "requester_update"), (OWNER, "owner_contact")],
    "call.missed": [(REQUESTER, "requester_update"), (OWNER, "owner_contact")],
    "request.fulfilled": [(REQUESTER, "requester_update")],
    "request.cancelled": [(REQUESTER, "requester_update")],
    "request.expired": [(REQUESTER, "requester_update")],
    "reference.held": [(PM, "reference_held")],
}

CALENDAR_KINDS = {"call_invite", "call_update"}

# One sentence per event for the owner's and the requester's updates.
OWNER_LINES = {
    "invitation.sent": "{contact} at {account} has been invited by email to a {activity} for {prospect}.",
    "invitation.accepted": "{contact} at {account} accepted a {activity} for {prospect}.",
    "invitation.declined": "{contact} at {account} declined a {activity} for {prospect}.",
    "call.scheduled": "A {activity} between {contact} at {account} and {requester} is scheduled for {when}.",
    "call.rescheduled": "The {activity} between {contact} at {account} and {requester} moved to {when}.",
    "call.cancelled": "The {activity} between {contact} at {account} and {requester} was cancelled.",
    "call.completed": "{contact} at {account} completed a {activity} for {prospect}.",
    "call.missed": "The {activity} with {contact} at {account} for {prospect} did not take place.",
    "reminder.reference": "{contact} at {account} has not yet answered the invitation to a {activity} for {prospect}; we sent one gentle reminder.",
}
REQUESTER_LINES = {
    "request.candidates_proposed": "Candidates are ready for your {activity} request for {prospect}.",
    "invitation.accepted": "{contact} at {account} accepted your {activity} for {prospect}.",
    "invitation.declined": "{contact} at {account} declined your {activity} for {prospect}.",
    "slots.proposed": "{contact} at {account} proposed times for your {activity}: pick one.",
    "call.completed": "Your {activity} with {contact} at {account} is marked completed. How did it go?",
    "call.missed": "Your {activity} with {contact} at {account} is marked missed.",
    "request.fulfilled": "Your {activity} request for {prospect} is fulfilled.",
    "request.cancelled": "Your {activity} request for {prospect} was cancelled.",
    "request.expired": "Your {activity} request for {prospect} expired before it could be fulfilled.",
}
SUBJECT_LINES = {
    "request.candidates_proposed": "Candidates ready: {activity} for {prospect}",
    "invitation.sent": "{contact} at {account} invited to a {activity}",
    "invitation.accepted": "{contact} at {account} accepted: {activity} for {prospect}",
    "invitation.declined": "{contact} at {account} declined: {activity} for {prospect}",
    "slots.proposed": "Pick a time: {activity} with {contact} at {account}",
    "call.scheduled": "Scheduled: {activity} with {contact} at {account}, {when}",
    "call.rescheduled": "New time: {activity} with {contact} at {account}, {when}",
    "call.cancelled": "Cancelled: {activity} with {contact} at {account}",
    "call.completed": "Completed: {activity} with {contact} at {account}",
    "call.missed": "Missed: {activity} with {contact} at {account}",
    "request.fulfilled": "Fulfilled: {activity} request for {prospect}",
    "request.cancelled": "Cancelled: {activity} request for {prospect}",
    "request.expired": "Expired: {activity} request for {prospect}",
    "reminder.reference": "Reminder sent to {contact} at {account}",
    "reminder.approval": "Reminder: approve a {activity} with {account} for {prospect}?",
    "reminder.request": "{activity} request for {prospect}",
}


@dataclass(frozen=True)
class Recipient:
    role: str
    kind: str
    person: Person


def program_managers() -> list[Person]:
    """Active program managers, who get escalations and reviews."""
    from refdesk.people.choices import Role
    from refdesk.people.models import User

    users = User.objects.filter(is_active=True, role=Role.PROGRAM_MANAGER).order_by("pk")
    return [Person(name=u.display_name, email=u.email, user_id=u.pk) for u in users]


def recipients_for(facts: EventFacts) -> list[Recipient]:
    """Who gets which message for this event, one message per person."""
    people = {OWNER: [facts.owner], REQUESTER: [facts.requester], REFERENCE: [facts.contact]}
    seen: set[str] = set()
    out: list[Recipient] = []
    for role, kind in ROUTES.get(facts.kind, []):
        candidates = program_managers() if role == PM else people[role]
        for person in candidates:
            if person is None or not person.email or person.email.lower() in seen:
                continue
            seen.add(person.email.lower())
            out.append(Recipient(role=role, kind=kind, person=person))
    return out


def format_when(moment: datetime | None, tz_name: str = "") -> str:
    """`Tuesday 1 December 2026, 15:00 EST` in the person's zone, else UTC."""
    if moment is None:
        return "a time to be confirmed"
    try:
        zone = ZoneInfo(tz_name) if tz_name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    local = moment.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} {local.tzname()}"


def _words(facts: EventFacts, tz_name: str = "") -> dict:
    return {
        "contact": facts.contact.name if facts.contact else "the reference",
        "account": facts.account_name or "the customer",
        "prospect": facts.prospect or "a prospect",
        "activity": facts.activity_label or "reference",
        "requester": facts.requester.name if facts.requester else "the requester",
        "when": format_when(facts.call_start, tz_name),
    }


def email_context(facts: EventFacts, recipient: Recipient, **extra) -> dict:
    """Everything a template may use; the reference's version carries no internal deal data."""
    tz_name = recipient.person.time_zone
    words = _words(facts, tz_name)
    owner_line = OWNER_LINES.get(facts.kind, "").format(**words)
    requester_line = REQUESTER_LINES.get(facts.kind, "").format(**words)
    subject_line = SUBJECT_LINES.get(facts.kind, "{activity} update").format(**words)
    context = {
        "f": facts,
        "w": words,
        "recipient": recipient.person,
        "role": recipient.role,
        "owner_line": owner_line,
        "requester_line": requester_line,
        "subject_line": subject_line,
        "when_local": format_when(facts.call_start, tz_name),
        "when_utc": format_when(facts.call_start),
        "when_reference": format_when(
            facts.call_start, facts.contact.time_zone if facts.contact else ""
        ),
        "site_url": settings.SITE_URL.rstrip("/"),
        "slot_lines": [
            (format_when(start, tz_name), format_when(end, tz_name)) for start, end in facts.slots
        ],
        "cancelled": facts.kind == "call.cancelled",
        "rescheduled": facts.kind == "call.rescheduled",
    }
    context.update(extra)
    return context


def render_email(kind: str, context: dict) -> tuple[str, str, str]:
    """Subject, text and HTML bodies from `notify/email/<kind>.{subject.txt,txt,html}`."""
    subject = render_to_string(f"notify/email/{kind}.subject.txt", context)
    subject = " ".join(subject.split())[:300]
    text = render_to_string(f"notify/email/{kind}.txt", context).strip() + "\n"
    html = render_to_string(f"notify/email/{kind}.html", context)
    return subject, text, html


def calendar_uid(candidate_id: int, generation: int = 0) -> str:
    """One UID per reference call, kept through reschedules so calendars update in place."""
    host = urlsplit(settings.SITE_URL).hostname or "refdesk"
    suffix = f"-{generation}" if generation else ""
    return f"refdesk-call-{candidate_id}{suffix}@{host}"


def build_ics(facts: EventFacts, *, sequence: int, generation: int = 0) -> str:
    """An iCalendar invite (METHOD:REQUEST) or cancellation (METHOD:CANCEL) for the call."""
    from icalendar import Calendar, Event, vCalAddress, vText

    cancel = facts.kind == "call.cancelled"
    cal = Calendar()
    cal.add("prodid", "-//Refdesk//Reference calls//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancel else "REQUEST")
    event = Event()
    event.add("uid", calendar_uid(facts.candidate_id, generation))
    event.add("sequence", sequence)
    event.add("dtstamp", facts.occurred_at.astimezone(UTC))
    if facts.call_start is not None:
        event.add("dtstart", facts.call_start.astimezone(UTC))
        event.add("dtend", (facts.call_end or facts.call_start).astimezone(UTC))
    words = _words(facts)
    event.add(
        "summary",
        f"Reference call: {words['contact']} ({words['account']}) and {words['requester']}",
    )
    # The same file goes to the customer: nothing internal (links, deal data) in it.
    event.add(
        "description", f"A {words['activity']} with {words['prospect']}, arranged through Refdesk."
    )
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    organizer_email = facts.requester.email if facts.requester else settings.DEFAULT_FROM_EMAIL
    organizer = vCalAddress(f"mailto:{organizer_email}")
    organizer.params["cn"] = vText(words["requester"])
    event["organizer"] = organizer
    for person in (facts.contact, facts.requester):
        if person is None:
            continue
        attendee = vCalAddress(f"mailto:{person.email}")
        attendee.params["cn"] = vText(person.name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText(
            "ACCEPTED" if person is facts.requester else "NEEDS-ACTION"
        )
        event.add("attendee", attendee, encode=0)
    cal.add_component(event)
    return cal.to_ical().decode()


def email_message(
    *, to: str, subject: str, text: str, html: str, ics: str = "", connection=None
) -> EmailMultiAlternatives:
    """The message Django sends: text, an HTML alternative and, for calls, an .ics attachment."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        connection=connection,
    )
    if html:
        message.attach_alternative(html, "text/html")
    if ics:
        part = MIMEText(ics, "calendar", "utf-8")
        method = "CANCEL" if "METHOD:CANCEL" in ics else "REQUEST"
        part.set_param("method", method)
        part.add_header("Content-Disposition", "attachment", filename="invite.ics")
        message.attach(part)
    return message
