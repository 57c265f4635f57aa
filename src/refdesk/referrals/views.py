"""Referral pages: thin doors onto referral selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from refdesk.core.errors import Forbidden, RefdeskError
from refdesk.core.views import add_service_error, fetch, form_page, paginate
from refdesk.referrals import forms, selectors, services
from refdesk.referrals import permissions as perms


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
    page = paginate(request, fetch(selectors.lead_list, user=request.user, source=source, stage=stage))
    return render(request, "referrals/lead_list.html", {"page": page, "can_log": perms.can_log(request.user)})


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
                messages.success(request, f"{lead.company} is now {lead.get_stage_display().lower()}.")
                return redirect("referrals:lead-detail", lead_id=lead.pk)
        status = 422
    context = {"lead": lead, "form": form, "can_work": perms.can_work(request.user, lead)}
    return render(request, "referrals/lead_detail.html", context, status=status)


@login_required
@require_POST
def thank_you_done(request, thank_you_id: int):
    task = fetch(selectors.thank_you_get, user=request.user, thank_you_id=thank_you_id)
    try:
        services.thank_you_done(actor=request.user, thank_you=task, note=request.POST.get("note", "")[:300])
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
