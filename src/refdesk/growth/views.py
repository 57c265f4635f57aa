"""Growth pages: thin doors onto growth selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from refdesk.core.errors import Forbidden, NotFound, RefdeskError
from refdesk.core.views import add_service_error, fetch, form_page, paginate, render_page
from refdesk.growth import forms, selectors, services
from refdesk.growth import permissions as perms
from refdesk.pool import selectors as pool_selectors


def _run(request, action, success: str) -> bool:
    try:
        action()
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    except RefdeskError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


@login_required
def home(request):
    fetch(selectors.nomination_list, user=request.user)
    context = {
        "nominations": list(selectors.nomination_list(user=request.user, status="submitted")[:10]),
        "readiness": selectors.readiness_list(user=request.user)[:10],
        "stale_count": selectors.stale_list(user=request.user).count(),
        "flagged": selectors.balance_list(user=request.user, flagged_only=True)[:10],
        "sharing": selectors.sharing_status(request.user),
        "settings": selectors.growth_settings_get(),
        "can_manage": perms.can_manage(request.user),
    }
    return render(request, "growth/home.html", context)


@login_required
def nomination_list(request):
    status = request.GET.get("status", "")[:20]
    page = paginate(request, fetch(selectors.nomination_list, user=request.user, status=status))
    context = {"page": page, "status": status, "can_manage": perms.can_manage(request.user), "review_form": forms.ReviewForm()}
    return render_page(request, "growth/nomination_list.html", context, fragment="growth/partials/nomination_rows.html")


@login_required
def nomination_create(request):
    if not (perms.can_manage(request.user) or perms.is_rep(request.user)):
        raise PermissionDenied("Only salespeople and program managers nominate references.")
    initial = {"contact_id": request.GET.get("contact") or None, "account_id": request.GET.get("account") or None}

    def save(data):
        contact = account = None
        if data.get("contact_id"):
            contact = pool_selectors.contact_get(user=request.user, contact_id=data["contact_id"])
        elif data.get("account_id"):
            account = pool_selectors.account_get(user=request.user, account_id=data["account_id"])
        return services.nomination_submit(actor=request.user, contact=contact, account=account, name=data["name"], email=data["email"],
                                          title=data["title"], kind=data["kind"], reason=data["reason"])  # fmt: skip

    return form_page(request, forms.NominationForm(request.POST or None, initial=initial), template="growth/form.html",
                     context={"title": "Nominate a reference"}, save=save, success="Thank you: your nomination is with the program team.",
                     next_url=lambda saved: reverse("growth:nomination-list"))  # fmt: skip


@login_required
@require_POST
def nomination_review(request, nomination_id: int):
    nomination = fetch(selectors.nomination_get, user=request.user, nomination_id=nomination_id)
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
        do = {
            "accept": lambda: services.nomination_accept(actor=request.user, nomination=nomination, note=reason),
            "decline": lambda: services.nomination_decline(actor=request.user, nomination=nomination, reason=reason),
            "invite": lambda: services.nomination_invite(actor=request.user, nomination=nomination, override_note=reason),
            "activate": lambda: services.nomination_activate(actor=request.user, nomination=nomination),
        }[action]
        _run(request, do, f"{nomination.contact.name}: {action} done.")
    return redirect("growth:nomination-list")


@login_required
def readiness(request):
    rows = fetch(selectors.readiness_list, user=request.user)
    return render(request, "growth/readiness.html", {"rows": rows, "can_manage": perms.can_manage(request.user),
                                                     "settings": selectors.growth_settings_get()})  # fmt: skip


@login_required
@require_POST
def reference_invite(request, reference_id: int):
    reference = fetch(pool_selectors.reference_get, user=request.user, reference_id=reference_id)
    note = request.POST.get("override_note", "")[:500]
    _run(request, lambda: services.reference_invite(actor=request.user, reference=reference, override_note=note),
         f"{reference.contact.name} is invited.")  # fmt: skip
    return redirect("growth:readiness")


@login_required
def lookalikes(request):
    result = fetch(selectors.lookalike_list, user=request.user)
    wishes = list(selectors.wish_list(user=request.user))
    return render(request, "growth/lookalikes.html", {"result": result, "wishes": wishes, "wish_form": forms.WishForm(),
                                                      "can_wish": perms.can_wish(request.user)})  # fmt: skip


@login_required
@require_POST
def wish_add(request):
    form = forms.WishForm(request.POST)
    if form.is_valid():
        try:
            account = pool_selectors.account_get(user=request.user, account_id=form.cleaned_data["account_id"])
        except NotFound as exc:
            messages.error(request, exc.message)
        else:
            _run(request, lambda: services.wish_add(actor=request.user, account=account, note=form.cleaned_data["note"]),
                 f"{account.name} is on your wish list.")  # fmt: skip
    else:
        messages.error(request, "Give the account's id.")
    return redirect("growth:lookalikes")


@login_required
def stale(request):
    return render(request, "growth/stale.html", {"page": paginate(request, fetch(selectors.stale_list, user=request.user)),
                                                 "settings": selectors.growth_settings_get(), "can_manage": perms.can_manage(request.user)})  # fmt: skip


@login_required
@require_POST
def stale_sweep(request):
    if not perms.can_manage(request.user):
        raise PermissionDenied("Only a program manager can do this.")
    count = services.freshness_sweep()
    messages.success(request, f"Asked {count} reference{'s' if count != 1 else ''} to re-confirm their details.")
    return redirect("growth:stale")


def confirm(request, token: str):
    """The reference's own page (no login): see what we hold and confirm it is still right."""
    confirmation = fetch(services.confirmation_for_token, token=token)
    reference = confirmation.reference
    if request.method == "POST":
        services.freshness_confirm(reference=reference)
        messages.success(request, "Thank you: your details are confirmed.")
        return redirect("growth:confirm-done")
    return render(request, "growth/confirm.html", {"reference": reference, "contact": reference.contact, "account": reference.contact.account})


def confirm_done(request):
    return render(request, "growth/confirm_done.html", {})


@login_required
def balances(request):
    rows = fetch(selectors.balance_list, user=request.user)
    form = forms.GiveBackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = pool_selectors.account_get(user=request.user, account_id=data["account_id"])
            services.giveback_log(actor=request.user, account=account, kind=data["kind"], occurred_on=data["occurred_on"] or None,
                                  note=data["note"], value=data["value"] or None)  # fmt: skip
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None
        except RefdeskError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Give-back logged.")
            return redirect("growth:balances")
    status = 422 if request.method == "POST" else 200
    givebacks = list(selectors.giveback_list(user=request.user)[:20])
    return render(request, "growth/balances.html", {"rows": rows, "form": form, "givebacks": givebacks}, status=status)


@login_required
def imports(request):
    if not perms.can_manage(request.user):
        raise PermissionDenied("Only a program manager can import.")
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        do = services.survey_import if form.cleaned_data["what"] == "surveys" else services.win_import
        try:
            result = do(actor=request.user, path_or_file=form.cleaned_data["file"], filename=form.cleaned_data["file"].name,
                        dry_run=form.cleaned_data["dry_run"])  # fmt: skip
        except RefdeskError as exc:
            add_service_error(form, exc)
    status = 422 if (request.method == "POST" and (result is None or not result.ok)) else 200
    return render(request, "growth/imports.html", {"form": form, "result": result}, status=status)
