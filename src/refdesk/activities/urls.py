from django.urls import path

from refdesk.activities import views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list, name="home"),
    path("new/", views.activity_create, name="activity-create"),
    path("import/", views.activity_import_view, name="activity-import"),
    path("<int:activity_id>/cancel/", views.activity_cancel, name="activity-cancel"),
    path("fatigue/", views.fatigue_page, name="fatigue"),
    path("fatigue/rules/<str:activity_type>/", views.fatigue_rule_edit, name="fatigue-rule-edit"),
    path(
        "references/<int:reference_id>/limits/",
        views.reference_limits_edit,
        name="reference-limits",
    ),
    path("content/", views.content_list, name="content-list"),
    path("content/new/", views.content_create, name="content-create"),
    path("content/<int:asset_id>/", views.content_detail, name="content-detail"),
    path("content/<int:asset_id>/file/", views.content_file, name="content-file"),
    path("content/<int:asset_id>/retire/", views.content_retire, name="content-retire"),
    path("shares/", views.share_list, name="share-list"),
    path("shares/new/", views.share_create, name="share-create"),
    path("shares/<int:share_id>/", views.share_detail, name="share-detail"),
    path("shares/<int:share_id>/revoke/", views.share_revoke, name="share-revoke"),
    path("s/<str:token>/", views.share_open, name="share-open"),
    path("s/<str:token>/files/<int:asset_id>/", views.share_file, name="share-file"),
    path("events/", views.event_list, name="event-list"),
    path("events/new/", views.event_create, name="event-create"),
    path("events/<int:event_id>/", views.event_detail, name="event-detail"),
]
