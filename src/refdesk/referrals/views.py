"""Referral pages: thin doors onto referral selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from refdesk.core.errors import Forbidden, NotFound, RefdeskError
from refdesk.core.views import add_service_error, fetch, form_page, paginate
from refdesk.pool import selectors as pool_selectors
from refdesk.referrals import forms, selectors, services
from refdesk.referrals import permissions as perms
from refdesk.referrals.choices import PlanStatus


@login_required
def home(request):
    figures = fetch(selectors.source_report, user=request.user)
    context = {
        "figures": figures, "total": selectors.report_totals(figures),
        "targets": selectors.target_progress(user=request.user), "fees": selectors.fee_totals(user=request.user),
        "thank_yous": list(selectors.thank_you_list(user=request.user)[:20]), "costs": selectors.cost_comparison(user=request.user),
        "plan": selectors.plan_list(user=request.user)[:20], "can_log": perms.can_log(request.user),
    }  # fmt: skip
    return render(request, "referrals/home.html", context)


@login_required
def lead_list(request):
    source, stage = request.GET.get("source", "")[:10], request.GET.get("stage", "")[:10]
    page = paginate(
        request, fetch(selectors.lead_list, user=request.user, source=source, stage=stage)
    )
    return render(
        request, "referrals/lead_list.html", {"page": page, "can_log": perms.can_log(request.user)}
    )


@login_required
def lead_create(request):
    if not perms.can_log(request.user):
        raise PermissionDenied("Only salespeople and program managers log referrals.")
    return form_page(request, forms.LeadForm(request.POST or None), template="referrals/form.html", context={"title": "Log a referral"},
                     save=lambda data: services.lead_create(actor=request.user, **{k: val for k, val in data.items() if val not in (None, "")}),
                     success="Referral logged; a thank-you is due.", next_url=lambda lead: reverse("referrals:lead-detail", args=[lead.pk]))  # fmt: skip


@login_required
def lead_detail(request, lead_id: int):
    lead = fetch(selectors.lead_get, user=request.user, lead_id=lead_id)
    form = forms.StageForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.lead_stage_set(actor=request.user, lead=lead, **form.cleaned_data)
            except Forbidden as exc:
                raise PermissionDenied(exc.message) from None
            except RefdeskError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request, f"{lead.company} is now {lead.get_stage_display().lower()}."
                )
                return redirect("referrals:lead-detail", lead_id=lead.pk)
        status = 422
    context = {
        "lead": lead,
        "form": form,
        "can_work": perms.can_work(request.user, lead),
        "can_manage": perms.can_manage(request.user),
    }
    return render(request, "referrals/lead_detail.html", context, status=status)


@login_required
@require_POST
def thank_you_done(request, thank_you_id: int):
    task = fetch(selectors.thank_you_get, user=request.user, thank_you_id=thank_you_id)
    try:
        services.thank_you_done(
            actor=request.user, thank_you=task, note=request.POST.get("note", "")[:300]
        )
        messages.success(request, "Thank-you recorded.")
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    except RefdeskError as exc:
        messages.error(request, exc.message)
    return redirect(request.POST.get("next") or "referrals:home")


@login_required
def cross_sell(request):
    product = request.GET.get("product", "")[:120]
    rows = fetch(selectors.cross_sell, user=request.user, product=product)
    return render(request, "referrals/cross_sell.html", {"rows": rows, "product": product})


def _refuse_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _save_or_errors(request, form, save) -> bool:
    """Run `save` with the form's data; domain errors go on the form. True when saved."""
    if not form.is_valid():
        return False
    try:
        save(form.cleaned_data)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    except RefdeskError as exc:
        add_service_error(form, exc)
        return False
    return True


def _blank_to_none(data: dict) -> dict:
    return {k: val for k, val in data.items() if val not in (None, "")}


def _table_with_form(request, *, rows, form_class, refusal, save, saved, template):
    """A program manager's table with an add form under it (targets, lead costs)."""
    can_manage = perms.can_manage(request.user)
    form = form_class(request.POST or None)
    if request.method == "POST":
        _refuse_unless(can_manage, refusal)
        if _save_or_errors(request, form, save):
            messages.success(request, saved)
            return redirect(request.path)
    context = {
        "rows": rows,
        "form": form,
        "can_manage": can_manage,
        "can_log": perms.can_log(request.user),
    }
    return render(request, template, context, status=422 if request.method == "POST" else 200)


@login_required
def target_list(request):
    """Referral targets per period (count and value) with progress; program managers set them here."""
    return _table_with_form(
        request,
        rows=fetch(selectors.target_progress, user=request.user),
        form_class=forms.TargetForm,
        refusal="Only a program manager sets referral targets.",
        save=lambda data: services.target_set(actor=request.user, **data),
        saved="Target set.",
        template="referrals/target_list.html",
    )


@login_required
def plan_list(request):
    """The plan of whom to ask for a referral: owner, due and review dates, status."""
    status = request.GET.get("status", "")[:10]
    items = fetch(selectors.plan_list, user=request.user, status=status)
    can_log = perms.can_log(request.user)
    form = forms.PlanForm(request.POST or None)
    if request.method == "POST":
        _refuse_unless(can_log, "Only salespeople and program managers plan referral asks.")
        if _save_or_errors(
            request,
            form,
            lambda data: services.plan_add(actor=request.user, **_blank_to_none(data)),
        ):
            messages.success(request, "Added to the plan.")
            return redirect("referrals:plan-list")
    context = {"items": items, "form": form, "status": status, "statuses": PlanStatus.choices, "can_log": can_log,
               "user_id": request.user.pk, "can_manage": perms.can_manage(request.user)}  # fmt: skip
    return render(
        request,
        "referrals/plan_list.html",
        context,
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def plan_update(request, item_id: int):
    item = fetch(selectors.plan_get, user=request.user, item_id=item_id)
    form = forms.PlanStatusForm(request.POST)
    if _save_or_errors(
        request, form, lambda data: services.plan_update(actor=request.user, item=item, **data)
    ):
        messages.success(request, f"{item.who}: {item.get_status_display().lower()}.")
    else:
        messages.error(
            request,
            "Choose a status: " + "; ".join(e for errs in form.errors.values() for e in errs),
        )
    return redirect("referrals:plan-list")


@login_required
def fee_list(request):
    """Fees owed and paid, and the fee rules (percentage or flat, with the employee's share)."""
    status = request.GET.get("status", "")[:5]
    page = paginate(
        request,
        fetch(selectors.fee_list, user=request.user, status=status).order_by(
            "status", "-created_at", "pk"
        ),
    )
    can_manage = perms.can_manage(request.user)
    form = forms.FeeRuleForm(request.POST or None)
    if request.method == "POST":
        _refuse_unless(can_manage, "Only a program manager sets referral fees.")
        if _save_or_errors(
            request,
            form,
            lambda data: services.fee_rule_create(actor=request.user, **_blank_to_none(data)),
        ):
            messages.success(request, "Fee rule added.")
            return redirect("referrals:fee-list")
    context = {"page": page, "status": status, "rules": selectors.fee_rule_list(user=request.user), "form": form,
               "totals": selectors.fee_totals(user=request.user), "can_manage": can_manage, "can_log": perms.can_log(request.user)}  # fmt: skip
    return render(
        request, "referrals/fee_list.html", context, status=422 if request.method == "POST" else 200
    )


@login_required
@require_POST
def fee_pay(request, fee_id: int):
    _refuse_unless(perms.can_manage(request.user), "Only a program manager records fee payments.")
    fee = fetch(selectors.fee_get, user=request.user, fee_id=fee_id)
    form = forms.FeePayForm(request.POST)
    if _save_or_errors(
        request,
        form,
        lambda data: services.fee_pay(actor=request.user, fee=fee, paid_on=data["paid_on"] or None),
    ):
        messages.success(request, f"Fee of {fee.amount} to {fee.payee_label} marked paid.")
    else:
        messages.error(
            request,
            "; ".join(e for errs in form.errors.values() for e in errs)
            or "Could not mark the fee paid.",
        )
    return redirect(
        request.POST.get("next")
        if str(request.POST.get("next", "")).startswith("/referrals/")
        else "referrals:fee-list"
    )


@login_required
@require_POST
def fee_rule_toggle(request, rule_id: int):
    _refuse_unless(perms.can_manage(request.user), "Only a program manager sets referral fees.")
    rule = fetch(selectors.fee_rule_get, user=request.user, rule_id=rule_id)
    services.fee_rule_set_active(actor=request.user, rule=rule, active=not rule.active)
    messages.success(request, f"{rule.name} is {'on' if rule.active else 'off'}.")
    return redirect("referrals:fee-list")


@login_required
def cost_list(request):
    """Cost per lead (and per won deal) from each referral source beside the costs entered for other channels."""
    return _table_with_form(
        request,
        rows=fetch(selectors.cost_comparison, user=request.user),
        form_class=forms.SourceCostForm,
        refusal="Only a program manager enters lead costs.",
        save=lambda data: services.source_cost_set(actor=request.user, **data),
        saved="Cost saved.",
        template="referrals/cost_list.html",
    )


@login_required
def passed_list(request):
    """Referrals we passed back to customers; each also counts as a give-back to them."""
    page = paginate(request, fetch(selectors.passed_list, user=request.user))
    form = forms.PassForm(request.POST or None)
    if request.method == "POST":
        _refuse_unless(
            perms.can_log(request.user), "Only a program manager or the account owner can do this."
        )
        if form.is_valid():
            try:
                account = pool_selectors.account_get(
                    user=request.user, account_id=form.cleaned_data["account_id"]
                )
            except NotFound as exc:
                form.add_error("account_id", exc.message)
            else:
                data = {k: val for k, val in form.cleaned_data.items() if k != "account_id"}
                if _save_or_errors(
                    request,
                    form,
                    lambda d: services.referral_pass(actor=request.user, account=account, **data),
                ):
                    messages.success(
                        request, f"Referral to {account.name} recorded (and logged as a give-back)."
                    )
                    return redirect("referrals:passed-list")
    context = {"page": page, "form": form, "can_log": perms.can_log(request.user)}
    return render(
        request,
        "referrals/passed_list.html",
        context,
        status=422 if request.method == "POST" else 200,
    )
