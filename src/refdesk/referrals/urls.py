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
]
