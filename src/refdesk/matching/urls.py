from django.urls import path

from refdesk.matching import views

app_name = "matching"

urlpatterns = [
    path("", views.find, name="find"),
    path("settings/", views.settings_edit, name="settings"),
]
