"""Program-manager pages: outbound emails and webhook endpoints with their delivery logs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from refdesk.core.errors import Forbidden, RefdeskError
from refdesk.core.views import add_service_error, fetch, paginate, render_page
from refdesk.notify import selectors, services
from refdesk.notify.choices import EmailStatus
from refdesk.notify.forms import WebhookEndpointForm


@login_required
def email_list(request):
    status = request.GET.get("status", "")
    if status not in EmailStatus.values:
        status = ""
    q = request.GET.get("q", "").strip()[:100]
    request_id = request.GET.get("request", "")
    request_id = int(request_id) if request_id.isdigit() and len(request_id) < 12 else None
    emails = fetch(
        selectors.email_list, user=request.user, status=status, q=q, request_id=request_id
    )
    context = {
        "page": paginate(request, emails),
        "status": status,
        "q": q,
        "request_id": request_id,
        "statuses": EmailStatus.choices,
    }
    return render_page(
        request, "notify/email_list.html", context, fragment="notify/partials/email_rows.html"
    )


@login_required
def email_detail(request, email_id: int):
    email = fetch(selectors.email_get, user=request.user, email_id=email_id)
    return render(request, "notify/email_detail.html", {"email": email})


@login_required
@require_POST
def email_retry(request, email_id: int):
    email = fetch(selectors.email_get, user=request.user, email_id=email_id)
    try:
        services.email_retry_now(actor=request.user, email=email)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    messages.success(request, f"The email to {email.to} is queued again.")
    return redirect("notify:email-list")


@login_required
def webhook_list(request):
    endpoints = fetch(selectors.webhook_endpoint_list, user=request.user)
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.webhook_endpoint_create(actor=request.user, **form.cleaned_data)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None
        except RefdeskError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Endpoint added. Its signing secret is shown below.")
            return redirect("notify:webhook-detail", endpoint_id=endpoint.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "notify/webhook_list.html", {"endpoints": endpoints, "form": form}, status=status
    )


@login_required
def webhook_detail(request, endpoint_id: int):
    endpoint = fetch(selectors.webhook_endpoint_get, user=request.user, endpoint_id=endpoint_id)
    page = paginate(request, selectors.webhook_delivery_list(user=request.user, endpoint=endpoint))
    context = {"endpoint": endpoint, "page": page}
    return render_page(
        request,
        "notify/webhook_detail.html",
        context,
        fragment="notify/partials/delivery_rows.html",
    )


@login_required
@require_POST
def webhook_toggle(request, endpoint_id: int):
    endpoint = fetch(selectors.webhook_endpoint_get, user=request.user, endpoint_id=endpoint_id)
    try:
        endpoint = services.webhook_endpoint_set_active(
            actor=request.user, endpoint=endpoint, active=not endpoint.active
        )
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    messages.success(
        request,
        "Endpoint enabled." if endpoint.active else "Endpoint disabled: it gets nothing more.",
    )
    return redirect("notify:webhook-detail", endpoint_id=endpoint.pk)


@login_required
@require_POST
def webhook_ping(request, endpoint_id: int):
    endpoint = fetch(selectors.webhook_endpoint_get, user=request.user, endpoint_id=endpoint_id)
    try:
        services.webhook_ping(actor=request.user, endpoint=endpoint)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    messages.success(request, "Test ping queued; see its delivery below.")
    return redirect("notify:webhook-detail", endpoint_id=endpoint.pk)
