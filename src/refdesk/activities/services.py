"""Every write to the activity log, the fatigue rules, the content library, shares and events."""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from refdesk.activities import permissions as perms
from refdesk.activities import validation as av
from refdesk.activities.choices import (
    ActivitySource,
    ActivityStatus,
    ContentKind,
    ContentUseKind,
    EventFormat,
    EventStatus,
)
from refdesk.activities.models import (
    Activity,
    ContentAsset,
    ContentShare,
    ContentShareView,
    ContentUse,
    EventInvite,
    FatigueRule,
    GroupEvent,
    ReferenceFatigue,
)
from refdesk.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from refdesk.people import permissions
from refdesk.pool import validation as v
from refdesk.pool.choices import ActivityType

SHARE_DAYS_DEFAULT = 30
SHARE_DAYS_MAX = 365


def _invalid(errors: dict[str, str]) -> InvalidInput:
    return InvalidInput(
        "Please correct: " + "; ".join(f"{k} {r}" for k, r in errors.items()) + ".", details=errors
    )


# --- the activity log ------------------------------------------------------------------------


@transaction.atomic
def activity_record(
    *,
    actor,
    reference,
    activity_type: str,
    occurred_at: dt.datetime,
    status: str = ActivityStatus.SCHEDULED,
    request_text: str = "",
    opportunity_text: str = "",
    request=None,
    candidate=None,
    event=None,
    source: str = ActivitySource.REQUEST,
    notes: str = "",
    external_id: str = "",
    entered_by=None,
) -> Activity:
    """Log a participation of a reference (scheduled or already done)."""
    if actor is not None and not permissions.can_manage_pool(actor):
        raise Forbidden("Only a program manager can record activities.")
    errors = {}
    if activity_type not in ActivityType.values:
        errors["activity_type"] = f"use one of {', '.join(ActivityType.values)}"
    if status not in ActivityStatus.values:
        errors["status"] = f"use one of {', '.join(ActivityStatus.values)}"
    if occurred_at is None or occurred_at.tzinfo is None:
        errors["occurred_at"] = "needs a date and time with a time zone"
    if errors:
        raise _invalid(errors)
    if request is not None:
        request_text = request_text or f"#{request.pk} {request.prospect}"
        opportunity_text = opportunity_text or request.prospect
    return Activity.objects.create(
        reference=reference, activity_type=activity_type, status=status, occurred_at=occurred_at,
        request_text=request_text[:300], opportunity_text=opportunity_text[:300], request=request,
        candidate=candidate, event=event, source=source, notes=notes, external_id=external_id[:100],
        entered_by=entered_by or actor,
    )  # fmt: skip


def _reference(reference_id: Any, errors: dict):
    from refdesk.pool.models import ReferenceProfile

    try:
        found = (
            ReferenceProfile.objects.select_related("contact__account")
            .filter(pk=int(reference_id))
            .first()
        )
    except (TypeError, ValueError):
        found = None
    if found is None:
        errors["reference"] = "is not a reference in the pool"
    return found


def _request_for(actor, request_id: Any, errors: dict):
    """The request an activity belongs to; someone who is not a program manager must be its requester."""
    from refdesk.asks import selectors as ask_selectors

    if request_id in (None, ""):
        return None
    try:
        request = ask_selectors.request_get_any(int(request_id))
    except (NotFound, TypeError, ValueError):
        errors["request"] = f"#{request_id} is not a reference request"
        return None
    if actor is not None and not perms.can_manage(actor) and request.requester_id != actor.pk:
        errors["request"] = f"#{request_id} is not one of your requests"
    return request


@transaction.atomic
def activity_log(
    *,
    actor,
    reference_id: int,
    activity_type: str,
    occurred_at: Any,
    status: str = ActivityStatus.COMPLETED,
    request_id: int | None = None,
    opportunity_text: str = "",
    notes: str = "",
) -> Activity:
    """Enter by hand an activity done outside the request workflow (a media call PR arranged)."""
    if actor is not None and not perms.can_log(actor):
        raise Forbidden("Only program managers, sales and requesters can log activities.")
    errors: dict[str, str] = {}
    cleaned = {}
    for name, cleaner, value in (
        ("activity_type", av.ACTIVITY_TYPE, activity_type),
        ("status", av.ACTIVITY_STATUS, status),
        ("occurred_at", av.required(av.activity_moment), occurred_at),
        ("opportunity_text", v.text(300), opportunity_text),
        ("notes", v.text(5000), notes),
    ):
        try:
            cleaned[name] = cleaner(value)
        except ValueError as exc:
            errors[name] = str(exc)
    reference = _reference(reference_id, errors)
    request = _request_for(actor, request_id, errors)
    if errors:
        raise _invalid(errors)
    return activity_record(
        actor=None, reference=reference, activity_type=cleaned["activity_type"], status=cleaned["status"],
        occurred_at=cleaned["occurred_at"], request=request, opportunity_text=cleaned["opportunity_text"],
        source=ActivitySource.MANUAL, notes=cleaned["notes"], entered_by=actor,
    )  # fmt: skip


def activity_cancel(*, actor, activity: Activity) -> Activity:
    """Cancel a scheduled activity; it no longer counts toward caps or cool-downs."""
    if actor is not None and not (
        permissions.can_manage_pool(actor) or perms.can_edit_activity(actor, activity)
    ):
        raise Forbidden("Only a program manager can cancel activities.")
    changed = Activity.objects.filter(pk=activity.pk, status=ActivityStatus.SCHEDULED).update(
        status=ActivityStatus.CANCELLED, updated_at=dt.datetime.now(dt.UTC)
    )
    if changed != 1:
        raise Conflict("Only a scheduled activity can be cancelled.")
    activity.status = ActivityStatus.CANCELLED
    return activity


def activity_reschedule(*, actor, activity_id: int, occurred_at: dt.datetime) -> None:
    """Move a scheduled activity to a new time (a rescheduled call)."""
    if actor is not None and not permissions.can_manage_pool(actor):
        raise Forbidden("Only a program manager can reschedule activities.")
    changed = Activity.objects.filter(pk=activity_id, status=ActivityStatus.SCHEDULED).update(
        occurred_at=occurred_at, updated_at=dt.datetime.now(dt.UTC)
    )
    if changed != 1:
        raise Conflict("Only a scheduled activity can be moved.")


def activity_complete(*, actor, activity_id: int, occurred_at: dt.datetime | None = None) -> None:
    """Mark a scheduled activity as done (it counts toward caps, cool-down and rewards)."""
    if actor is not None and not permissions.can_manage_pool(actor):
        raise Forbidden("Only a program manager can complete activities.")
    fields = {"status": ActivityStatus.COMPLETED, "updated_at": dt.datetime.now(dt.UTC)}
    if occurred_at is not None:
        fields["occurred_at"] = occurred_at
    changed = Activity.objects.filter(pk=activity_id, status=ActivityStatus.SCHEDULED).update(
        **fields
    )
    if changed != 1:
        raise Conflict("Only a scheduled activity can be completed.")
    from refdesk.rewards.services import reward_credit_for_activity

    transaction.on_commit(lambda: reward_credit_for_activity(activity_id=activity_id), robust=True)


def activity_cancel_by_id(*, actor, activity_id: int) -> None:
    """Cancel a scheduled activity by id; one already cancelled stays so (safe to repeat)."""
    if actor is not None and not permissions.can_manage_pool(actor):
        raise Forbidden("Only a program manager can cancel activities.")
    Activity.objects.filter(pk=activity_id, status=ActivityStatus.SCHEDULED).update(
        status=ActivityStatus.CANCELLED, updated_at=dt.datetime.now(dt.UTC)
    )


# --- fatigue rules ---------------------------------------------------------------------------


def _require_manager(actor, what: str) -> None:
    if actor is not None and not perms.can_manage(actor):
        raise Forbidden(f"Only a program manager can {what}.")


@transaction.atomic
def fatigue_rule_set(*, actor, activity_type: str, **fields: Any) -> FatigueRule:
    """Set the program's caps and cool-down for one activity type (blank cap: no cap)."""
    _require_manager(actor, "change fatigue rules")
    from refdesk.activities.fatigue import DEFAULT_RULES

    spec = {"short_cap": av.CAP, "short_window_days": av.WINDOW, "long_cap": av.CAP,
            "long_window_days": av.WINDOW, "cooldown_days": av.DAYS}  # fmt: skip
    try:
        kind = av.ACTIVITY_TYPE(activity_type)
    except ValueError as exc:
        raise _invalid({"activity_type": str(exc)}) from None
    cleaned = v.clean_fields(spec, fields)
    existing = FatigueRule.objects.filter(activity_type=kind).first()
    base = existing or DEFAULT_RULES[kind]
    values = {name: getattr(base, name) for name in spec}
    for name, value in cleaned.items():
        if name in ("short_window_days", "long_window_days") and value is None:
            continue  # a window cannot be blank: keep it
        values[name] = value if value is not None or name.endswith("_cap") else 0
    if values["short_window_days"] > values["long_window_days"]:
        raise _invalid({"short_window_days": "must not be longer than the long window"})
    rule, _ = FatigueRule.objects.update_or_create(
        activity_type=kind, defaults={**values, "updated_by": actor}
    )
    return rule


KEEP = object()  # an argument left out keeps its stored value


@transaction.atomic
def reference_fatigue_set(
    *,
    actor,
    reference,
    monthly_limit: Any = KEEP,
    short_cap: Any = KEEP,
    long_cap: Any = KEEP,
    cooldown_days: Any = KEEP,
    note: Any = KEEP,
) -> ReferenceFatigue:
    """Record a reference's own monthly limit and the program manager's override (blank: none).

    Fields left out keep their value, so the portal can set only the reference's own limit."""
    _require_manager(actor, "change a reference's limits")
    given = {"monthly_limit": monthly_limit, "short_cap": short_cap, "long_cap": long_cap,
             "cooldown_days": cooldown_days, "note": note}  # fmt: skip
    cleaned = v.clean_fields(
        {"monthly_limit": av.LIMIT, "short_cap": av.CAP, "long_cap": av.CAP, "cooldown_days": av.DAYS, "note": v.text(300)},
        {k: val for k, val in given.items() if val is not KEEP},
    )  # fmt: skip
    found, _ = ReferenceFatigue.objects.update_or_create(
        reference=reference, defaults={**cleaned, "updated_by": actor}
    )
    return found


# --- content library -------------------------------------------------------------------------

CONTENT_FIELDS = {
    "kind": av.CONTENT_KIND,
    "title": v.text(200, required=True),
    "body": v.text(20_000),
    "url": av.url,
    "channels": av.CHANNELS,
    "expires_on": v.date,
    "approved_by": v.text(200),
    "approved_on": v.date,
    "approval_note": v.text(500),
    "industry": av.industry_code,
    "products": v.free_list(20, 120),
    "topics": v.free_list(30, 100),
}


def _search_text(asset: ContentAsset) -> str:
    parts = [
        asset.title,
        asset.body[:2000],
        asset.get_kind_display(),
        " ".join(asset.products),
        " ".join(asset.topics),
    ]
    if asset.account_id:
        parts.append(asset.account.name)
    if asset.contact_id:
        parts.append(asset.contact.name)
    if asset.industry_id:
        parts += [asset.industry_id, asset.industry.title]
    return " ".join(p for p in parts if p).lower()


@transaction.atomic
def content_create(
    *, actor, file=None, account_id: Any = None, contact_id: Any = None, event=None, **fields: Any
) -> ContentAsset:
    """Add an asset to the library: its text or file or link, channels, expiry, approval and tags."""
    _require_manager(actor, "add to the content library")
    from refdesk.pool.models import Account, Contact

    errors: dict[str, str] = {}
    try:
        cleaned = v.clean_fields(CONTENT_FIELDS, fields)
    except InvalidInput as exc:
        errors.update(exc.details)
        cleaned = {}
    account = contact = None
    if contact_id not in (None, ""):
        contact = Contact.objects.select_related("account").filter(pk=_int(contact_id)).first()
        if contact is None:
            errors["contact"] = "is not a contact in the pool"
    if account_id not in (None, ""):
        account = Account.objects.filter(pk=_int(account_id)).first()
        if account is None:
            errors["account"] = "is not an account in the pool"
    if contact is not None and account is None:
        account = contact.account
    if contact is not None and account is not None and contact.account_id != account.pk:
        errors["contact"] = f"works at {contact.account.name}, not {account.name}"
    if (
        not errors
        and cleaned.get("kind") == ContentKind.RECORDING
        and not (cleaned.get("url") or file)
    ):
        errors["url"] = "or a file is required for a recording"
    if (
        not errors
        and cleaned.get("kind")
        in (ContentKind.TESTIMONIAL, ContentKind.QUOTE, ContentKind.CASE_STUDY)
        and not (cleaned.get("body") or cleaned.get("url") or file)
    ):
        errors["body"] = "is required (or a link or a file)"
    if errors:
        raise _invalid(errors)
    industry_code = cleaned.pop("industry", None)
    if account is not None:
        # Untagged assets take their customer's industry and products, so matching can offer them.
        industry_code = industry_code or account.industry_id
        if not cleaned.get("products"):
            cleaned["products"] = list(
                account.products.order_by("name").values_list("name", flat=True)[:20]
            )
    asset = ContentAsset(
        **cleaned,
        account=account,
        contact=contact,
        industry_id=industry_code,
        event=event,
        created_by=actor,
    )
    if file is not None:
        asset.file.save(file.name.rsplit("/", 1)[-1][:100], file, save=False)
    asset.search_text = _search_text(asset)
    asset.save()
    return asset


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def content_retire(*, actor, asset: ContentAsset) -> None:
    """Take an asset out of the library (it stays on record with its uses)."""
    _require_manager(actor, "retire content")
    ContentAsset.objects.filter(pk=asset.pk, retired_at__isnull=True).update(
        retired_at=timezone.now()
    )


def content_use_log(
    *,
    actor,
    asset: ContentAsset,
    kind: str,
    channel: str = "",
    share=None,
    request=None,
    note: str = "",
    at=None,
) -> ContentUse:
    """Record one use of an asset (append-only)."""
    if actor is not None and not perms.can_log(actor):
        raise Forbidden("Only program managers, sales and requesters record content use.")
    errors = {}
    if kind not in ContentUseKind.values:
        errors["kind"] = f"use one of {', '.join(ContentUseKind.values)}"
    if channel:
        try:
            channel = av.CHANNELS(channel)[0]
        except (ValueError, IndexError):
            errors["channel"] = "use one of web, sales_deck, press, social"
        else:
            if asset.channels and channel not in asset.channels:
                errors["channel"] = (
                    f"{channel} is not a channel this asset is approved for ({', '.join(asset.channels)})"
                )
    today = (at or timezone.now()).date()
    if kind == ContentUseKind.USED and asset.expires_on and asset.expires_on < today:
        errors["asset"] = f"expired on {asset.expires_on}"
    if errors:
        raise _invalid(errors)
    return ContentUse.objects.create(
        asset=asset, kind=kind, channel=channel, used_at=at or timezone.now(), used_by=actor, share=share,
        request=request, note=note[:300],
    )  # fmt: skip


# --- sharing with a prospect -----------------------------------------------------------------


def shareable(asset: ContentAsset, today: dt.date) -> str:
    """Why the asset may not go to a prospect ("" when it may)."""
    if asset.retired_at:
        return "is retired"
    if asset.expires_on and asset.expires_on < today:
        return f"expired on {asset.expires_on}"
    if not asset.approved_on:
        return "has no approval on record"
    if asset.kind == ContentKind.LOGO:
        return "is a logo permission, not something to send"
    return ""


@transaction.atomic
def share_create(
    *,
    actor,
    asset_ids: list[int],
    prospect: str,
    recipient_email: str = "",
    message: str = "",
    request_id: int | None = None,
    expires_in_days: Any = SHARE_DAYS_DEFAULT,
    now: dt.datetime | None = None,
) -> ContentShare:
    """Curate assets for a prospect behind a private, expiring link; each asset's share is a use."""
    if actor is None or not perms.can_share(actor):
        raise Forbidden("Only program managers, sales and requesters share content.")
    now = now or timezone.now()
    errors: dict[str, str] = {}
    try:
        cleaned = v.clean_fields(
            {"prospect": v.text(200, required=True), "recipient_email": v.optional_email, "message": v.text(5000),
             "expires_in_days": v.whole_number(1, SHARE_DAYS_MAX)},
            {"prospect": prospect, "recipient_email": recipient_email, "message": message,
             "expires_in_days": expires_in_days if expires_in_days not in (None, "") else SHARE_DAYS_DEFAULT},
        )  # fmt: skip
    except InvalidInput as exc:
        errors.update(exc.details)
        cleaned = {}
    ids = list(dict.fromkeys(i for i in (_int(a) for a in asset_ids or []) if i))
    assets = list(ContentAsset.objects.filter(pk__in=ids))
    if not ids:
        errors["assets"] = "choose at least one asset"
    elif len(assets) != len(ids):
        errors["assets"] = "include assets that do not exist"
    else:
        refused = [f"{a.title} {why}" for a in assets if (why := shareable(a, now.date()))]
        if refused:
            errors["assets"] = "; ".join(refused)
    request = _request_for(actor, request_id, errors)
    if errors:
        raise _invalid(errors)
    share = ContentShare.objects.create(
        created_by=actor, request=request, prospect=cleaned["prospect"], recipient_email=cleaned["recipient_email"],
        message=cleaned["message"], expires_at=now + dt.timedelta(days=cleaned["expires_in_days"] or SHARE_DAYS_DEFAULT),
    )  # fmt: skip
    share.assets.set(assets)
    ContentUse.objects.bulk_create(
        [
            ContentUse(
                asset=a,
                kind=ContentUseKind.SHARED,
                used_at=now,
                used_by=actor,
                share=share,
                request=request,
                note=f"shared with {share.prospect}",
            )
            for a in assets
        ]  # fmt: skip
    )
    return share


def share_revoke(*, actor, share: ContentShare) -> None:
    """Close a private link at once; the prospect sees that it is no longer available."""
    if actor is None or not perms.can_see_share(actor, share):
        raise Forbidden("Only whoever shared it, or a program manager, can revoke a link.")
    changed = ContentShare.objects.filter(pk=share.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if changed != 1:
        raise Conflict("This link is already revoked.")


@transaction.atomic
def share_open(
    *, share: ContentShare, user_agent: str = "", now: dt.datetime | None = None
) -> ContentShareView:
    """The prospect opened the private page: record the view (the requester sees it) and a use per asset."""
    now = now or timezone.now()
    ContentShare.objects.filter(pk=share.pk, first_opened_at__isnull=True).update(
        first_opened_at=now
    )
    view = ContentShareView.objects.create(
        share=share, viewed_at=now, user_agent=(user_agent or "")[:200]
    )
    ContentUse.objects.bulk_create(
        [
            ContentUse(
                asset=a,
                kind=ContentUseKind.VIEWED,
                used_at=now,
                share=share,
                request_id=share.request_id,
                note=f"opened by {share.prospect}",
            )
            for a in share.assets.all()
        ]  # fmt: skip
    )
    return view


# --- group events ----------------------------------------------------------------------------

EVENT_ACTIVITY = {
    EventFormat.TELECONFERENCE: ActivityType.REFERENCE_CALL,
    EventFormat.WEBINAR: ActivityType.WEBINAR,
}


@transaction.atomic
def event_create(
    *,
    actor,
    title: str,
    starts_at: Any,
    ends_at: Any = None,
    format: str = EventFormat.WEBINAR,
    reference_ids: list[int] = (),
    description: str = "",
    industry: Any = "",
    products: Any = None,
    topics: Any = None,
    join_url: str = "",
) -> GroupEvent:
    """Schedule a session with one or more references; each counts it once toward their fatigue."""
    _require_manager(actor, "schedule group events")
    errors: dict[str, str] = {}
    try:
        cleaned = v.clean_fields(
            {"title": v.text(200, required=True), "starts_at": av.required(av.activity_moment), "ends_at": av.activity_moment,
             "format": av.EVENT_FORMAT, "description": v.text(5000), "industry": av.industry_code,
             "products": v.free_list(20, 120), "topics": v.free_list(30, 100), "join_url": av.url},
            {"title": title, "starts_at": starts_at, "ends_at": ends_at, "format": format, "description": description,
             "industry": industry, "products": products, "topics": topics, "join_url": join_url},
        )  # fmt: skip
    except InvalidInput as exc:
        errors.update(exc.details)
        cleaned = {}
    from refdesk.pool.models import ReferenceProfile

    ids = list(dict.fromkeys(i for i in (_int(r) for r in reference_ids or []) if i))
    references = list(ReferenceProfile.objects.filter(pk__in=ids))
    if not ids:
        errors["references"] = "choose at least one reference to speak"
    elif len(references) != len(ids):
        errors["references"] = "include references that do not exist"
    if cleaned.get("starts_at"):
        cleaned["ends_at"] = cleaned.get("ends_at") or cleaned["starts_at"] + dt.timedelta(hours=1)
        if cleaned["ends_at"] <= cleaned["starts_at"]:
            errors["ends_at"] = "must be after the start"
    activity_type = EVENT_ACTIVITY.get(cleaned.get("format"), ActivityType.WEBINAR)
    if not errors:
        unwilling = [r.contact.name for r in references if activity_type not in r.activity_types]
        if unwilling:
            errors["references"] = (
                f"{', '.join(unwilling)} did not agree to {activity_type.replace('_', ' ')}"
            )
    if errors:
        raise _invalid(errors)
    industry_code = cleaned.pop("industry", None)
    event = GroupEvent.objects.create(**cleaned, industry_id=industry_code, created_by=actor)
    event.references.set(references)
    for reference in references:
        activity_record(
            actor=None, reference=reference, activity_type=activity_type, occurred_at=event.starts_at, event=event,
            source=ActivitySource.EVENT, request_text=f"Event: {event.title}"[:300], entered_by=actor,
        )  # fmt: skip
    return event


def event_invite(
    *,
    actor,
    event: GroupEvent,
    prospect: str = "",
    request_id: int | None = None,
    opportunity_text: str = "",
    email: str = "",
) -> EventInvite:
    """Invite a prospect to the event for one opportunity (a request of yours, or a named deal)."""
    if actor is None or not perms.can_log(actor):
        raise Forbidden("Only program managers, sales and requesters invite prospects.")
    if event.status == EventStatus.CANCELLED:
        raise Conflict("The event is cancelled.")
    errors: dict[str, str] = {}
    request = _request_for(actor, request_id, errors)
    try:
        cleaned = v.clean_fields(
            {"prospect": v.text(200), "opportunity_text": v.text(300), "email": v.optional_email},
            {"prospect": prospect, "opportunity_text": opportunity_text, "email": email},
        )
    except InvalidInput as exc:
        errors.update(exc.details)
        cleaned = {}
    if request is not None:
        cleaned["prospect"] = cleaned.get("prospect") or request.prospect
        cleaned["opportunity_text"] = cleaned.get("opportunity_text") or f"Request #{request.pk}"
    if not errors and not cleaned.get("prospect"):
        errors["prospect"] = "is required (or choose a request)"
    if errors:
        raise _invalid(errors)
    try:
        with transaction.atomic():
            return EventInvite.objects.create(
                event=event, request=request, invited_by=actor, invited_at=timezone.now(), **cleaned
            )
    except IntegrityError:
        raise Conflict(f"{cleaned['prospect']} is already invited for this opportunity.") from None


def event_attendance_set(*, actor, invite: EventInvite, attended: bool) -> EventInvite:
    """Record whether the prospect of one opportunity attended."""
    _require_manager(actor, "record attendance")
    EventInvite.objects.filter(pk=invite.pk).update(attended=bool(attended))
    invite.attended = bool(attended)
    return invite


@transaction.atomic
def event_hold(*, actor, event: GroupEvent) -> GroupEvent:
    """The event took place: its speakers' activities are completed."""
    _require_manager(actor, "close events")
    changed = GroupEvent.objects.filter(pk=event.pk, status=EventStatus.SCHEDULED).update(
        status=EventStatus.HELD
    )
    if changed != 1:
        raise Conflict("Only a scheduled event can be marked as held.")
    for activity_id in Activity.objects.filter(
        event=event, status=ActivityStatus.SCHEDULED
    ).values_list("pk", flat=True):
        activity_complete(actor=None, activity_id=activity_id)
    event.status = EventStatus.HELD
    return event


@transaction.atomic
def event_cancel(*, actor, event: GroupEvent) -> GroupEvent:
    """Call the event off: its speakers' activities no longer count."""
    _require_manager(actor, "cancel events")
    changed = GroupEvent.objects.filter(pk=event.pk, status=EventStatus.SCHEDULED).update(
        status=EventStatus.CANCELLED
    )
    if changed != 1:
        raise Conflict("Only a scheduled event can be cancelled.")
    for activity_id in Activity.objects.filter(event=event).values_list("pk", flat=True):
        activity_cancel_by_id(actor=None, activity_id=activity_id)
    event.status = EventStatus.CANCELLED
    return event


@transaction.atomic
def event_recording_attach(
    *, actor, event: GroupEvent, url: str = "", file=None, title: str = ""
) -> ContentAsset:
    """Attach the session's recording; it joins the content library, tagged like the event."""
    _require_manager(actor, "attach recordings")
    if event.status == EventStatus.CANCELLED:
        raise Conflict("The event is cancelled.")
    first = event.references.select_related("contact").first()
    return content_create(
        actor=actor, kind=ContentKind.RECORDING, title=title or f"Recording: {event.title}", body=event.description,
        url=url, file=file, channels=[], approved_by="the speakers, as part of the event",
        approved_on=timezone.now().date(), approval_note=f"Recorded at group event #{event.pk}",
        industry=event.industry_id or "", products=event.products, topics=event.topics,
        contact_id=first.contact_id if first else None, event=event,
    )  # fmt: skip
