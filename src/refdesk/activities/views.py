"""Pages: thin doors onto the activity services and selectors."""

import os
import secrets
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from refdesk.activities import forms, selectors, services
from refdesk.activities import permissions as perms
from refdesk.activities.choices import ContentUseKind
from refdesk.activities.importing import activity_import
from refdesk.core.errors import Forbidden, RefdeskError
from refdesk.core.ratelimit import link_limited
from refdesk.core.views import fetch, form_page, paginate, render_page
from refdesk.pool.choices import ActivityType

IMPORT_SESSION_KEY = "activity_import_upload"


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


# --- the log ---------------------------------------------------------------------------------


@login_required
def activity_list(request):
    """The activity log with filters."""
    form = forms.ActivityFilterForm(request.GET or None)
    filters = selectors.ActivityFilters()
    if form.is_valid():
        filters = selectors.ActivityFilters(**{k: v for k, v in form.cleaned_data.items() if v})
    page = paginate(request, fetch(selectors.activity_list, user=request.user, filters=filters))
    context = {
        "form": form,
        "page": page,
        "can_log": perms.can_log(request.user),
        "can_manage": perms.can_manage(request.user),
        "opened": selectors.shares_opened_recently(user=request.user)[:5],
    }
    return render_page(
        request,
        "activities/activity_list.html",
        context,
        fragment="activities/partials/activity_results.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request):
    """Log an activity done outside a request (a media call PR arranged)."""
    _require(perms.can_log(request.user), "Executives read the log; they do not add to it.")
    initial = {"occurred_at": timezone.now().date().isoformat()}
    if request.GET.get("reference"):
        initial["reference_id"] = request.GET["reference"]
    form = forms.ActivityForm(request.POST or None, initial=initial)
    return form_page(
        request, form, template="activities/activity_form.html", context={},
        save=lambda data: services.activity_log(actor=request.user, **{k: v for k, v in data.items() if k != "request_id"},
                                               request_id=data.get("request_id") or None),
        success="Activity logged.", next_url=lambda a: reverse("activities:home"),
    )  # fmt: skip


@login_required
@require_POST
def activity_cancel(request, activity_id: int):
    activity = fetch(selectors.activity_get, user=request.user, activity_id=activity_id)
    try:
        services.activity_cancel(actor=request.user, activity=activity)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    except RefdeskError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Activity cancelled.")
    return redirect("activities:home")


def _upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@login_required
@require_http_methods(["GET", "POST"])
def activity_import_view(request):
    """Upload a CSV or XLSX of activities; see a preview; confirm to write it all."""
    _require(perms.can_manage(request.user), "Only a program manager imports activities.")
    if request.method == "GET":
        return render(request, "activities/import.html", {})
    if request.POST.get("confirm"):
        stored = request.session.get(IMPORT_SESSION_KEY) or {}
        path = _upload_dir() / os.path.basename(stored.get("name", "") or "-")
        if not stored or not path.is_file():
            return render(
                request,
                "activities/import.html",
                {"error": "There is no previewed file; upload it again."},
                status=400,
            )
        try:
            result = activity_import(
                actor=request.user, path_or_file=path, filename=stored["filename"]
            )
        except RefdeskError as exc:
            return render(request, "activities/import.html", {"error": exc.message}, status=400)
        finally:
            path.unlink(missing_ok=True)
            request.session.pop(IMPORT_SESSION_KEY, None)
        return render(
            request, "activities/import.html", {"result": result}, status=200 if result.ok else 422
        )
    upload = request.FILES.get("file")
    if upload is None:
        return render(
            request, "activities/import.html", {"error": "Choose a .csv or .xlsx file."}, status=400
        )
    filename = os.path.basename(upload.name or "upload")
    suffix = Path(filename).suffix.lower()
    if suffix not in (".csv", ".txt", ".tsv", ".xlsx"):
        return render(
            request,
            "activities/import.html",
            {"error": f"{filename} is not a .csv or .xlsx file."},
            status=400,
        )
    name = secrets.token_hex(16) + suffix
    fd, tmp = tempfile.mkstemp(dir=_upload_dir(), suffix=".part")
    with os.fdopen(fd, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    os.replace(tmp, _upload_dir() / name)
    try:
        result = activity_import(
            actor=request.user, path_or_file=_upload_dir() / name, filename=filename, dry_run=True
        )
    except RefdeskError as exc:
        (_upload_dir() / name).unlink(missing_ok=True)
        return render(request, "activities/import.html", {"error": exc.message}, status=400)
    if result.ok:
        request.session[IMPORT_SESSION_KEY] = {"name": name, "filename": filename}
    else:
        (_upload_dir() / name).unlink(missing_ok=True)
    return render(
        request,
        "activities/import.html",
        {"result": result, "preview": True},
        status=200 if result.ok else 422,
    )


# --- fatigue ---------------------------------------------------------------------------------


@login_required
def fatigue_page(request):
    """Who is at or near their cap, who needs a break, how concentrated the load is, who was never asked."""
    today = timezone.now().date()
    report = fetch(selectors.fatigue_report, user=request.user, today=today)
    rules = selectors.fatigue_rules()
    context = {
        "report": report, "can_manage": perms.can_manage(request.user),
        "rules": [(kind, label, rules[kind]) for kind, label in ActivityType.choices],
    }  # fmt: skip
    return render(request, "activities/fatigue.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def fatigue_rule_edit(request, activity_type: str):
    _require(perms.can_manage(request.user), "Only a program manager changes fatigue rules.")
    if activity_type not in ActivityType.values:
        raise Http404("No such activity type.")
    rule = selectors.fatigue_rules()[activity_type]
    initial = {
        n: getattr(rule, n) if getattr(rule, n) is not None else ""
        for n in forms.FatigueRuleForm.base_fields
    }
    form = forms.FatigueRuleForm(request.POST or None, initial=initial)
    return form_page(
        request, form, template="activities/simple_form.html",
        context={"title": f"Fatigue rule: {ActivityType(activity_type).label}", "back": reverse("activities:fatigue")},
        save=lambda data: services.fatigue_rule_set(actor=request.user, activity_type=activity_type, **data),
        success="Rule saved; matching uses it at once.", next_url=lambda _: reverse("activities:fatigue"),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def reference_limits_edit(request, reference_id: int):
    """A reference's own monthly limit, the override, and where they stand per activity type."""
    from refdesk.pool import selectors as pool_selectors

    reference = fetch(pool_selectors.reference_get, user=request.user, reference_id=reference_id)
    current = selectors.reference_limits([reference.pk]).get(reference.pk)
    initial = {
        n: (getattr(current, n, None) if current and getattr(current, n, None) is not None else "")
        for n in ("monthly_limit", "short_cap", "long_cap", "cooldown_days")
    }
    loads = selectors.reference_load(reference=reference, today=timezone.now().date())
    context = {"reference": reference, "loads": loads, "can_manage": perms.can_manage(request.user), "can_log": perms.can_log(request.user),
               "activities": selectors.activity_list(user=request.user, filters=selectors.ActivityFilters(reference_id=reference.pk))[:20]}  # fmt: skip
    if request.method == "POST":
        _require(
            perms.can_manage(request.user), "Only a program manager sets a reference's limits."
        )
    form = forms.ReferenceFatigueForm(request.POST or None, initial=initial)
    return form_page(
        request, form, template="activities/reference_limits.html", context=context,
        save=lambda data: services.reference_fatigue_set(actor=request.user, reference=reference, **data),
        success="Limits saved.", next_url=lambda _: reverse("activities:reference-limits", args=[reference.pk]),
    )  # fmt: skip


# --- content library -------------------------------------------------------------------------


@login_required
def content_list(request):
    form = forms.ContentFilterForm(request.GET or None)
    filters = selectors.ContentFilters()
    if form.is_valid():
        filters = selectors.ContentFilters(**{k: v for k, v in form.cleaned_data.items() if v})
    today = timezone.now().date()
    page = paginate(
        request, fetch(selectors.content_list, user=request.user, filters=filters, today=today)
    )
    rows = [(a, selectors.expiry_state(a, today)) for a in page]
    context = {"form": form, "page": page, "rows": rows, "can_manage": perms.can_manage(request.user),
               "can_share": perms.can_share(request.user), "expiring_count": selectors.content_expiring(today=today).count()}  # fmt: skip
    return render_page(
        request,
        "activities/content_list.html",
        context,
        fragment="activities/partials/content_results.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def content_create(request):
    _require(perms.can_manage(request.user), "Only a program manager adds to the library.")
    form = forms.ContentForm(request.POST or None, request.FILES or None)

    def save(data):
        from refdesk.pool.models import ReferenceProfile

        ref = ReferenceProfile.objects.filter(pk=data.pop("contact_id") or 0).first()
        return services.content_create(actor=request.user, contact_id=ref.contact_id if ref else None,
                                       file=request.FILES.get("file"), **{k: v for k, v in data.items() if k != "file"})  # fmt: skip

    return form_page(
        request, form, template="activities/simple_form.html",
        context={"title": "Add content", "back": reverse("activities:content-list"), "multipart": True},
        save=save, success="Added to the library.", next_url=lambda a: reverse("activities:content-detail", args=[a.pk]),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def content_detail(request, asset_id: int):
    asset = fetch(selectors.content_get, user=request.user, asset_id=asset_id)
    form = forms.ContentUseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.content_use_log(
                actor=request.user, asset=asset, kind=ContentUseKind.USED, **form.cleaned_data
            )
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None
        except RefdeskError as exc:
            from refdesk.core.views import add_service_error

            add_service_error(form, exc)
        else:
            messages.success(request, "Use recorded.")
            return redirect("activities:content-detail", asset.pk)
    today = timezone.now().date()
    context = {"asset": asset, "form": form, "uses": selectors.content_uses(asset)[:50], "expiry": selectors.expiry_state(asset, today),
               "unshareable": services.shareable(asset, today), "can_log": perms.can_log(request.user),
               "can_manage": perms.can_manage(request.user)}  # fmt: skip
    return render(
        request,
        "activities/content_detail.html",
        context,
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def content_retire(request, asset_id: int):
    asset = fetch(selectors.content_get, user=request.user, asset_id=asset_id)
    try:
        services.content_retire(actor=request.user, asset=asset)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    messages.success(request, "Retired from the library.")
    return redirect("activities:content-list")


def _file_response(asset):
    if not asset.file:
        raise Http404("No file.")
    try:
        return FileResponse(
            asset.file.open("rb"), as_attachment=False, filename=os.path.basename(asset.file.name)
        )
    except FileNotFoundError:
        raise Http404("The file is missing.") from None


@login_required
def content_file(request, asset_id: int):
    return _file_response(fetch(selectors.content_get, user=request.user, asset_id=asset_id))


# --- shares ----------------------------------------------------------------------------------


@login_required
def share_list(request):
    shares = fetch(selectors.share_list, user=request.user)
    return render(request, "activities/share_list.html", {"page": paginate(request, shares)})


@login_required
@require_http_methods(["GET", "POST"])
def share_create(request):
    _require(perms.can_share(request.user), "Executives cannot share content.")
    initial = {"asset_ids": request.GET.getlist("asset")}
    form = forms.ShareForm(request.POST or None, initial=initial)
    return form_page(
        request, form, template="activities/simple_form.html",
        context={"title": "Share content with a prospect", "back": reverse("activities:share-list")},
        save=lambda data: services.share_create(actor=request.user, **{k: v for k, v in data.items() if k != "request_id"},
                                                request_id=data.get("request_id") or None),
        success="Private link created: copy it to the prospect.", next_url=lambda s: reverse("activities:share-detail", args=[s.pk]),
    )  # fmt: skip


@login_required
def share_detail(request, share_id: int):
    share = fetch(selectors.share_get, user=request.user, share_id=share_id)
    link = request.build_absolute_uri(reverse("activities:share-open", args=[share.token]))
    context = {"share": share, "link": link, "assets": share.assets.all(), "views": share.views.all()[:100],
               "open": not share.revoked_at and share.expires_at > timezone.now()}  # fmt: skip
    return render(request, "activities/share_detail.html", context)


@login_required
@require_POST
def share_revoke(request, share_id: int):
    share = fetch(selectors.share_get, user=request.user, share_id=share_id)
    try:
        services.share_revoke(actor=request.user, share=share)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    except RefdeskError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The link no longer works.")
    return redirect("activities:share-detail", share.pk)


@link_limited("share")
def share_open(request, token: str):
    """The prospect's private page (no login): the curated assets; each opening is recorded."""
    share = fetch(selectors.share_by_token, token=token)
    if request.method == "GET":
        services.share_open(share=share, user_agent=request.headers.get("User-Agent", ""))
    response = render(
        request,
        "activities/share_open.html",
        {"share": share, "assets": share.assets.filter(retired_at__isnull=True)},
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@link_limited("share")
def share_file(request, token: str, asset_id: int):
    share = fetch(selectors.share_by_token, token=token)
    asset = share.assets.filter(pk=asset_id, retired_at__isnull=True).first()
    if asset is None:
        raise Http404("Not part of this page.")
    return _file_response(asset)


# --- events ----------------------------------------------------------------------------------


@login_required
def event_list(request):
    now = timezone.now()
    context = {"upcoming": fetch(selectors.event_list, user=request.user, upcoming=True, now=now)[:50],
               "past": fetch(selectors.event_list, user=request.user, upcoming=False, now=now).order_by("-starts_at")[:50],
               "can_manage": perms.can_manage(request.user)}  # fmt: skip
    return render(request, "activities/event_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request):
    _require(perms.can_manage(request.user), "Only a program manager schedules group events.")
    form = forms.EventForm(request.POST or None)
    return form_page(
        request, form, template="activities/simple_form.html",
        context={"title": "Schedule a group event", "back": reverse("activities:event-list")},
        save=lambda data: services.event_create(actor=request.user, **data),
        success="Event scheduled.", next_url=lambda e: reverse("activities:event-detail", args=[e.pk]),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def event_detail(request, event_id: int):
    """The event: speakers, invited prospects per opportunity, attendance, recording."""
    event = fetch(selectors.event_get, user=request.user, event_id=event_id)
    invite_form = forms.InviteForm(request.POST if request.POST.get("action") == "invite" else None)
    recording_form = forms.RecordingForm(
        request.POST if request.POST.get("action") == "recording" else None, request.FILES or None
    )
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "invite" and invite_form.is_valid():
                data = invite_form.cleaned_data
                services.event_invite(actor=request.user, event=event, prospect=data["prospect"],
                                      request_id=data["request_id"] or None, opportunity_text=data["opportunity_text"],
                                      email=data["email"])  # fmt: skip
                messages.success(request, "Prospect invited.")
                return redirect("activities:event-detail", event.pk)
            if action == "attendance":
                invite = (
                    selectors.event_invites(event).filter(pk=request.POST.get("invite")).first()
                )
                if invite is None:
                    raise Http404("No such invite.")
                services.event_attendance_set(
                    actor=request.user,
                    invite=invite,
                    attended=request.POST.get("attended") == "yes",
                )
                return redirect("activities:event-detail", event.pk)
            if action == "held":
                services.event_hold(actor=request.user, event=event)
                return redirect("activities:event-detail", event.pk)
            if action == "cancel":
                services.event_cancel(actor=request.user, event=event)
                return redirect("activities:event-detail", event.pk)
            if action == "recording" and recording_form.is_valid():
                asset = services.event_recording_attach(actor=request.user, event=event, url=recording_form.cleaned_data["url"],
                                                        file=request.FILES.get("file"))  # fmt: skip
                messages.success(request, "Recording added to the content library.")
                return redirect("activities:content-detail", asset.pk)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None
        except RefdeskError as exc:
            from refdesk.core.views import add_service_error

            add_service_error(recording_form if action == "recording" else invite_form, exc)
        status = 422
    context = {"event": event, "invites": selectors.event_invites(event), "influence": selectors.event_influence(event),
               "invite_form": invite_form, "recording_form": recording_form, "can_manage": perms.can_manage(request.user),
               "can_invite": perms.can_log(request.user), "recordings": event.recordings.all()}  # fmt: skip
    return render(request, "activities/event_detail.html", context, status=status)
