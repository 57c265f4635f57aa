from django.urls import path

from refdesk.rewards import views

app_name = "rewards"

urlpatterns = [
    path("", views.home, name="home"),
    path("redeem/", views.redeem, name="redeem"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("contests/", views.contest_list, name="contest-list"),
    path("contests/<int:contest_id>/", views.contest_detail, name="contest-detail"),
    path("thank-yous/", views.thank_you_list, name="thank-you-list"),
    path("thank-yous/<int:task_id>/done/", views.thank_you_done, name="thank-you-done"),
    path("thank-yous/templates/", views.template_list, name="template-list"),
    path("rules/", views.rules, name="rules"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<int:item_id>/", views.item_edit, name="item-edit"),
    path("redemptions/", views.redemption_list, name="redemption-list"),
    path(
        "redemptions/<int:redemption_id>/<slug:action>/",
        views.redemption_action,
        name="redemption-action",
    ),
    path("refusals/", views.refusal_list, name="refusal-list"),
    path("references/<int:reference_id>/", views.reference_points, name="reference-points"),
]
