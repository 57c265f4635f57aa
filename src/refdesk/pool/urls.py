from django.urls import path

from refdesk.pool import views, views_import, views_industry

app_name = "pool"

urlpatterns = [
    path("", views.reference_list, name="reference-list"),
    path("references/<int:reference_id>/", views.reference_detail, name="reference-detail"),
    path("references/<int:reference_id>/edit/", views.reference_edit, name="reference-edit"),
    path("references/<int:reference_id>/status/", views.reference_status, name="reference-status"),
    path("contacts/<int:contact_id>/reference/new/", views.reference_create, name="reference-create"),
    path("accounts/", views.account_list, name="account-list"),
    path("accounts/new/", views.account_create, name="account-create"),
    path("accounts/<int:account_id>/", views.account_detail, name="account-detail"),
    path("accounts/<int:account_id>/edit/", views.account_edit, name="account-edit"),
    path("accounts/<int:account_id>/contacts/new/", views.contact_create, name="contact-create"),
    path("contacts/<int:contact_id>/edit/", views.contact_edit, name="contact-edit"),
    path("industries/suggest/", views_industry.industry_suggest, name="industry-suggest"),
    path("import/", views_import.import_start, name="import"),
    path("import/confirm/", views_import.import_confirm, name="import-confirm"),
    path("export/", views_import.export, name="export"),
]

from refdesk.pool import views_privacy  # noqa: E402

urlpatterns += [
    path("contacts/<int:contact_id>/export/", views_privacy.person_export, name="person-export"),
    path("contacts/<int:contact_id>/erase/", views_privacy.person_erase, name="person-erase"),
]
