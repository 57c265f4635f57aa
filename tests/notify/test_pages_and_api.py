"""Program-manager pages and the webhooks API: who may see them, and what they show."""

import pytest
from django.urls import reverse

from refdesk.notify import services
from refdesk.notify.dispatch import dispatch_event
from refdesk.notify.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


def test_a_program_manager_sees_recent_emails_and_their_status(
    client_for, program_manager, make_event, smtp_server
):
    dispatch_event(make_event("invitation.sent").pk)

    response = client_for(program_manager).get(reverse("notify:email-list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "dana@prairie.example" in html and "olivia@vendor.example" in html
    assert "Would you share your experience with Acme Bank?" in html
    assert html.count('status-active">Sent<') == 2


def test_the_email_list_filters_by_status_as_a_fragment_for_htmx(
    client_for, program_manager, make_event, settings
):
    settings.EMAIL_BACKEND = "tests.notify.test_emails.RefusingBackend"
    dispatch_event(make_event("approval.requested").pk)

    response = client_for(program_manager).get(
        reverse("notify:email-list"), {"status": "pending"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert "<html" not in html and 'id="email-table"' in html
    assert "SMTP is down" in html


def test_the_email_list_runs_a_fixed_number_of_queries(
    client_for, program_manager, make_event, smtp_server, django_assert_max_num_queries
):
    for kind in ("invitation.sent", "invitation.accepted", "call.completed"):
        dispatch_event(make_event(kind).pk)
    client = client_for(program_manager)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("notify:email-list")).status_code == 200


@pytest.mark.parametrize("name", ["notify:email-list", "notify:webhook-list"])
def test_sales_reps_may_not_see_notification_pages(client_for, owner_rep, name):
    assert client_for(owner_rep).get(reverse(name)).status_code == 403


def test_a_program_manager_adds_an_endpoint_pings_it_and_sees_the_delivery(
    client_for, program_manager, webhook_receiver
):
    client = client_for(program_manager)
    response = client.post(
        reverse("notify:webhook-list"),
        {"url": webhook_receiver.url, "description": "Chat", "event_kinds": ["call.completed"]},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "notify:webhook-detail", args=[endpoint.pk]
    )
    assert endpoint.event_kinds == ["call.completed"]

    client.post(reverse("notify:webhook-ping", args=[endpoint.pk]))

    assert [r.json["event"] for r in webhook_receiver.requests] == ["ping"]
    page = client.get(reverse("notify:webhook-detail", args=[endpoint.pk])).content.decode()
    assert endpoint.secret in page and "Delivered" in page and "ping" in page


def test_the_endpoint_form_refuses_a_url_that_is_not_http(client_for, program_manager):
    response = client_for(program_manager).post(
        reverse("notify:webhook-list"), {"url": "ftp://files.example/x"}
    )

    assert response.status_code == 422
    assert "http" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_a_program_manager_disables_an_endpoint_from_its_page(client_for, program_manager):
    endpoint = services.webhook_endpoint_create(
        actor=program_manager, url="https://crm.example/hook"
    )

    client_for(program_manager).post(reverse("notify:webhook-toggle", args=[endpoint.pk]))

    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.disabled_at is not None


def _api(client, user):
    client.force_login(user)
    return client


def test_the_api_lists_and_creates_endpoints_for_program_managers(client, program_manager):
    api = _api(client, program_manager)
    created = api.post(
        "/api/webhooks",
        {"url": "https://crm.example/hook", "event_kinds": ["request.submitted"]},
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["event_kinds"] == ["request.submitted"]

    listed = api.get("/api/webhooks").json()
    assert listed["count"] == 1 and "secret" not in listed["items"][0]


def test_the_api_refuses_bad_urls_with_a_clear_message(client, program_manager):
    response = _api(client, program_manager).post(
        "/api/webhooks", {"url": "gopher://x"}, content_type="application/json"
    )

    assert response.status_code == 422
    assert response.json()["details"] == {"url": "must be an http(s) URL"}


def test_the_api_shows_an_endpoints_delivery_log(
    client, program_manager, webhook_receiver, make_event
):
    endpoint = services.webhook_endpoint_create(actor=program_manager, url=webhook_receiver.url)
    webhook_receiver.statuses = [500]
    dispatch_event(make_event("call.completed").pk)

    response = _api(client, program_manager).get(f"/api/webhooks/{endpoint.pk}/deliveries")

    [item] = response.json()["items"]
    assert (item["event"], item["status"], item["attempts"], item["response_code"]) == (
        "call.completed",
        "pending",
        1,
        500,
    )
    assert item["payload"]["event"] == "call.completed"
    assert item["uuid"] == str(WebhookDelivery.objects.get().uuid)


@pytest.mark.parametrize(
    "method, path",
    [("get", "/api/webhooks"), ("post", "/api/webhooks"), ("get", "/api/webhooks/1/deliveries")],
)
def test_the_webhooks_api_is_for_program_managers_only(client, owner_rep, method, path):
    api = _api(client, owner_rep)
    response = getattr(api, method)(
        path,
        {"url": "https://x.example"} if method == "post" else None,
        content_type="application/json",
    )
    assert response.status_code == 403


def test_a_program_manager_reads_an_email_and_sends_a_failed_one_again(
    client_for, program_manager, make_event, settings, smtp_server
):
    from refdesk.notify.models import OutboundEmail

    settings.EMAIL_BACKEND = "tests.notify.test_emails.RefusingBackend"
    dispatch_event(make_event("approval.requested").pk)
    email = OutboundEmail.objects.get()
    client = client_for(program_manager)

    page = client.get(reverse("notify:email-detail", args=[email.pk])).content.decode()
    assert (
        "Approve a reference call with Prairie Cattle Co for Acme Bank?" in page
        and "SMTP is down" in page
    )

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    client.post(reverse("notify:email-retry", args=[email.pk]))

    email.refresh_from_db()
    assert email.status == "sent"
    assert len(smtp_server.messages) == 1


def test_the_email_list_narrows_to_one_request(
    client_for, program_manager, make_event, smtp_server, world
):
    from refdesk.notify.models import OutboundEmail

    dispatch_event(make_event("approval.requested").pk)
    OutboundEmail.objects.create(
        key="other",
        kind="sla_escalation",
        recipient_role="program_manager",
        to="x@vendor.example",
        subject="Elsewhere",
        request_id=world.request.pk + 1,
    )

    html = (
        client_for(program_manager)
        .get(reverse("notify:email-list"), {"request": world.request.pk})
        .content.decode()
    )

    assert "Approve a reference call" in html and "Elsewhere" not in html
