"""Pool pages: thin doors onto pool selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from refdesk.core.errors import Forbidden, NotFound, RefdeskError
from refdesk.core.views import add_service_error, paginate, render_page
from refdesk.people import permissions
from refdesk.pool import naics, selectors, services
from refdesk.pool.choices import STATUS_TRANSITIONS
from refdesk.pool.forms import (
    AccountForm,
    ContactForm,
    PoolFilterForm,
    ReferenceForm,
    StatusChangeForm,
)


def _fetch(fn, **kwargs):
    """Fetch through a selector; its errors become the matching HTTP answer."""
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from None
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None


@login_required
def reference_list(request):
    products = list(selectors.product_list().values_list("name", flat=True))
    form = PoolFilterForm(request.GET or None, products=products)
    filters = selectors.ReferenceFilters()
    industry_note = ""
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v}
        filters = selectors.ReferenceFilters(**data)
        if filters.industry:
            code = selectors.industry_filter_code(filters.industry)
            industry_note = f"{code} {naics.title(code)} and everything under it" if code else "No NAICS industry fits these words."
    references = _fetch(selectors.reference_list, user=request.user, filters=filters)
    page = paginate(request, references)
    context = {"form": form, "page": page, "industry_note": industry_note, "can_manage": permissions.can_manage_pool(request.user)}
    return render_page(request, "pool/reference_list.html", context, fragment="pool/partials/reference_results.html")


@login_required
def reference_detail(request, reference_id: int):
    reference = _fetch(selectors.reference_get, user=request.user, reference_id=reference_id)
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
    return render(request, "pool/reference_detail.html", context)


@login_required
def reference_edit(request, reference_id: int):
    reference = _fetch(selectors.reference_get, user=request.user, reference_id=reference_id)
    if not permissions.can_edit_account(request.user, reference.contact.account):
        raise PermissionDenied("You cannot edit this reference.")
    form = ReferenceForm(request.POST or None, initial=ReferenceForm.initial_for(reference))
    if request.method == "POST" and form.is_valid():
        try:
            services.reference_update(actor=request.user, reference=reference, **form.cleaned_data)
        except RefdeskError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Reference saved.")
            return redirect("pool:reference-detail", reference_id=reference.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "pool/reference_form.html", {"form": form, "reference": reference, "contact": reference.contact}, status=status)


@login_required
def reference_create(request, contact_id: int):
    contact = _fetch(selectors.contact_get, user=request.user, contact_id=contact_id)
    if not permissions.can_manage_pool(request.user):
        raise PermissionDenied("Only a program manager can add references.")
    form = ReferenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reference = services.reference_create(actor=request.user, contact=contact, **form.cleaned_data)
        except RefdeskError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{contact.name} is now a reference candidate.")
            return redirect("pool:reference-detail", reference_id=reference.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "pool/reference_form.html", {"form": form, "contact": contact}, status=status)


@login_required
@require_POST
def reference_status(request, reference_id: int):
    reference = _fetch(selectors.reference_get, user=request.user, reference_id=reference_id)
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
    accounts = _fetch(selectors.account_list, user=request.user, q=q)
    context = {"page": paginate(request, accounts), "q": q, "can_manage": permissions.can_manage_pool(request.user)}
    return render_page(request, "pool/account_list.html", context, fragment="pool/partials/account_results.html")


@login_required
def account_detail(request, account_id: int):
    account = _fetch(selectors.account_get, user=request.user, account_id=account_id)
    contacts = list(account.contacts.all())
    visible = selectors.contact_ids_visible(user=request.user, contacts=contacts)
    context = {
        "account": account,
        "contacts": [(c, c.pk in visible) for c in contacts],
        "can_edit": permissions.can_edit_account(request.user, account),
        "can_manage": permissions.can_manage_pool(request.user),
        "industry_path": [(code, naics.title(code)) for code in reversed(naics.ancestors(account.industry_id))]
        if account.industry_id
        else [],
    }
    return render(request, "pool/account_detail.html", context)


@login_required
def account_create(request):
    if not permissions.can_manage_pool(request.user):
        raise PermissionDenied("Only a program manager can add accounts.")
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_create(actor=request.user, **form.cleaned_data)
        except RefdeskError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Account {account.name} added.")
            return redirect("pool:account-detail", account_id=account.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "pool/account_form.html", {"form": form}, status=status)


@login_required
def account_edit(request, account_id: int):
    account = _fetch(selectors.account_get, user=request.user, account_id=account_id)
    if not permissions.can_edit_account(request.user, account):
        raise PermissionDenied("You cannot edit this account.")
    form = AccountForm(request.POST or None, initial=AccountForm.initial_for(account))
    if not permissions.can_manage_pool(request.user):
        for name in ("owner_email", "external_id"):
            form.fields[name].disabled = True
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data if not form.fields[name].disabled}
        try:
            services.account_update(actor=request.user, account=account, **changed)
        except RefdeskError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Account saved.")
            return redirect("pool:account-detail", account_id=account.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "pool/account_form.html", {"form": form, "account": account}, status=status)


@login_required
def contact_create(request, account_id: int):
    account = _fetch(selectors.account_get, user=request.user, account_id=account_id)
    if not permissions.can_edit_account(request.user, account):
        raise PermissionDenied("You cannot add contacts to this account.")
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_create(actor=request.user, account=account, **form.cleaned_data)
        except RefdeskError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Contact added.")
            return redirect("pool:account-detail", account_id=account.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "pool/contact_form.html", {"form": form, "account": account}, status=status)


@login_required
def contact_edit(request, contact_id: int):
    contact = _fetch(selectors.contact_get, user=request.user, contact_id=contact_id)
    if not permissions.can_edit_account(request.user, contact.account):
        raise PermissionDenied("You cannot edit this contact.")
    form = ContactForm(request.POST or None, initial=ContactForm.initial_for(contact))
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(actor=request.user, contact=contact, **form.cleaned_data)
        except RefdeskError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Contact saved.")
            return redirect("pool:account-detail", account_id=contact.account_id)
    status = 422 if request.method == "POST" else 200
    return render(request, "pool/contact_form.html", {"form": form, "account": contact.account, "contact": contact}, status=status)
