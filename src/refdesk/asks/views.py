"""Request pages: thin doors onto the request services and selectors."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from refdesk.asks import links, permissions, presenters, selectors, services
from refdesk.asks.choices import CandidateStatus
from refdesk.asks.forms import (
    FeedbackForm,
    OwnerPolicyForm,
    QueueFilterForm,
    RequestForm,
    SlaForm,
    WorkflowForm,
    yes_no,
)
from refdesk.core.errors import Forbidden, NotFound, RefdeskError
from refdesk.core.ratelimit import link_limited
from refdesk.core.views import add_service_error, fetch, paginate, render_page
from refdesk.insights.opportunity_selectors import opportunity_of_request, opportunity_suggestions
from refdesk.people.permissions import is_program_manager


def _filters(request, *, requesters=()):
    form = QueueFilterForm(request.GET or None, requesters=requesters)
    filters = selectors.RequestFilters()
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v}
        if "requester_id" in data:
            data["requester_id"] = int(data["requester_id"])
        filters = selectors.RequestFilters(**data)
    return form, filters


def _rows(page, now):
    return [(r, selectors.sla_of(r, now=now)) for r in page]


@login_required
def request_list(request):
    """My requests."""
    form, filters = _filters(request)
    filters.mine = True
    now = timezone.now()
    page = paginate(request, fetch(selectors.request_list, user=request.user, filters=filters, now=now))
    context = {"form": form, "page": page, "rows": _rows(page, now), "can_request": permissions.can_request(request.user),
               "title": "My requests", "list_url": reverse("asks:request-list"), "show_requester": False}  # fmt: skip
    return render_page(request, "asks/request_list.html", context, fragment="asks/partials/request_results.html")


@login_required
def triage(request):
    """The program manager's queue: overdue first, then what is due in the next 72 hours."""
    if not is_program_manager(request.user):
        raise PermissionDenied("Only a program manager triages requests.")
    from refdesk.people.models import User

    requesters = User.objects.filter(reference_requests__isnull=False).distinct().order_by("first_name", "email")
    form, filters = _filters(request, requesters=requesters)
    now = timezone.now()
    page = paginate(request, fetch(selectors.triage_list, user=request.user, filters=filters, now=now))
    context = {
        "form": form, "page": page, "rows": _rows(page, now), "title": "Triage", "list_url": reverse("asks:triage"),
        "show_requester": True, "holds": list(selectors.hold_list(user=request.user)[:50]),
        "can_request": True,
    }  # fmt: skip
    return render_page(request, "asks/triage.html", context, fragment="asks/partials/request_results.html")


@login_required
def approval_list(request):
    """Approvals waiting for me, my auto-approve policy, and every contact with my customers."""
    waiting = list(fetch(selectors.approvals_waiting, user=request.user))
    policy = selectors.owner_policy_get(request.user)
    policy_form = OwnerPolicyForm(
        initial={"mode": policy.mode if policy else "never", "activity_types": policy.activity_types if policy else []}
    )
    now = timezone.now()
    context = {
        "waiting": [(c, now >= c.approval_due_at if c.approval_due_at else False) for c in waiting],
        "feed": list(selectors.owner_feed(user=request.user)),
        "policy_form": policy_form,
    }
    return render(request, "asks/approval_list.html", context)


@login_required
@require_POST
def owner_policy(request):
    form = OwnerPolicyForm(request.POST)
    if form.is_valid():
        try:
            services.owner_policy_set(actor=request.user, mode=form.cleaned_data["mode"],
                                      activity_types=form.cleaned_data["activity_types"])  # fmt: skip
            messages.success(request, "Your auto-approve policy is saved.")
        except RefdeskError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "Choose how to approve.")
    return redirect("asks:approval-list")


@login_required
def request_create(request):
    if not permissions.can_request(request.user):
        raise PermissionDenied("Your role cannot ask for references.")
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.request_submit(actor=request.user, **form.service_fields())
        except RefdeskError as exc:
            add_service_error(form, exc)
        else:
            count = created.candidates.count()
            messages.success(
                request,
                f"Request filed. {count} candidate{'s' if count != 1 else ''} proposed." if count
                else "Request filed. No reference fits yet; the program manager will look for one.",
            )
            return redirect("asks:request-detail", request_id=created.pk)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "opportunities": opportunity_suggestions(user=request.user)}
    return render(request, "asks/request_form.html", context, status=status)


@login_required
def request_detail(request, request_id: int):
    req = fetch(selectors.request_get, user=request.user, request_id=request_id)
    now = timezone.now()
    detail = presenters.detail_out(request.user, req, now=now, via="page")
    context = {
        "req": req,
        "detail": detail,
        "sla": selectors.sla_of(req, now=now),
        "viewer_zone": req.requester_time_zone if req.requester_id == request.user.pk else "UTC",
        "feedback_form": FeedbackForm(),
        "is_pm": is_program_manager(request.user),
        "link_for": {},
        "opportunity": opportunity_of_request(request_id=req.pk),
    }
    if is_program_manager(request.user):
        # The program manager can copy a reference's link (to send it another way).
        context["link_for"] = {
            c.pk: links.respond_url(c)
            for c in req.candidates.all()
            if c.status in (CandidateStatus.INVITED, CandidateStatus.ACCEPTED, CandidateStatus.SCHEDULED, CandidateStatus.COMPLETED)
        }
    return render(request, "asks/request_detail.html", context)


def _back(request, req_id: int):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("asks:request-detail", request_id=req_id)


def _parse_start(value: str, zone: str) -> dt.datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise services.InvalidInput("Please give the start as a date and time.", details={"starts_at": "is not a date and time"}) from None
    if moment.tzinfo is None and 2000 <= moment.year <= 2100:
        moment = moment.replace(tzinfo=ZoneInfo(services._zone(zone)))
    return moment


def _candidate_step(action: str, user, req, candidate_id: int, post) -> str:
    """Run one step on a reference of the request; returns the message to show."""
    reason = post.get("reason", "")[:500]
    if action == "select":
        services.candidate_select(actor=user, request=req, candidate_id=candidate_id)
        return "Reference selected."
    if action == "approve":
        services.approval_grant(actor=user, request=req, candidate_id=candidate_id, reason=reason)
        return "Approved; the reference has been invited."
    if action == "decline":
        services.approval_decline(actor=user, request=req, candidate_id=candidate_id, reason=reason)
        return "Declined."
    if action == "schedule":
        slot = post.get("slot_id") or ""
        zone = post.get("time_zone") or req.requester_time_zone
        duration = post.get("duration_minutes") or "30"
        services.call_schedule(
            actor=user, request=req, candidate_id=candidate_id, slot_id=int(slot) if slot.isdigit() else None,
            starts_at=None if slot else _parse_start(post.get("starts_at", ""), zone),
            duration_minutes=int(duration) if duration.isdigit() else 0, time_zone=zone, reason=reason,
        )  # fmt: skip
        return "Call booked; both sides get a calendar invite."
    if action == "cancel-call":
        services.call_cancel(actor=user, request=req, candidate_id=candidate_id, reason=reason)
        return "Call cancelled."
    if action == "complete":
        services.call_complete(actor=user, request=req, candidate_id=candidate_id)
        return "Marked as completed and recorded as an activity."
    if action == "missed":
        services.call_missed(actor=user, request=req, candidate_id=candidate_id, reason=reason)
        return "Marked as missed."
    if action == "remove":
        services.candidate_remove(actor=user, request=req, candidate_id=candidate_id, reason=reason)
        return "Reference taken off the request."
    if action == "revoke-link":
        services.candidate_link_revoke(actor=user, request=req, candidate_id=candidate_id)
        return "Earlier links to this reference no longer work."
    if action == "feedback":
        form = FeedbackForm(post)
        if not form.is_valid():
            raise services.InvalidInput("Please give a rating from 1 to 5.", details={"rating": "is required"})
        data = form.cleaned_data
        services.feedback_give(
            actor=user, request=req, candidate_id=candidate_id, side="requester", rating=int(data["rating"]),
            comment=data["comment"], helped=yes_no(data["helped"]), could_speak_to_subject=yes_no(data["could_speak_to_subject"]),
        )  # fmt: skip
        return "Thank you for the feedback."
    raise Http404("No such step.")


@login_required
@require_POST
def candidate_action(request, request_id: int, candidate_id: int, action: str):
    req = fetch(selectors.request_get, user=request.user, request_id=request_id)
    try:
        messages.success(request, _candidate_step(action, request.user, req, candidate_id, request.POST))
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    except NotFound as exc:
        raise Http404(exc.message) from None
    except RefdeskError as exc:
        messages.error(request, exc.message)
    return _back(request, req.pk)


@login_required
@require_POST
def request_action(request, request_id: int, action: str):
    req = fetch(selectors.request_get, user=request.user, request_id=request_id)
    reason = request.POST.get("reason", "")[:500]
    steps = {
        "withdraw": (lambda: services.request_withdraw(actor=request.user, request=req, reason=reason), "Request withdrawn."),
        "cancel": (lambda: services.request_cancel(actor=request.user, request=req, reason=reason), "Request cancelled."),
        "close": (lambda: services.request_close(actor=request.user, request=req, reason=reason), "Request closed."),
        "propose": (lambda: services.request_propose(actor=request.user, request=req), "Matched again."),
    }
    if action not in steps:
        raise Http404("No such step.")
    run, done = steps[action]
    try:
        run()
        messages.success(request, done)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    except RefdeskError as exc:
        messages.error(request, exc.message)
    return _back(request, req.pk)


@login_required
@require_POST
def hold_release(request, hold_id: int):
    holds = fetch(selectors.hold_list, user=request.user)
    hold = holds.filter(pk=hold_id).first()
    if hold is None:
        raise Http404("No such hold.")
    try:
        services.hold_release(actor=request.user, hold=hold, note=request.POST.get("note", "")[:500])
        messages.success(request, f"{hold.reference.contact.name} can be matched again.")
    except RefdeskError as exc:
        messages.error(request, exc.message)
    return redirect("asks:triage")


@login_required
def request_settings(request):
    """The program's request workflows and SLA targets."""
    if not is_program_manager(request.user):
        raise PermissionDenied("Only a program manager changes request settings.")
    sla = selectors.sla_policy_get()
    workflow_form = WorkflowForm(request.POST if request.POST.get("form") == "workflow" else None,
                                 initial={"fulfilment": selectors.workflow_policy_get("").fulfilment, "owner_approval": True})  # fmt: skip
    sla_form = SlaForm(request.POST if request.POST.get("form") == "sla" else None,
                       initial={name: getattr(sla, name) for name in services.SLA_RANGES})  # fmt: skip
    if request.method == "POST":
        try:
            if request.POST.get("form") == "workflow" and workflow_form.is_valid():
                services.workflow_policy_set(actor=request.user, **workflow_form.cleaned_data)
                messages.success(request, "Workflow saved; new requests follow it.")
                return redirect("asks:settings")
            if request.POST.get("form") == "sla" and sla_form.is_valid():
                services.sla_policy_update(actor=request.user, **sla_form.cleaned_data)
                messages.success(request, "SLA targets saved; new requests take them.")
                return redirect("asks:settings")
        except RefdeskError as exc:
            add_service_error(workflow_form if request.POST.get("form") == "workflow" else sla_form, exc)
    status = 422 if request.method == "POST" else 200
    context = {"workflows": selectors.workflow_policy_list(), "workflow_form": workflow_form, "sla_form": sla_form}
    return render(request, "asks/settings.html", context, status=status)


# --- the reference's page, from the signed link (no login) -------------------------------------------


@link_limited("respond")
def respond(request, token: str):
    """The request in plain words for the reference, with accept / decline / propose times."""
    try:
        candidate = links.candidate_for_token(token)
    except (links.LinkGone, links.LinkInvalid) as exc:
        return render(request, "asks/respond_gone.html", {"message": exc.message}, status=exc.status_code)
    error = ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        zone = services._zone(request.POST.get("time_zone") or candidate.reference.contact.time_zone)
        try:
            slots = []
            for n in range(1, services.MAX_SLOTS + 1):
                start = _parse_start(request.POST.get(f"slot{n}", ""), zone)
                if start is not None:
                    minutes = request.POST.get("duration_minutes") or "30"
                    minutes = int(minutes) if minutes.isdigit() and 5 <= int(minutes) <= 240 else 30
                    slots.append((start, start + dt.timedelta(minutes=minutes)) if start.tzinfo else (start, start))
            rating = request.POST.get("rating", "")
            services.candidate_respond(
                candidate=candidate, action=action, reason=request.POST.get("reason", "")[:500], time_zone=zone,
                slots=slots, rating=int(rating) if rating.isdigit() else None,
                comment=request.POST.get("comment", "")[:5000],
                could_speak_to_subject=yes_no(request.POST.get("could_speak_to_subject", "")),
            )  # fmt: skip
        except RefdeskError as exc:
            error, status = exc.message, 422 if exc.status_code == 422 else 409
        else:
            messages.success(request, {
                "accept": "Thank you! You have accepted. The requester will be in touch.",
                "decline": "Thank you for letting us know. We will not ask you about this request again.",
                "propose": "Thank you! Your times have been sent to the requester.",
                "complete": "Thank you! The call is recorded as done.",
                "feedback": "Thank you for your feedback.",
            }.get(action, "Saved."))  # fmt: skip
            return redirect("asks:respond", token=token)
        candidate = links.candidate_for_token(token)
    context = {"candidate": candidate, "info": presenters.respond_out(candidate), "error": error, "token": token,
               "zone": candidate.reference.contact.time_zone or "UTC"}  # fmt: skip
    return render(request, "asks/respond.html", context, status=status)
