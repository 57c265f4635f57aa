"""The reference's portal pages (no password: a signed link opens a portal session) and the PM's controls.

A portal page without a live portal session redirects to the "email me a link" page. Every page
is scoped to the session's one contact: ids in the URL are looked up among that contact's rows only.
"""

import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from refdesk.core import ratelimit
from refdesk.core.errors import Forbidden, NotFound, RefdeskError
from refdesk.core.views import add_service_error, fetch
from refdesk.pool import validation
from refdesk.portal import forms, links, selectors, services


def _no_store(response):
    # Personal pages: never cached, and the address never leaks to other sites.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def portal_page(view):
    """Run the view for the session's contact, in their language; without a live session, ask for a link."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        data = request.session.get(links.SESSION_KEY) or {}
        contact = None
        if isinstance(data, dict):
            contact = selectors.contact_for_session(
                contact_id=data.get("c"), nonce=data.get("n"), opened_at=data.get("at")
            )
        if contact is None:
            if data:
                request.session.pop(links.SESSION_KEY, None)
                return redirect(reverse("portal:start") + "?ended=1")
            return redirect("portal:start")
        language = services.portal_language(contact)
        with translation.override(language):
            try:
                response = view(request, contact, *args, **kwargs)
            except NotFound as exc:
                response = render(
                    request,
                    "portal/not_found.html",
                    {"contact": contact, "message": exc.message},
                    status=404,
                )
        response["Content-Language"] = language
        return _no_store(response)

    return wrapper


def _nav(request, contact, active: str) -> dict:
    return {"contact": contact, "active": active}


# --- getting in -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def start(request):
    """Ask for a link by email. The same answer whether or not we know the address."""
    form = forms.LinkRequestForm(request.POST or None)
    status = 200
    sent = False
    if request.method == "POST":
        if form.is_valid():
            try:
                services.portal_link_request(
                    email=form.cleaned_data["email"], ip=ratelimit.client_ip(request)
                )
            except services.RateLimited as exc:
                form.add_error(None, exc.message)
                status = 429
            except RefdeskError as exc:
                add_service_error(form, exc)
                status = 422
            else:
                sent = True
        else:
            status = 422
    context = {"form": form, "sent": sent, "ended": request.GET.get("ended") == "1"}
    return _no_store(render(request, "portal/start.html", context, status=status))


@ratelimit.link_limited("portal")
def open_link(request, token: str):
    """A link from an email: check it, open a portal session for that person, land on the page it names."""
    try:
        contact, access, path = services.portal_open(token=token)
    except (links.LinkInvalid, links.LinkGone) as exc:
        context = {"message": exc.message, "form": forms.LinkRequestForm()}
        return _no_store(render(request, "portal/link_gone.html", context, status=exc.status_code))
    request.session.cycle_key()  # a fresh session id: nobody can plant one in advance
    request.session[links.SESSION_KEY] = {
        "c": contact.pk,
        "n": access.nonce,
        "at": timezone.now().isoformat(),
    }
    # Redirect so the token leaves the address bar and the browser history.
    return _no_store(redirect(path))


@require_POST
def sign_out(request):
    request.session.pop(links.SESSION_KEY, None)
    messages.success(
        request,
        _("You have left your reference page. Your email link still works until it expires."),
    )
    return redirect("portal:start")


# --- the reference's pages -------------------------------------------------------------------------


@portal_page
def home(request, contact):
    """Open requests and upcoming calls first: what needs the person now."""
    data = selectors.overview(contact=contact)
    rewards = selectors.rewards(contact=contact)
    context = {
        **_nav(request, contact, "home"),
        **data,
        "balance": rewards["balance"],
        "zone": contact.time_zone or "UTC",
    }
    return render(request, "portal/home.html", context)


@portal_page
@require_http_methods(["GET", "POST"])
def request_detail(request, contact, candidate_id: int):
    """One request in plain words, with accept / decline with a reason / propose times."""
    from refdesk.asks.presenters import respond_out

    candidate = selectors.candidate_for_contact(contact=contact, candidate_id=candidate_id)
    zone = contact.time_zone or "UTC"
    error, status = "", 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        zone_in = (request.POST.get("time_zone") or zone).strip()[:64]
        try:
            slots = (
                forms.parse_slots(request.POST, zone_in) if action in ("accept", "propose") else []
            )
            rating = request.POST.get("rating", "")
            services.request_answer(
                contact=contact, candidate_id=candidate.pk, action=action, reason=request.POST.get("reason", "")[:500],
                time_zone=zone_in, slots=slots, rating=int(rating) if rating.isdigit() else None,
                comment=request.POST.get("comment", "")[:5000],
            )  # fmt: skip
        except RefdeskError as exc:
            error, status = exc.message, 422 if exc.status_code == 422 else 409
        else:
            messages.success(request, {
                "accept": _("Thank you! You have accepted. The requester will be in touch."),
                "decline": _("Thank you for letting us know. We will not ask you about this request again."),
                "propose": _("Thank you! Your times have been sent to the requester."),
                "complete": _("Thank you! The call is recorded as done."),
                "feedback": _("Thank you for your feedback."),
            }.get(action, _("Saved.")))  # fmt: skip
            return redirect("portal:request", candidate_id=candidate.pk)
        candidate = selectors.candidate_for_contact(contact=contact, candidate_id=candidate_id)
    context = {**_nav(request, contact, "home"), "candidate": candidate, "info": respond_out(candidate), "zone": zone,
               "error": error, "slot_numbers": range(1, forms.MAX_SLOTS + 1)}  # fmt: skip
    return render(request, "portal/request_detail.html", context, status=status)


@portal_page
def call_ics(request, contact, candidate_id: int):
    """Add a booked call to the calendar: the same invite the email carried."""
    ics = selectors.call_ics(contact=contact, candidate_id=candidate_id)
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reference-call-{candidate_id}.ics"'
    return response


@portal_page
def history(request, contact):
    """Everything the person has taken part in."""
    data = selectors.overview(contact=contact)
    return render(
        request,
        "portal/history.html",
        {**_nav(request, contact, "history"), **data, "zone": contact.time_zone or "UTC"},
    )


@portal_page
def rewards(request, contact):
    """Points balance, the ledger and the catalogue with what the person may redeem."""
    data = selectors.rewards(contact=contact)
    return render(request, "portal/rewards.html", {**_nav(request, contact, "rewards"), **data})


@portal_page
@require_POST
def redeem(request, contact):
    item = request.POST.get("item_id", "")
    try:
        if not item.isdigit() or int(item) > 2_000_000_000:
            raise NotFound(_("No such reward."))
        redemption = services.redeem(
            contact=contact, item_id=int(item), note=request.POST.get("note", "")[:500]
        )
    except NotFound as exc:
        messages.error(request, exc.message)
    except RefdeskError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Thank you! %(item)s is on its way: we will confirm by email.")
            % {"item": redemption.item.name},
        )
    return redirect("portal:rewards")


@portal_page
@require_http_methods(["GET", "POST"])
def preferences(request, contact):
    """What the person agrees to, their own limit, channel, languages, zone, away dates and testimonial use."""
    prefs = selectors.preferences(contact=contact)
    form = forms.PreferencesForm(
        request.POST or None, initial=forms.PreferencesForm.initial_for(prefs)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.preferences_update(
                    contact=contact, activity_types=data["activity_types"], monthly_limit=data["monthly_limit"],
                    preferred_channel=data["preferred_channel"], languages=validation.split_list(data["languages"]),
                    time_zone=data["time_zone"], testimonial_channels=data["testimonial_channels"],
                )  # fmt: skip
            except RefdeskError as exc:
                add_service_error(form, exc)
            else:
                contact.refresh_from_db()
                with translation.override(services.portal_language(contact)):
                    messages.success(request, _("Saved. Your preferences apply from now on."))
                return redirect("portal:preferences")
        status = 422
    context = {
        **_nav(request, contact, "preferences"),
        **prefs,
        "form": form,
        "away_form": forms.AwayForm(),
    }
    return render(request, "portal/preferences.html", context, status=status)


@portal_page
@require_POST
def away_add(request, contact):
    form = forms.AwayForm(request.POST)
    if form.is_valid():
        try:
            services.unavailable_add(contact=contact, **form.cleaned_data)
        except RefdeskError as exc:
            add_service_error(form, exc)
    if form.errors:
        prefs = selectors.preferences(contact=contact)
        pref_form = forms.PreferencesForm(initial=forms.PreferencesForm.initial_for(prefs))
        context = {
            **_nav(request, contact, "preferences"),
            **prefs,
            "form": pref_form,
            "away_form": form,
        }
        return render(request, "portal/preferences.html", context, status=422)
    messages.success(request, _("Noted: we will not ask you on those days."))
    return redirect(reverse("portal:preferences") + "#away-h")


@portal_page
@require_POST
def away_remove(request, contact, period_id: int):
    services.unavailable_remove(contact=contact, period_id=period_id)
    messages.success(request, _("Removed."))
    return redirect(reverse("portal:preferences") + "#away-h")


@portal_page
@require_http_methods(["GET", "POST"])
def stop(request, contact):
    """The person says "stop asking me" (or "you may ask me again"): takes effect at once."""
    if request.method == "POST":
        if request.POST.get("action") == "resume":
            services.resume_asking(contact=contact)
            messages.success(request, _("Welcome back: we may ask you again."))
        else:
            services.stop_asking(contact=contact)
            messages.success(request, _("Done. We will not ask you for anything any more."))
        return redirect("portal:stop")
    prefs = selectors.preferences(contact=contact)
    return render(request, "portal/stop.html", {**_nav(request, contact, "stop"), **prefs})


@portal_page
@require_http_methods(["GET", "POST"])
def my_data(request, contact):
    """Download everything we hold, or ask for it to be erased."""
    form = forms.EraseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.erasure_request(contact=contact, note=form.cleaned_data["note"])
            messages.success(
                request,
                _(
                    "We have your request. The programme team will erase your data and confirm by email."
                ),
            )
            return redirect("portal:data")
        status = 422
    prefs = selectors.preferences(contact=contact)
    return render(
        request,
        "portal/data.html",
        {**_nav(request, contact, "data"), **prefs, "form": form},
        status=status,
    )


@portal_page
def export(request, contact):
    """Everything Refdesk holds about the person, as JSON (recorded in the audit log)."""
    data = services.data_export(contact=contact)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="my-reference-data.json"'
    return response


# --- the program manager's side -----------------------------------------------------------------------


def _pm_fetch(selector, **kwargs):
    try:
        return fetch(selector, **kwargs)
    except Forbidden as exc:  # pragma: no cover - fetch maps it already
        raise PermissionDenied(exc.message) from None


@login_required
@require_http_methods(["GET", "POST"])
def manage(request, reference_id: int):
    """A reference's portal access: email them a link, or revoke every link at once."""
    state = _pm_fetch(selectors.access_state, user=request.user, reference_id=reference_id)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "send":
                services.portal_link_send(actor=request.user, contact=state["contact"])
                messages.success(request, f"A portal link was emailed to {state['contact'].name}.")
            elif action == "revoke":
                services.portal_links_revoke(actor=request.user, contact=state["contact"])
                messages.success(
                    request, "Every portal link and open portal session of this person has ended."
                )
            else:
                raise services.InvalidInput(
                    "Choose send or revoke.", details={"action": "use send or revoke"}
                )
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None
        except RefdeskError as exc:
            messages.error(request, exc.message)
            status = 422
        else:
            return redirect("portal:manage", reference_id=reference_id)
        state = _pm_fetch(selectors.access_state, user=request.user, reference_id=reference_id)
    return render(request, "portal/manage.html", state, status=status)


@login_required
def erasure_list(request):
    rows = _pm_fetch(selectors.erasure_request_list, user=request.user)
    return render(request, "portal/erasure_list.html", {"rows": rows})


@login_required
@require_POST
def erasure_carry_out(request, erasure_id: int):
    try:
        services.erasure_carry_out(actor=request.user, erasure_id=erasure_id)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    except NotFound as exc:
        raise Http404(exc.message) from None
    except RefdeskError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, "The person was erased; their activity counts remain, anonymously."
        )
    return redirect("portal:erasure-list")
