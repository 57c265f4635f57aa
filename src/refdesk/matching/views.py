"""Matching pages: find a reference, and the program manager's weights."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from refdesk.core.errors import Forbidden, RefdeskError
from refdesk.core.views import add_service_error, render_page
from refdesk.matching import scoring, selectors, services
from refdesk.matching.forms import MatchForm, MatchingSettingsForm
from refdesk.people import permissions
from refdesk.pool.selectors import product_list


@login_required
def find(request):
    products = list(product_list().values_list("name", flat=True))
    form = MatchForm(request.GET or None, products=products)
    result = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                result = selectors.match_find(
                    user=request.user, query=selectors.MatchQuery(**form.query_fields())
                )
            except Forbidden as exc:
                raise PermissionDenied(exc.message) from None
            except RefdeskError as exc:
                add_service_error(form, exc)
        if form.errors:
            status = 422
    context = {"form": form, "result": result, "criteria": scoring.CRITERIA}
    return render_page(
        request,
        "matching/match_find.html",
        context,
        fragment="matching/partials/match_results.html",
        status=status,
    )


@login_required
def settings_edit(request):
    if not permissions.is_program_manager(request.user):
        raise PermissionDenied("Only a program manager can change the matching rules.")
    current = selectors.matching_settings_get()
    form = MatchingSettingsForm(
        request.POST or None, initial=MatchingSettingsForm.initial_for(current)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.matching_settings_update(actor=request.user, **form.service_fields())
        except RefdeskError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Matching rules saved; the next match uses them.")
            return redirect("matching:settings")
    status = 422 if request.method == "POST" else 200
    return render(
        request, "matching/settings_edit.html", {"form": form, "settings": current}, status=status
    )
