"""The Content-Security-Policy header (and its companions) on every response."""

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """Add `settings.REFDESK_CSP` to every response that has not set its own policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "REFDESK_CSP", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        return response
