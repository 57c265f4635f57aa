"""The activities API: the log, fatigue, content, shares, events. Thin doors onto services and selectors."""

import os
import tempfile
from pathlib import Path

from django.urls import reverse
from django.utils import timezone
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from refdesk.activities import schemas as s
from refdesk.activities import selectors, services
from refdesk.activities.choices import ContentUseKind
from refdesk.activities.importing import activity_import
from refdesk.core.errors import InvalidInput, NotFound
from refdesk.core.schemas import ERRORS, Limit, Offset, page

router = Router(tags=["activities"])


def _activity(a) -> dict:
    return {"id": a.pk, "reference_id": a.reference_id, "reference_name": a.reference.contact.name,
            "account": a.reference.contact.account.name, "activity_type": a.activity_type, "status": a.status,
            "occurred_at": a.occurred_at, "source": a.source, "request_id": a.request_id, "event_id": a.event_id,
            "opportunity": a.opportunity_text, "notes": a.notes}  # fmt: skip


@router.get("/activities", response={200: s.ActivityPage, **ERRORS}, summary="List activities")
def list_activities(
    request, filters: Query[s.ActivityQuery], limit: Limit = 50, offset: Offset = 0
):
    qs = selectors.activity_list(
        user=request.user, filters=selectors.ActivityFilters(**filters.model_dump())
    )
    result = page(qs, limit=limit, offset=offset)
    result["items"] = [_activity(a) for a in result["items"]]
    return result


@router.post(
    "/activities", response={201: s.ActivityOut, **ERRORS}, summary="Log an activity by hand"
)
def create_activity(request, payload: s.ActivityIn):
    data = payload.model_dump()
    data["opportunity_text"] = data.pop("opportunity")
    activity = services.activity_log(actor=request.user, **data)
    return Status(
        201, _activity(selectors.activity_get(user=request.user, activity_id=activity.pk))
    )


@router.post(
    "/activities/import",
    response={200: s.ActivityImportOut, **ERRORS},
    summary="Import activities from CSV/XLSX (all or nothing)",
)
def import_activities(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    suffix = Path(file.name or "").suffix.lower() or ".csv"
    fd, tmp = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in file.chunks():
                out.write(chunk)
        result = activity_import(
            actor=request.user, path_or_file=tmp, filename=file.name or "upload", dry_run=dry_run
        )
    finally:
        os.unlink(tmp)
    if result.errors:
        raise InvalidInput(result.summary(), details=[e.as_dict() for e in result.errors])
    return result.as_dict()


def _rule(kind, rule) -> dict:
    return {"activity_type": kind, "short_cap": rule.short_cap, "short_window_days": rule.short_window_days,
            "long_cap": rule.long_cap, "long_window_days": rule.long_window_days, "cooldown_days": rule.cooldown_days}  # fmt: skip


@router.get(
    "/fatigue/rules",
    response={200: list[s.ActivityFatigueRuleOut], **ERRORS},
    summary="Caps and cool-down per activity type",
)
def list_fatigue_rules(request):
    selectors.activity_list(user=request.user)  # the same read permission as the log
    return [_rule(k, r) for k, r in selectors.fatigue_rules().items()]


@router.put(
    "/fatigue/rules/{activity_type}",
    response={200: s.ActivityFatigueRuleOut, **ERRORS},
    summary="Change one type's caps",
)
def set_fatigue_rule(request, activity_type: str, payload: s.ActivityFatigueRuleIn):
    services.fatigue_rule_set(
        actor=request.user, activity_type=activity_type, **payload.model_dump(exclude_unset=True)
    )
    kind = activity_type.strip().lower()
    return _rule(kind, selectors.fatigue_rules()[kind])


def _reference(request, reference_id: int):
    from refdesk.pool import selectors as pool_selectors

    return pool_selectors.reference_get(user=request.user, reference_id=reference_id)


@router.put(
    "/references/{reference_id}/fatigue",
    response={200: s.ActivityReferenceLimitsOut, **ERRORS},
    summary="A reference's own limit and override",
)
def set_reference_limits(request, reference_id: int, payload: s.ActivityReferenceLimitsIn):
    found = services.reference_fatigue_set(
        actor=request.user,
        reference=_reference(request, reference_id),
        **payload.model_dump(exclude_unset=True),
    )
    return {
        "reference_id": reference_id,
        **{
            n: getattr(found, n)
            for n in ("monthly_limit", "short_cap", "long_cap", "cooldown_days", "note")
        },
    }


def _row(reference, **extra) -> dict:
    return {
        "reference_id": reference.pk,
        "name": reference.contact.name,
        "account": reference.contact.account.name,
        **extra,
    }


@router.get(
    "/fatigue",
    response={200: s.ActivityFatigueOut, **ERRORS},
    summary="References at or near their cap, needing a break, never asked",
)
def fatigue_report(request):
    report = selectors.fatigue_report(user=request.user, today=timezone.now().date())

    def loads(rows):
        return [_row(r["reference"], activity_type=r["activity_type"], reasons=[b.reason for b in r["load"].blocks],
                     free_from=r["load"].free_from) for r in rows]  # fmt: skip

    return {
        "capped": loads(report["capped"]), "near": loads(report["near"]),
        "need_break": [_row(r["reference"], reasons=[f"asked {r['asked']}×, used {r['used']}×, declined {r['declines']}× in 90 days"])
                       for r in report["need_break"]],
        "never_asked": [_row(r) for r in report["never_asked"]],
        "busiest_share": round(report["busiest_share"], 4), "activities_in_year": report["activities_in_year"],
    }  # fmt: skip


def _content(a, today) -> dict:
    return {"id": a.pk, "kind": a.kind, "title": a.title, "body": a.body, "url": a.url, "has_file": bool(a.file),
            "channels": a.channels, "expires_on": a.expires_on, "expiry": selectors.expiry_state(a, today),
            "approved_by": a.approved_by, "approved_on": a.approved_on, "approval_note": a.approval_note,
            "account_id": a.account_id, "contact_id": a.contact_id, "industry": a.industry_id, "products": a.products,
            "topics": a.topics, "event_id": a.event_id, "uses": getattr(a, "use_count", None) or a.uses.count()}  # fmt: skip


@router.get(
    "/content", response={200: s.ContentPage, **ERRORS}, summary="Search the content library"
)
def list_content(request, filters: Query[s.ContentQuery], limit: Limit = 50, offset: Offset = 0):
    today = timezone.now().date()
    qs = selectors.content_list(
        user=request.user, filters=selectors.ContentFilters(**filters.model_dump()), today=today
    )
    result = page(qs, limit=limit, offset=offset)
    result["items"] = [_content(a, today) for a in result["items"]]
    return result


@router.post(
    "/content",
    response={201: s.ContentOutItem, **ERRORS},
    summary="Add a case study, testimonial, quote, recording link or logo permission",
)
def create_content(request, payload: s.ContentIn):
    asset = services.content_create(actor=request.user, **payload.model_dump())
    return Status(
        201,
        _content(
            selectors.content_get(user=request.user, asset_id=asset.pk), timezone.now().date()
        ),
    )


@router.get("/content/{asset_id}", response={200: s.ContentOutItem, **ERRORS}, summary="One asset")
def get_content(request, asset_id: int):
    return _content(
        selectors.content_get(user=request.user, asset_id=asset_id), timezone.now().date()
    )


@router.post(
    "/content/{asset_id}/uses",
    response={201: s.ContentUseOut, **ERRORS},
    summary="Record a use of an asset",
)
def use_content(request, asset_id: int, payload: s.ContentUseIn):
    asset = selectors.content_get(user=request.user, asset_id=asset_id)
    use = services.content_use_log(
        actor=request.user, asset=asset, kind=ContentUseKind.USED, **payload.model_dump()
    )
    return Status(
        201,
        {
            "id": use.pk,
            "asset_id": asset.pk,
            "kind": use.kind,
            "channel": use.channel,
            "used_at": use.used_at,
        },
    )


def _share(request, share) -> dict:
    return {"id": share.pk, "prospect": share.prospect,
            "url": request.build_absolute_uri(reverse("activities:share-open", args=[share.token])),
            "asset_ids": list(share.assets.values_list("pk", flat=True)), "expires_at": share.expires_at,
            "revoked_at": share.revoked_at, "first_opened_at": share.first_opened_at, "views": share.views.count()}  # fmt: skip


@router.get(
    "/content-shares",
    response={200: list[s.ContentShareOut], **ERRORS},
    summary="Your shares with prospects",
)
def list_shares(request, limit: Limit = 50, offset: Offset = 0):
    return [
        _share(request, sh)
        for sh in selectors.share_list(user=request.user)[offset : offset + limit]
    ]


@router.post(
    "/content-shares",
    response={201: s.ContentShareOut, **ERRORS},
    summary="Share assets with a prospect by private link",
)
def create_share(request, payload: s.ContentShareIn):
    return Status(
        201, _share(request, services.share_create(actor=request.user, **payload.model_dump()))
    )


@router.get(
    "/content-shares/{share_id}",
    response={200: s.ContentShareOut, **ERRORS},
    summary="One share, with its views",
)
def get_share(request, share_id: int):
    return _share(request, selectors.share_get(user=request.user, share_id=share_id))


@router.post(
    "/content-shares/{share_id}/revoke",
    response={200: s.ContentShareOut, **ERRORS},
    summary="Revoke a private link",
)
def revoke_share(request, share_id: int):
    share = selectors.share_get(user=request.user, share_id=share_id)
    services.share_revoke(actor=request.user, share=share)
    return _share(request, selectors.share_get(user=request.user, share_id=share_id))


def _event(event) -> dict:
    invites = list(selectors.event_invites(event))
    return {"id": event.pk, "title": event.title, "format": event.format, "status": event.status,
            "starts_at": event.starts_at, "ends_at": event.ends_at,
            "reference_ids": [r.pk for r in event.references.all()],
            "invites": [{"id": i.pk, "prospect": i.prospect, "request_id": i.request_id, "opportunity": i.opportunity_text,
                         "attended": i.attended} for i in invites],
            "influenced_opportunities": len(selectors.event_influence(event)),
            "recording_ids": list(event.recordings.values_list("pk", flat=True))}  # fmt: skip


@router.get("/events", response={200: list[s.EventOut], **ERRORS}, summary="Group events")
def list_events(request, upcoming: bool | None = None, limit: Limit = 50, offset: Offset = 0):
    return [
        _event(e)
        for e in selectors.event_list(user=request.user, upcoming=upcoming)[offset : offset + limit]
    ]


@router.post("/events", response={201: s.EventOut, **ERRORS}, summary="Schedule a group event")
def create_event(request, payload: s.EventIn):
    return Status(201, _event(services.event_create(actor=request.user, **payload.model_dump())))


@router.get("/events/{event_id}", response={200: s.EventOut, **ERRORS}, summary="One group event")
def get_event(request, event_id: int):
    return _event(selectors.event_get(user=request.user, event_id=event_id))


@router.post(
    "/events/{event_id}/invites",
    response={201: s.EventOut, **ERRORS},
    summary="Invite a prospect for one opportunity",
)
def invite(request, event_id: int, payload: s.EventInviteIn):
    event = selectors.event_get(user=request.user, event_id=event_id)
    data = payload.model_dump()
    data["opportunity_text"] = data.pop("opportunity")
    services.event_invite(actor=request.user, event=event, **data)
    return Status(201, _event(event))


@router.post(
    "/events/{event_id}/invites/{invite_id}/attendance",
    response={200: s.EventOut, **ERRORS},
    summary="Record attendance",
)
def attendance(request, event_id: int, invite_id: int, payload: s.EventAttendanceIn):
    event = selectors.event_get(user=request.user, event_id=event_id)
    found = selectors.event_invites(event).filter(pk=invite_id).first()
    if found is None:
        raise NotFound(f"No invite #{invite_id} on event #{event_id}.")
    services.event_attendance_set(actor=request.user, invite=found, attended=payload.attended)
    return _event(event)


@router.post(
    "/events/{event_id}/recording",
    response={201: s.ContentOutItem, **ERRORS},
    summary="Attach the recording (it becomes content)",
)
def recording(request, event_id: int, payload: s.EventRecordingIn):
    event = selectors.event_get(user=request.user, event_id=event_id)
    asset = services.event_recording_attach(
        actor=request.user, event=event, url=payload.url, title=payload.title
    )
    return Status(
        201,
        _content(
            selectors.content_get(user=request.user, asset_id=asset.pk), timezone.now().date()
        ),
    )
