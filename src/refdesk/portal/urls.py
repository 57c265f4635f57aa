from django.urls import path

from refdesk.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("link/", views.start, name="start"),
    path("t/<str:token>/", views.open_link, name="open"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("requests/<int:candidate_id>/", views.request_detail, name="request"),
    path("calls/<int:candidate_id>/calendar.ics", views.call_ics, name="call-ics"),
    path("history/", views.history, name="history"),
    path("rewards/", views.rewards, name="rewards"),
    path("rewards/redeem/", views.redeem, name="redeem"),
    path("preferences/", views.preferences, name="preferences"),
    path("preferences/away/", views.away_add, name="away-add"),
    path("preferences/away/<int:period_id>/remove/", views.away_remove, name="away-remove"),
    path("stop/", views.stop, name="stop"),
    path("data/", views.my_data, name="data"),
    path("data/export.json", views.export, name="export"),
    path("manage/references/<int:reference_id>/", views.manage, name="manage"),
    path("manage/erasures/", views.erasure_list, name="erasure-list"),
    path(
        "manage/erasures/<int:erasure_id>/carry-out/",
        views.erasure_carry_out,
        name="erasure-carry-out",
    ),
]
