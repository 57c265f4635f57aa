"""Helpers every page uses: fragment-or-page rendering and turning domain errors into form errors."""

import functools
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import cached_property

from refdesk.core.errors import Forbidden, NotFound, RefdeskError


def fetch(selector: Callable, **kwargs):
    """Fetch through a selector; its NotFound and Forbidden become a 404 and a 403 page."""
    try:
        return selector(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from None
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None


def form_page(
    request,
    form,
    *,
    template: str,
    context: dict,
    save: Callable[[dict], object],
    success: str,
    next_url: Callable[[object], str],
):
    """The usual form flow: on a valid POST call `save`, show its domain errors on the form, or redirect.

    A refused POST answers 422 so browsers, tests and htmx can tell it from a first view.
    """
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None
        except RefdeskError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, success)
            return redirect(next_url(saved))
    status = 422 if request.method == "POST" else 200
    return render(request, template, {"form": form, **context}, status=status)


def wants_fragment(request) -> bool:
    """htmx asks for a part of the page (not a boosted whole page)."""
    return bool(getattr(request, "htmx", False)) and not request.htmx.boosted


def render_page(
    request, template: str, context: dict, *, fragment: str | None = None, status: int = 200
):
    """The full page, or only `fragment` when htmx asks for a part of it (one source of markup)."""
    if fragment and wants_fragment(request):
        return render(request, fragment, context, status=status)
    return render(request, template, context, status=status)


def add_service_error(form, exc: RefdeskError) -> None:
    """Show a domain error on the form: beside each field it names, else at the top."""
    details = exc.details if isinstance(exc.details, dict) else {}
    placed = False
    for name, reason in details.items():
        if name in form.fields:
            form.add_error(
                name, f"{form.fields[name].label or name.replace('_', ' ').capitalize()} {reason}."
            )
            placed = True
    if not placed:
        form.add_error(None, exc.message)


class _CountedPaginator(Paginator):
    def __init__(self, *args, count: Callable[[], int], **kwargs):
        super().__init__(*args, **kwargs)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count()


def paginate(request, queryset, *, per_page: int = 50, count: Callable[[], int] | None = None):
    """The page the request asks for (`?page=`); `count()`, if given, says how many rows there are."""
    if count is None:
        paginator = Paginator(queryset, per_page)
    else:
        paginator = _CountedPaginator(queryset, per_page, count=count)
    return paginator.get_page(request.GET.get("page"))


def page_url(name: str) -> str:
    """`reverse(name)` for a page without arguments, remembered per URL prefix and URLconf: the
    navigation's dozen links on every page would otherwise each walk the resolver."""
    return _page_url(name, get_script_prefix(), get_urlconf())


@functools.lru_cache(maxsize=128)
def _page_url(name: str, prefix: str, urlconf) -> str:
    return reverse(name, urlconf=urlconf)


def id_url(name: str) -> str:
    """The URL pattern `name` (one id argument) as a format string, e.g. "/pool/references/{}/":
    lists of many rows fill it in instead of calling reverse() once per link."""
    return _id_url(name, get_script_prefix())


@functools.lru_cache(maxsize=64)
def _id_url(name: str, prefix: str) -> str:
    marker = 918273645  # an id no list holds; replaced by the placeholder
    return reverse(name, args=[marker]).replace(str(marker), "{}")
