"""Personal data of one person: export everything Refdesk holds about a contact, or erase it.

Erasure anonymises rather than deletes: the contact, their reference profile, their request
candidacies and activities stay as rows, so program statistics (how many calls, which
industries, NPS) keep adding up, but nothing in them identifies the person any more.

This module reads and scrubs rows of other apps (asks, activities, rewards, notify, growth,
referrals) directly: erasure is one legal act that must reach every table at once, in one
transaction, and those apps have no per-person door of their own yet. Models are looked up by
name so an app that is not installed is simply skipped.
"""

import json
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from refdesk.core.errors import Forbidden, InvalidInput, NotFound
from refdesk.people import permissions
from refdesk.people.models import AuditKind
from refdesk.people.services import audit_record
from refdesk.pool import services
from refdesk.pool.choices import ReferenceStatus
from refdesk.pool.models import (
    ConsentRecord,
    ConsentSource,
    Contact,
    ContactAccessGrant,
    ReferenceProfile,
    ReferenceStatusChange,
)

ERASED_DOMAIN = "invalid"  # RFC 2606: can never be delivered


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _row(obj, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every stored column of a row, JSON-safe (foreign keys as ids)."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude:
            continue
        data[field.attname] = field.value_from_object(obj)
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _require_pm(actor) -> None:
    if actor is not None and not permissions.is_program_manager(actor):
        raise Forbidden("Only a program manager can export or erase a person's data.")


def _contact(contact_id: int) -> Contact:
    contact = Contact.objects.select_related("account").filter(pk=contact_id).first()
    if contact is None:
        raise NotFound(f"No contact with id {contact_id}.")
    return contact


def _reference(contact: Contact) -> ReferenceProfile | None:
    return ReferenceProfile.objects.filter(contact=contact).first()


def person_export(contact_id: int, *, actor=None, via: str = "cli") -> dict:
    """Everything Refdesk holds about one contact, as a JSON-ready dict (audited)."""
    _require_pm(actor)
    contact = _contact(contact_id)
    reference = _reference(contact)
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "contact": _row(contact),
        "account": {"id": contact.account_id, "name": contact.account.name},
        "consents": [_row(c) for c in ConsentRecord.objects.filter(contact=contact).order_by("at", "pk")],
        "access_grants": [
            {**_row(g), "user_email": g.user.email}
            for g in ContactAccessGrant.objects.filter(contact=contact).select_related("user")
        ],
        "reference": None,
        "status_history": [],
        "request_candidates": [],
        "request_events": [],
        "feedback": [],
        "activities": [],
        "group_events": [],
        "content": [],
        "points": [],
        "emails": [],
        "nominations": [],
        "survey_responses": [],
        "referrals_made": [],
    }
    if reference is not None:
        data["reference"] = _row(reference, exclude=("search_text", "sort_name", "sort_account", "country", "industry_code"))
        data["status_history"] = [_row(c) for c in ReferenceStatusChange.objects.filter(reference=reference).order_by("changed_at", "pk")]
        data.update(_related_rows(reference))
    content = _model("activities.ContentAsset")
    if content is not None:
        data["content"] = [_row(a, exclude=("search_text",)) for a in content.objects.filter(contact=contact)]
    email = _model("notify.OutboundEmail")
    if email is not None:
        data["emails"] = [
            _row(e, exclude=("body_html", "ics")) for e in email.objects.filter(to__iexact=contact.email).order_by("created_at", "pk")
        ]
    data.update(_contact_rows(contact))
    audit_record(actor=actor, kind=AuditKind.PERSON_EXPORT, via=via, object_ids=[contact.pk])
    return data


def _contact_rows(contact: Contact) -> dict[str, list]:
    """Rows of the growth and referral programs that are about this person."""
    out: dict[str, list] = {}
    nomination = _model("growth.Nomination")
    if nomination is not None:
        out["nominations"] = [_row(n) for n in nomination.objects.filter(contact=contact).order_by("pk")]
    survey = _model("growth.SurveyResponse")
    if survey is not None:
        out["survey_responses"] = [_row(r) for r in survey.objects.filter(contact=contact).order_by("answered_on", "pk")]
    lead = _model("referrals.ReferralLead")
    if lead is not None:
        out["referrals_made"] = [
            {**_row(lead_row, exclude=("company_key",)), "timeline": [_row(e) for e in lead_row.events.order_by("at", "pk")]}
            for lead_row in lead.objects.filter(referrer_contact=contact).order_by("pk")
        ]
    return out


def _related_rows(reference: ReferenceProfile) -> dict[str, list]:
    out: dict[str, list] = {}
    candidate = _model("asks.RequestCandidate")
    if candidate is not None:
        candidates = list(candidate.objects.filter(reference=reference).order_by("pk"))
        ids = [c.pk for c in candidates]
        out["request_candidates"] = [
            {**_row(c, exclude=("link_nonce",)), "slots": [_row(s) for s in c.slots.all()]} for c in candidates
        ]
        event = _model("asks.RequestEvent")
        if event is not None:
            out["request_events"] = [_row(e) for e in event.objects.filter(candidate_id__in=ids).order_by("at", "pk")]
        feedback = _model("asks.Feedback")
        if feedback is not None:
            out["feedback"] = [_row(f) for f in feedback.objects.filter(candidate_id__in=ids).order_by("given_at", "pk")]
    activity = _model("activities.Activity")
    if activity is not None:
        out["activities"] = [_row(a) for a in activity.objects.filter(reference=reference).order_by("occurred_at", "pk")]
    group_event = _model("activities.GroupEvent")
    if group_event is not None:
        out["group_events"] = [{"id": e.pk, "title": str(e)} for e in group_event.objects.filter(references=reference)]
    holder = _model("rewards.PointsHolder")
    entry = _model("rewards.LedgerEntry")
    if holder is not None and entry is not None:
        out["points"] = [_row(e) for e in entry.objects.filter(holder__reference=reference).order_by("pk")]
    return out


@transaction.atomic
def person_erase(*, actor, contact_id: int, reason: str, via: str = "page") -> Contact:
    """Anonymise a contact everywhere, keeping counts for statistics; recorded in the audit log."""
    _require_pm(actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why the person is erased (e.g. 'their request of 2026-03-01').", details={"reason": "is required"})
    contact = _contact(contact_id)
    old_email, old_name = contact.email, contact.name
    now = timezone.now()
    user = actor if getattr(actor, "is_authenticated", False) else None

    contact.name = f"Erased person #{contact.pk}"
    contact.email = f"erased-{contact.pk}@{ERASED_DOMAIN}"
    contact.phone = contact.title = contact.time_zone = contact.external_id = ""
    contact.languages = []
    contact.save(update_fields=["name", "email", "phone", "title", "time_zone", "external_id", "languages", "updated_at"])
    ContactAccessGrant.objects.filter(contact=contact, revoked_at__isnull=True).update(revoked_at=now)

    reference = _reference(contact)
    if reference is not None:
        services.consent_record(
            actor=actor, contact=contact, before=reference.activity_types, after=[], source=ConsentSource.ERASURE, note="erased"
        )
        if reference.status != ReferenceStatus.RETIRED:
            ReferenceStatusChange.objects.create(
                reference=reference, from_status=reference.status, to_status=ReferenceStatus.RETIRED,
                changed_at=now, changed_by=user, reason="erased at the person's request",
            )
        # Direct update: erasure retires from any status, which the normal workflow does not allow.
        ReferenceProfile.objects.filter(pk=reference.pk).update(
            status=ReferenceStatus.RETIRED, status_changed_at=now, status_changed_by=user, opted_out=True,
            activity_types=[], topics=[], competitors_displaced=[], testimonial_channels=[], testimonial_expires=None,
            notes="", updated_at=now,
        )
        reference.refresh_from_db()
        services.reference_refresh_search_text(reference=reference)
        _scrub_related(reference)
    _scrub_content_and_email(contact, old_email)
    _scrub_programs(contact, old_name)
    audit_record(actor=actor, kind=AuditKind.PERSON_ERASE, via=via, object_ids=[contact.pk], detail=reason)
    return contact


def _scrub_related(reference: ReferenceProfile) -> None:
    candidate = _model("asks.RequestCandidate")
    ids = list(candidate.objects.filter(reference=reference).values_list("pk", flat=True)) if candidate else []
    feedback = _model("asks.Feedback")
    if feedback is not None and ids:
        feedback.objects.filter(candidate_id__in=ids).update(comment="")
    activity = _model("activities.Activity")
    if activity is not None:
        activity.objects.filter(reference=reference).update(notes="")


def _scrub_programs(contact: Contact, old_name: str) -> None:
    """Nominations and survey answers lose their free text; referral leads the person made keep
    their figures but no longer name them or hold their address (so no update is emailed)."""
    nomination = _model("growth.Nomination")
    if nomination is not None:
        nomination.objects.filter(contact=contact).update(reason="(erased at the person's request)")
    survey = _model("growth.SurveyResponse")
    if survey is not None:
        survey.objects.filter(contact=contact).update(comment="")
    lead = _model("referrals.ReferralLead")
    if lead is None:
        return
    leads = list(lead.objects.filter(referrer_contact=contact).values_list("pk", flat=True))
    lead.objects.filter(pk__in=leads).update(referrer_email="", referrer_name="")
    if not old_name:
        return
    # Timelines and fees were written with the referrer's name ("Told Dana Fox: …").
    for label, field in (("referrals.LeadEvent", "text"), ("referrals.ReferralFee", "payee_label")):
        model = _model(label)
        for row in model.objects.filter(lead_id__in=leads, **{f"{field}__contains": old_name}).only("pk", field):
            model.objects.filter(pk=row.pk).update(**{field: getattr(row, field).replace(old_name, contact.name)})


def _scrub_content_and_email(contact: Contact, old_email: str) -> None:
    email = _model("notify.OutboundEmail")
    if email is not None and old_email:
        # Pending mail to an erased person must never leave; sent mail keeps only its kind and date.
        email.objects.filter(to__iexact=old_email, status="pending").update(status="failed", error="recipient erased")
        for row in email.objects.filter(to__iexact=old_email).only("pk", "key"):
            # The idempotency key names the recipient too.
            email.objects.filter(pk=row.pk).update(
                key=row.key.replace(old_email, contact.email)[:200], to=contact.email,
                subject="", body_text="", body_html="", ics="",
            )
