"""Pool pages: thin doors onto pool selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from refdesk.core.errors import Forbidden, RefdeskError
from refdesk.core.views import fetch, form_page, id_url, paginate, render_page, wants_fragment
from refdesk.people import permissions
from refdesk.people.services import audit_contact_view
from refdesk.pool import naics, selectors, services
from refdesk.pool.choices import STATUS_TRANSITIONS
from refdesk.pool.forms import (
    AccountForm,
    ContactForm,
    PoolFilterForm,
    ReferenceForm,
    StatusChangeForm,
)


@login_required
def reference_list(request):
    fetch(selectors.require_browse, user=request.user)
    # The filters and the results table show no contact details and nothing about the reader, so
    # they are rendered once per query string and state of the pool, for everyone who may browse it.
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    filters_html, results_html = selectors.pool_remembered(("page", query), lambda: _filters_and_results(request))
    if wants_fragment(request):
        return HttpResponse(mark_safe(results_html))
    context = {
        "filters_html": mark_safe(filters_html), "results_html": mark_safe(results_html),
        "can_manage": permissions.can_manage_pool(request.user),
    }  # fmt: skip
    return render(request, "pool/reference_list.html", context)


def _filters_and_results(request) -> tuple[str, str]:
    """The pool page's filter form (with its errors) and results table for the query string."""
    products = list(selectors.product_list().values_list("name", flat=True))
    form = PoolFilterForm(request.GET or None, products=products)
    filters, industry_note, not_applied = selectors.ReferenceFilters(), "", []
    if form.is_bound:
        # A value the form refuses (a product renamed since the link was saved) drops that filter
        # only; the results say which one, the others still apply.
        form.is_valid()
        filters = selectors.ReferenceFilters(**{k: v for k, v in form.cleaned_data.items() if v})
        not_applied = [f"{form[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()]
        if filters.industry:
            code = selectors.industry_filter_code(filters.industry)
            industry_note = f"{code} {naics.title(code)} and everything under it" if code else "No NAICS industry fits these words."
    references = selectors.reference_list(user=request.user, filters=filters)
    shown = selectors.reference_rows(references)
    page = paginate(request, shown, count=lambda: selectors.reference_count(references))
    reference_url, account_url = id_url("pool:reference-detail"), id_url("pool:account-detail")
    rows = [(r, reference_url.format(r.pk), account_url.format(r.contact.account_id)) for r in page]
    results = {"page": page, "rows": rows, "industry_note": industry_note, "not_applied": not_applied}
    return (
        str(render_to_string("pool/partials/reference_filters.html", {"form": form, "options": form.select_options()})),
        str(render_to_string("pool/partials/reference_results.html", results, request)),
    )


@login_required
def reference_detail(request, reference_id: int):
    reference = fetch(selectors.reference_get, user=request.user, reference_id=reference_id)
    contact, account = reference.contact, reference.contact.account
    context = {
        "reference": reference,
        "contact": contact,
        "account": account,
        "details_visible": selectors.contact_details_visible(user=request.user, contact=contact),
        "can_edit": permissions.can_edit_account(request.user, account),
        "can_manage": permissions.can_manage_pool(request.user),
        "status_form": StatusChangeForm(),
        "next_statuses": sorted(STATUS_TRANSITIONS[reference.status]),
    }
    if context["details_visible"]:
        audit_contact_view(request.user, [contact], "page")
    return render(request, "pool/reference_detail.html", context)


@login_required
def reference_edit(request, reference_id: int):
    reference = fetch(selectors.reference_get, user=request.user, reference_id=reference_id)
    if not permissions.can_edit_account(request.user, reference.contact.account):
        raise PermissionDenied("You cannot edit this reference.")
    return form_page(
        request,
        ReferenceForm(request.POST or None, initial=ReferenceForm.initial_for(reference)),
        template="pool/reference_form.html",
        context={"reference": reference, "contact": reference.contact},
        save=lambda data: services.reference_update(actor=request.user, reference=reference, **data),
        success="Reference saved.",
        next_url=lambda saved: reverse("pool:reference-detail", args=[saved.pk]),
    )


@login_required
def reference_create(request, contact_id: int):
    contact = fetch(selectors.contact_get, user=request.user, contact_id=contact_id)
    if not permissions.can_manage_pool(request.user):
        raise PermissionDenied("Only a program manager can add references.")
    return form_page(
        request,
        ReferenceForm(request.POST or None),
        template="pool/reference_form.html",
        context={"contact": contact},
        save=lambda data: services.reference_create(actor=request.user, contact=contact, **data),
        success=f"{contact.name} is now a reference candidate.",
        next_url=lambda saved: reverse("pool:reference-detail", args=[saved.pk]),
    )


@login_required
@require_POST
def reference_status(request, reference_id: int):
    reference = fetch(selectors.reference_get, user=request.user, reference_id=reference_id)
    form = StatusChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a status.")
    else:
        try:
            services.reference_status_change(
                actor=request.user, reference=reference, to_status=form.cleaned_data["status"], reason=form.cleaned_data["reason"]
            )
            messages.success(request, f"Status changed to {form.cleaned_data['status']}.")
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None
        except RefdeskError as exc:
            messages.error(request, exc.message)
    return redirect("pool:reference-detail", reference_id=reference.pk)


@login_required
def account_list(request):
    q = request.GET.get("q", "")[:200]
    accounts = fetch(selectors.account_list, user=request.user, q=q)
    context = {"page": paginate(request, accounts), "q": q, "can_manage": permissions.can_manage_pool(request.user)}
    return render_page(request, "pool/account_list.html", context, fragment="pool/partials/account_results.html")


@login_required
def account_detail(request, account_id: int):
    account = fetch(selectors.account_get, user=request.user, account_id=account_id)
    contacts = list(account.contacts.all())
    visible = selectors.contact_ids_visible(user=request.user, contacts=contacts)
    audit_contact_view(request.user, visible, "page")
    context = {
        "account": account,
        "contacts": [(c, c.pk in visible) for c in contacts],
        "can_edit": permissions.can_edit_account(request.user, account),
        "can_manage": permissions.can_manage_pool(request.user),
        "industry_path": naics.path(account.industry_id) if account.industry_id else [],
    }
    return render(request, "pool/account_detail.html", context)


@login_required
def account_create(request):
    if not permissions.can_manage_pool(request.user):
        raise PermissionDenied("Only a program manager can add accounts.")
    return form_page(
        request,
        AccountForm(request.POST or None),
        template="pool/account_form.html",
        context={},
        save=lambda data: services.account_create(actor=request.user, **data),
        success="Account added.",
        next_url=lambda saved: reverse("pool:account-detail", args=[saved.pk]),
    )


@login_required
def account_edit(request, account_id: int):
    account = fetch(selectors.account_get, user=request.user, account_id=account_id)
    if not permissions.can_edit_account(request.user, account):
        raise PermissionDenied("You cannot edit this account.")
    form = AccountForm(request.POST or None, initial=AccountForm.initial_for(account))
    if not permissions.can_manage_pool(request.user):
        for name in ("owner_email", "external_id"):
            form.fields[name].disabled = True

    def save(data):
        changed = {name: data[name] for name in form.changed_data if not form.fields[name].disabled}
        return services.account_update(actor=request.user, account=account, **changed)

    return form_page(
        request, form, template="pool/account_form.html", context={"account": account}, save=save,
        success="Account saved.", next_url=lambda saved: reverse("pool:account-detail", args=[saved.pk]),
    )


@login_required
def contact_create(request, account_id: int):
    account = fetch(selectors.account_get, user=request.user, account_id=account_id)
    if not permissions.can_edit_account(request.user, account):
        raise PermissionDenied("You cannot add contacts to this account.")
    return form_page(
        request,
        ContactForm(request.POST or None),
        template="pool/contact_form.html",
        context={"account": account},
        save=lambda data: services.contact_create(actor=request.user, account=account, **data),
        success="Contact added.",
        next_url=lambda saved: reverse("pool:account-detail", args=[saved.account_id]),
    )


@login_required
def contact_edit(request, contact_id: int):
    contact = fetch(selectors.contact_get, user=request.user, contact_id=contact_id)
    if not permissions.can_edit_account(request.user, contact.account):
        raise PermissionDenied("You cannot edit this contact.")
    return form_page(
        request,
        ContactForm(request.POST or None, initial=ContactForm.initial_for(contact)),
        template="pool/contact_form.html",
        context={"account": contact.account, "contact": contact},
        save=lambda data: services.contact_update(actor=request.user, contact=contact, **data),
        success="Contact saved.",
        next_url=lambda saved: reverse("pool:account-detail", args=[saved.account_id]),
    )
