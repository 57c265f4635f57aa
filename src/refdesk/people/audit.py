"""Where a request came from, for the audit log, without passing the request through every layer."""

from contextvars import ContextVar

from refdesk.core.ratelimit import client_ip

_current_ip: ContextVar[str | None] = ContextVar("refdesk_audit_ip", default=None)


def current_ip() -> str | None:
    """The client IP of the request being served, or None (CLI, tasks)."""
    return _current_ip.get()


class AuditContextMiddleware:
    """Remember the client IP while a request is served, so audit rows record it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _current_ip.reset(token)
