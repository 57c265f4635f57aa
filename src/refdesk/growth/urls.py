from django.urls import path

from refdesk.growth import views

app_name = "growth"

urlpatterns = [
    path("", views.home, name="home"),
    path("nominations/", views.nomination_list, name="nomination-list"),
    path("nominations/new/", views.nomination_create, name="nomination-create"),
    path(
        "nominations/<int:nomination_id>/review/", views.nomination_review, name="nomination-review"
    ),
    path("readiness/", views.readiness, name="readiness"),
    path("readiness/<int:reference_id>/invite/", views.reference_invite, name="reference-invite"),
    path("look-alikes/", views.lookalikes, name="lookalikes"),
    path("wishes/new/", views.wish_add, name="wish-add"),
    path("wishes/<int:wish_id>/remove/", views.wish_remove, name="wish-remove"),
    path("settings/", views.settings_edit, name="settings"),
    path("escalations/", views.escalation_list, name="escalation-list"),
    path("escalations/<int:escalation_id>/close/", views.escalation_close, name="escalation-close"),
    path("onboarding/", views.onboarding, name="onboarding"),
    path("onboarding/<int:milestone_id>/done/", views.milestone_done, name="milestone-done"),
    path("stale/", views.stale, name="stale"),
    path("stale/ask/", views.stale_sweep, name="stale-sweep"),
    path("balances/", views.balances, name="balances"),
    path("imports/", views.imports, name="imports"),
    path("confirm/done/", views.confirm_done, name="confirm-done"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
]
