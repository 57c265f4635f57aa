"""The opportunities page: the CRM opportunities list, a spreadsheet upload and a one-opportunity form (thin doors)."""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from refdesk.core.errors import Forbidden, RefdeskError
from refdesk.core.views import add_service_error, fetch, paginate
from refdesk.insights import opportunity_selectors, selectors, services
from refdesk.insights import permissions as perms
from refdesk.insights.forms import OpportunityFilterForm, OpportunityForm, OpportunityImportForm

MAX_ERRORS_SHOWN = 500
MANAGE_ONLY = "Only a program manager can change opportunities."


def _import(request, form: OpportunityImportForm):
    """Run the upload through `opportunity_import`; a refused file becomes an error on the form."""
    if not form.is_valid():
        return None
    upload = form.cleaned_data["file"]
    filename = os.path.basename(upload.name or "upload")
    with tempfile.TemporaryDirectory(prefix="refdesk-opportunities-") as tmp:
        path = Path(tmp) / ("upload" + Path(filename).suffix.lower())
        with open(path, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            return services.opportunity_import(actor=request.user, path=path, filename=filename)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None
        except RefdeskError as exc:
            form.add_error("file", exc.message)
            return None


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_list(request):
    """Opportunities with a stage filter; a program manager also uploads a CSV/XLSX here (POST)."""
    fetch(selectors.require_read, user=request.user)
    can_manage = perms.can_manage(request.user)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied(MANAGE_ONLY)
    import_form, result, status = None, None, 200
    if can_manage:
        import_form = (
            OpportunityImportForm(request.POST, request.FILES)
            if request.method == "POST"
            else OpportunityImportForm()
        )
    if request.method == "POST":
        result = _import(request, import_form)
        status = 200 if result is not None and result.ok else 422
    filters = OpportunityFilterForm(request.GET or None)
    stage = filters.cleaned_data["stage"] if filters.is_valid() else ""
    qs = fetch(opportunity_selectors.opportunity_page_list, user=request.user, stage=stage)
    context = {
        "page": paginate(request, qs),
        "filters": filters,
        "query": urlencode({"stage": stage}) if stage else "",
        "can_manage": can_manage,
        "import_form": import_form,
        "result": result,
        "errors": result.errors[:MAX_ERRORS_SHOWN] if result else [],
        "more_errors": max(len(result.errors) - MAX_ERRORS_SHOWN, 0) if result else 0,
    }
    return render(request, "insights/opportunity_list.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_edit(request):
    """Add one opportunity, or edit one (`?crm_id=…`), through `opportunity_upsert`."""
    if not perms.can_manage(request.user):
        raise PermissionDenied(MANAGE_ONLY)
    existing = None
    crm_id = request.GET.get("crm_id", "")[:100].strip()
    if crm_id:
        existing = fetch(opportunity_selectors.opportunity_get, user=request.user, crm_id=crm_id)
        if existing is None:
            raise Http404(f"No opportunity with CRM id {crm_id!r}.")
    initial = {}
    if existing is not None:
        initial = {
            "crm_id": existing.crm_id, "name": existing.name, "prospect": existing.prospect,
            "owner_email": existing.owner.email if existing.owner else "",
            "amount": existing.amount if existing.amount is not None else "", "stage": existing.stage,
            "created_on": existing.created_on.isoformat(),
            "closed_on": existing.closed_on.isoformat() if existing.closed_on else "",
        }  # fmt: skip
    form = (
        OpportunityForm(request.POST)
        if request.method == "POST"
        else OpportunityForm(initial=initial)
    )
    if existing is not None:
        crm_field = form.fields["crm_id"]
        crm_field.widget.attrs["readonly"] = True
        crm_field.help_text = "The opportunity's id in the CRM; it cannot be changed here."
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        if existing is not None:
            # The page edits this opportunity; a posted crm_id must not save another one.
            data["crm_id"] = existing.crm_id
        try:
            opportunity, action = services.opportunity_upsert(actor=request.user, data=data)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None
        except RefdeskError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Opportunity {opportunity.crm_id} {action}.")
            return redirect(reverse("insights:opportunity-list"))
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "existing": existing}
    return render(request, "insights/opportunity_form.html", context, status=status)
