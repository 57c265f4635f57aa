"""Growth pages: thin doors onto growth selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from refdesk.core.errors import Forbidden, NotFound, RefdeskError
from refdesk.core.ratelimit import link_limited
from refdesk.core.views import add_service_error, fetch, form_page, paginate, render_page
from refdesk.growth import forms, selectors, services
from refdesk.growth import permissions as perms
from refdesk.growth.choices import MilestoneKind
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
        "can_nominate": perms.can_nominate_someone(request.user),
    }
    return render(request, "growth/home.html", context)


@login_required
def nomination_list(request):
    status = request.GET.get("status", "")[:20]
    page = paginate(request, fetch(selectors.nomination_list, user=request.user, status=status))
    context = {
        "page": page,
        "status": status,
        "can_manage": perms.can_manage(request.user),
        "can_nominate": perms.can_nominate_someone(request.user),
        "review_form": forms.ReviewForm(),
    }
    return render_page(
        request,
        "growth/nomination_list.html",
        context,
        fragment="growth/partials/nomination_rows.html",
    )


@login_required
def nomination_create(request):
    if not perms.can_nominate_someone(request.user):
        raise PermissionDenied("Only salespeople and program managers nominate references.")
    initial = {
        "contact_id": request.GET.get("contact") or None,
        "account_id": request.GET.get("account") or None,
    }

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
            "accept": lambda: services.nomination_accept(
                actor=request.user, nomination=nomination, note=reason
            ),
            "decline": lambda: services.nomination_decline(
                actor=request.user, nomination=nomination, reason=reason
            ),
            "invite": lambda: services.nomination_invite(
                actor=request.user, nomination=nomination, override_note=reason
            ),
            "activate": lambda: services.nomination_activate(
                actor=request.user, nomination=nomination
            ),
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
    if not perms.can_wish(request.user):
        raise PermissionDenied("Only salespeople and program managers keep wish lists.")
    form = forms.WishForm(request.POST)
    if form.is_valid():
        try:
            account = pool_selectors.account_get(
                user=request.user, account_id=form.cleaned_data["account_id"]
            )
        except NotFound as exc:
            messages.error(request, exc.message)
        else:
            _run(request, lambda: services.wish_add(actor=request.user, account=account, note=form.cleaned_data["note"]),
                 f"{account.name} is on your wish list.")  # fmt: skip
    else:
        messages.error(request, "Give the account's id.")
    return redirect("growth:lookalikes")


@login_required
@require_POST
def wish_remove(request, wish_id: int):
    wish = fetch(selectors.wish_get, user=request.user, wish_id=wish_id)
    name = wish.account.name
    _run(
        request,
        lambda: services.wish_remove(actor=request.user, wish=wish),
        f"{name} is off the wish list.",
    )
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
    messages.success(
        request, f"Asked {count} reference{'s' if count != 1 else ''} to re-confirm their details."
    )
    return redirect("growth:stale")


@link_limited("confirm")
def confirm(request, token: str):
    """The reference's own page (no login): see what we hold and confirm it is still right."""
    confirmation = fetch(services.confirmation_for_token, token=token)
    reference = confirmation.reference
    if request.method == "POST":
        services.freshness_confirm(reference=reference)
        messages.success(request, "Thank you: your details are confirmed.")
        return redirect("growth:confirm-done")
    return render(
        request,
        "growth/confirm.html",
        {
            "reference": reference,
            "contact": reference.contact,
            "account": reference.contact.account,
        },
    )


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
    return render(
        request,
        "growth/balances.html",
        {"rows": rows, "form": form, "givebacks": givebacks},
        status=status,
    )


@login_required
def imports(request):
    if not perms.can_manage(request.user):
        raise PermissionDenied("Only a program manager can import.")
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        do = (
            services.survey_import
            if form.cleaned_data["what"] == "surveys"
            else services.win_import
        )
        try:
            result = do(actor=request.user, path_or_file=form.cleaned_data["file"], filename=form.cleaned_data["file"].name,
                        dry_run=form.cleaned_data["dry_run"])  # fmt: skip
        except RefdeskError as exc:
            add_service_error(form, exc)
    status = 422 if (request.method == "POST" and (result is None or not result.ok)) else 200
    return render(request, "growth/imports.html", {"form": form, "result": result}, status=status)


def _refuse_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


@login_required
def settings_edit(request):
    """The program manager's growth rules: readiness thresholds, freshness, the sharing rule, the give-back gap."""
    _refuse_unless(
        perms.can_manage(request.user), "Only a program manager can change the growth rules."
    )
    current = selectors.growth_settings_get()
    initial = {name: getattr(current, name) for name in forms.SettingsForm.base_fields}
    form = forms.SettingsForm(request.POST or None, initial=initial)
    return form_page(request, form, template="growth/settings.html", context={"title": "Growth rules"},
                     save=lambda data: services.growth_settings_update(actor=request.user, **data),
                     success="Growth rules saved.", next_url=lambda saved: reverse("growth:settings"))  # fmt: skip


@login_required
def escalation_list(request):
    """Escalations per account: an open one keeps everyone there off the ready list until it is closed."""
    status = request.GET.get("status", "open")[:8]
    page = paginate(
        request,
        fetch(
            selectors.escalation_list, user=request.user, status=status if status != "all" else ""
        ),
    )
    form = forms.EscalationForm(request.POST or None)
    if request.method == "POST":
        _refuse_unless(
            perms.can_log_any(request.user),
            "Only a program manager or the account owner can log escalations.",
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                account = pool_selectors.account_get(
                    user=request.user, account_id=data["account_id"]
                )
                services.escalation_open(
                    actor=request.user,
                    account=account,
                    summary=data["summary"],
                    opened_on=data["opened_on"] or None,
                )
            except Forbidden as exc:
                raise PermissionDenied(exc.message) from None
            except RefdeskError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    f"Escalation opened at {account.name}: nobody there is asked until it closes.",
                )
                return redirect("growth:escalation-list")
    context = {
        "page": page,
        "status": status,
        "form": form,
        "can_log": perms.can_log_any(request.user),
    }
    return render(
        request,
        "growth/escalation_list.html",
        context,
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def escalation_close(request, escalation_id: int):
    escalation = fetch(selectors.escalation_get, user=request.user, escalation_id=escalation_id)
    _run(request, lambda: services.escalation_close(actor=request.user, escalation=escalation, closed_on=request.POST.get("closed_on") or None),
         f"Escalation at {escalation.account.name} closed.")  # fmt: skip
    return redirect("growth:escalation-list")


@login_required
def onboarding(request):
    """Onboarding per account: milestones (kick-off, go-live), check-ins, follow-ups due, recent wins and survey answers."""
    account_id = request.GET.get("account", "")
    account_id = int(account_id) if account_id.isdigit() and len(account_id) < 12 else None
    milestones = fetch(selectors.milestone_list, user=request.user, account_id=account_id)
    form = forms.MilestoneForm(request.POST or None, initial={"account_id": account_id})
    if request.method == "POST":
        _refuse_unless(
            perms.can_log_any(request.user),
            "Only a program manager or the account owner can log milestones.",
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                account = pool_selectors.account_get(
                    user=request.user, account_id=data["account_id"]
                )
                services.milestone_log(actor=request.user, account=account, kind=data["kind"], occurred_on=data["occurred_on"],
                                       note=data["note"], done=data["done"])  # fmt: skip
            except Forbidden as exc:
                raise PermissionDenied(exc.message) from None
            except RefdeskError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    f"{dict(MilestoneKind.choices)[data['kind']]} logged at {account.name}.",
                )
                return redirect(
                    reverse("growth:onboarding") + (f"?account={account.pk}" if account_id else "")
                )
    context = {
        "page": paginate(request, milestones), "follow_ups": list(selectors.follow_ups_due(user=request.user)[:20]),
        "wins": list(selectors.win_list(user=request.user)[:10]), "form": form, "account_id": account_id,
        "surveys": list(selectors.survey_list(user=request.user, account_id=account_id)[:20]),
        "can_log": perms.can_log_any(request.user), "can_manage": perms.can_manage(request.user),
    }  # fmt: skip
    return render(
        request, "growth/onboarding.html", context, status=422 if request.method == "POST" else 200
    )


@login_required
@require_POST
def milestone_done(request, milestone_id: int):
    milestone = fetch(selectors.milestone_get, user=request.user, milestone_id=milestone_id)
    _run(
        request,
        lambda: services.milestone_complete(actor=request.user, milestone=milestone),
        "Follow-up done.",
    )
    return redirect("growth:onboarding")
