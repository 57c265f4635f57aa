"""Helpers every page uses: fragment-or-page rendering and turning domain errors into form errors."""

from django.core.paginator import Paginator
from django.shortcuts import render

from refdesk.core.errors import RefdeskError


def render_page(request, template: str, context: dict, *, fragment: str | None = None, status: int = 200):
    """The full page, or only `fragment` when htmx asks for a part of it (one source of markup)."""
    if fragment and getattr(request, "htmx", False) and not request.htmx.boosted:
        return render(request, fragment, context, status=status)
    return render(request, template, context, status=status)


def add_service_error(form, exc: RefdeskError) -> None:
    """Show a domain error on the form: beside each field it names, else at the top."""
    details = exc.details if isinstance(exc.details, dict) else {}
    placed = False
    for name, reason in details.items():
        if name in form.fields:
            form.add_error(name, f"{form.fields[name].label or name.replace('_', ' ').capitalize()} {reason}.")
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def paginate(request, queryset, *, per_page: int = 50):
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))
