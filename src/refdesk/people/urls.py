from django.urls import path

from refdesk.people import views

app_name = "people"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("me/tokens/", views.token_list, name="token-list"),
    path("me/tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
    path("audit/", views.audit_list, name="audit-list"),
]
