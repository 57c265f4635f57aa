from django.urls import path

from refdesk.asks import views

app_name = "asks"

urlpatterns = [
    path("", views.request_list, name="request-list"),
    path("new/", views.request_create, name="request-create"),
    path("triage/", views.triage, name="triage"),
    path("approvals/", views.approval_list, name="approval-list"),
    path("approvals/policy/", views.owner_policy, name="owner-policy"),
    path("settings/", views.request_settings, name="settings"),
    path("holds/<int:hold_id>/release/", views.hold_release, name="hold-release"),
    path("<int:request_id>/", views.request_detail, name="request-detail"),
    path("<int:request_id>/<slug:action>/", views.request_action, name="request-action"),
    path(
        "<int:request_id>/candidates/<int:candidate_id>/<slug:action>/",
        views.candidate_action,
        name="candidate-action",
    ),
    path("respond/<str:token>/", views.respond, name="respond"),
]
