from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from refdesk.core import ratelimit
from refdesk.core.errors import RefdeskError
from refdesk.core.views import fetch, paginate
from refdesk.people import selectors, services
from refdesk.people.forms import AuditFilterForm, LoginForm


def _login_limits() -> tuple[ratelimit.Limit, ratelimit.Limit]:
    window = settings.REFDESK_LOGIN_WINDOW_SECONDS
    return (
        ratelimit.Limit(settings.REFDESK_LOGIN_FAILURES_PER_EMAIL, window),
        ratelimit.Limit(settings.REFDESK_LOGIN_FAILURES_PER_IP, window),
    )


class LoginView(auth_views.LoginView):
    """Email log-in; repeated failures from one address are refused for a while (429)."""

    template_name = "people/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        ip = ratelimit.client_ip(request) or "unknown"
        email = (request.POST.get("username") or "").strip().lower()[:254]
        per_email, per_ip = _login_limits()
        email_key, ip_key = ratelimit.key_for("login", ip, email), ratelimit.key_for("login-ip", ip)
        wait = max(ratelimit.retry_after(email_key, per_email), ratelimit.retry_after(ip_key, per_ip))
        if wait:
            minutes = max(1, round(wait / 60))
            context = self.get_context_data(
                form=self.authentication_form(request),
                rate_limited=f"Too many failed log-ins from your address. Try again in {minutes} minute{'s' if minutes != 1 else ''}.",
            )
            response = self.render_to_response(context, status=429)
            response["Retry-After"] = str(wait)
            return response
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            ratelimit.reset(email_key)
        else:
            ratelimit.hit(email_key, per_email)
            ratelimit.hit(ip_key, per_ip)
        return response


@require_POST
def logout_view(request):
    logout(request)
    return redirect("people:login")


@login_required
def token_list(request):
    new_key = None
    if request.method == "POST":
        token, new_key = services.api_token_create(user=request.user, name=request.POST.get("name", ""))
        messages.success(request, f"Token “{token.name}” created. Copy it now: it is shown only once.")
    tokens = request.user.api_tokens.all()
    return render(request, "people/token_list.html", {"tokens": tokens, "new_key": new_key})


@login_required
@require_POST
def token_revoke(request, token_id: int):
    try:
        services.api_token_revoke(user=request.user, token_id=token_id)
        messages.success(request, "Token revoked.")
    except RefdeskError as exc:
        messages.error(request, exc.message)
    return redirect("people:token-list")


@login_required
def audit_list(request):
    """The audit log of personal-data access, with filters; program managers only."""
    form = AuditFilterForm(request.GET or None)
    filters = selectors.AuditFilters()
    if form.is_valid():
        filters = selectors.AuditFilters(**{k: v for k, v in form.cleaned_data.items() if v})
    entries = fetch(selectors.audit_list, user=request.user, filters=filters)
    return render(request, "people/audit_list.html", {"form": form, "page": paginate(request, entries)})
