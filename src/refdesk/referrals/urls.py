from django.urls import path

from refdesk.referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.home, name="home"),
    path("leads/", views.lead_list, name="lead-list"),
    path("leads/new/", views.lead_create, name="lead-create"),
    path("leads/<int:lead_id>/", views.lead_detail, name="lead-detail"),
    path("thank-yous/<int:thank_you_id>/done/", views.thank_you_done, name="thank-you-done"),
    path("cross-sell/", views.cross_sell, name="cross-sell"),
    path("targets/", views.target_list, name="target-list"),
    path("plan/", views.plan_list, name="plan-list"),
    path("plan/<int:item_id>/", views.plan_update, name="plan-update"),
    path("fees/", views.fee_list, name="fee-list"),
    path("fees/<int:fee_id>/pay/", views.fee_pay, name="fee-pay"),
    path("fee-rules/<int:rule_id>/toggle/", views.fee_rule_toggle, name="fee-rule-toggle"),
    path("costs/", views.cost_list, name="cost-list"),
    path("passed/", views.passed_list, name="passed-list"),
]
