from django.urls import path

from refdesk.notify import views

app_name = "notify"

urlpatterns = [
    path("emails/", views.email_list, name="email-list"),
    path("emails/<int:email_id>/", views.email_detail, name="email-detail"),
    path("emails/<int:email_id>/retry/", views.email_retry, name="email-retry"),
    path("webhooks/", views.webhook_list, name="webhook-list"),
    path("webhooks/<int:endpoint_id>/", views.webhook_detail, name="webhook-detail"),
    path("webhooks/<int:endpoint_id>/toggle/", views.webhook_toggle, name="webhook-toggle"),
    path("webhooks/<int:endpoint_id>/ping/", views.webhook_ping, name="webhook-ping"),
]
