"""A person's data: JSON export and erasure, for program managers (thin doors onto `pool.privacy`)."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from refdesk.core.errors import RefdeskError
from refdesk.core.views import fetch
from refdesk.people import permissions
from refdesk.pool import privacy, selectors


class EraseForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Why (e.g. the person's request and its date)")
    confirm = forms.BooleanField(label="I understand this cannot be undone")


def _require_pm(request) -> None:
    if not permissions.is_program_manager(request.user):
        raise PermissionDenied("Only a program manager can export or erase a person's data.")


@login_required
def person_export(request, contact_id: int):
    """Everything Refdesk holds about the person, as a JSON download."""
    _require_pm(request)
    contact = fetch(selectors.contact_get, user=request.user, contact_id=contact_id)
    data = privacy.person_export(contact.pk, actor=request.user, via="page")
    response = HttpResponse(json.dumps(data, cls=DjangoJSONEncoder, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="refdesk-person-{contact.pk}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def person_erase(request, contact_id: int):
    """Confirm, then anonymise the person everywhere."""
    _require_pm(request)
    contact = fetch(selectors.contact_get, user=request.user, contact_id=contact_id)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            privacy.person_erase(actor=request.user, contact_id=contact.pk, reason=form.cleaned_data["reason"])
        except RefdeskError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Contact {contact.pk} was erased. Their activity counts remain, anonymously.")
            reference = getattr(contact, "reference", None)
            if reference is not None:
                return redirect("pool:reference-detail", reference_id=reference.pk)
            return redirect("pool:account-detail", account_id=contact.account_id)
    status = 422 if request.method == "POST" else 200
    return render(request, "pool/person_erase.html", {"form": form, "contact": contact}, status=status)
