"""A database that is down or restarting answers 503 with a clear message, never a traceback.

While PostgreSQL restarts (or a SQLite file is locked past the busy timeout), every query fails
with OperationalError/InterfaceError. Django would answer 500 and log a traceback per request;
this answers 503 with `Retry-After`, as JSON under /api/ and as a plain page elsewhere, and logs
one warning line. Nothing else is needed to recover: `CONN_HEALTH_CHECKS` makes the next request
test its persistent connection and open a fresh one once the database is back.

Other OperationalErrors (a missing table or column: a deploy without `migrate`) stay 500s: they
are bugs to see, not outages to wait out.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger("refdesk.unavailable")

RETRY_AFTER_SECONDS = 5
MESSAGE = "Refdesk cannot reach its database right now. Please try again in a few seconds."
# SQLSTATE classes of a connection that failed or was cut: 08 connection exception,
# 57 operator intervention (admin shutdown, cannot connect now, crash shutdown), 53 out of resources.
_UNAVAILABLE_SQLSTATE_CLASSES = ("08", "57", "53")
_UNAVAILABLE_SQLITE_WORDS = ("database is locked", "unable to open database", "disk i/o error")


def is_database_unavailable(exc: BaseException | None) -> bool:
    """True when `exc` means the database cannot be used for now (down, restarting, busy)."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__ or exc.__context__
    sqlstate = getattr(cause, "sqlstate", None)
    if cause is not None and type(cause).__module__.startswith("psycopg"):
        # A client-side failure (connection refused, server closed the connection) has no SQLSTATE.
        return sqlstate is None or sqlstate[:2] in _UNAVAILABLE_SQLSTATE_CLASSES
    text = str(exc).lower()
    return any(words in text for words in _UNAVAILABLE_SQLITE_WORDS) or "connection" in text


def unavailable_response(request) -> HttpResponse:
    """503 with Retry-After: JSON for the API (and clients asking for JSON), a page otherwise."""
    path = getattr(request, "path", "") or ""
    wants_json = path.startswith("/api/") or "application/json" in request.META.get(
        "HTTP_ACCEPT", ""
    )
    if wants_json:
        response = JsonResponse({"message": MESSAGE, "details": None}, status=503)
    else:
        # Rendered without the request: context processors would read the session, i.e. the database.
        response = HttpResponse(
            render_to_string("core/unavailable.html", {"message": MESSAGE}), status=503
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turns a database outage raised by a view into a 503 (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_unavailable(exception):
            return None
        logger.warning("503 for %s %s: database unavailable (%s)", request.method, request.path,
                       str(exception).strip().splitlines()[0] if str(exception).strip() else type(exception).__name__)  # fmt: skip
        return unavailable_response(request)


def server_error(request, *args, **kwargs):
    """handler500: a database outage outside any view (e.g. saving the session) is a 503 too."""
    from django.views.defaults import server_error as default_server_error

    if is_database_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    return default_server_error(request, *args, **kwargs)


class MethodNotAllowedPageMiddleware:
    """A page opened with the wrong method (a bookmarked "Approve" URL, which only takes POST)
    gets a page that says so instead of Django's empty 405; the API keeps its own answers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.streaming or response.content or request.path.startswith("/api/"):
            return response
        from django.shortcuts import render

        page = render(request, "405.html", status=405)
        page["Allow"] = response.get("Allow", "")
        return page
