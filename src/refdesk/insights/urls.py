from django.urls import path

from refdesk.insights import views, views_opportunities

app_name = "insights"

urlpatterns = [
    path("", views.home, name="home"),
    # Before the figure patterns: "opportunities" is a page, never a figure key.
    path("opportunities/", views_opportunities.opportunity_list, name="opportunity-list"),
    path("opportunities/edit/", views_opportunities.opportunity_edit, name="opportunity-edit"),
    path("<str:figure>/rows/", views.figure_rows, name="figure-rows"),
    path("<str:figure>/export/<str:fmt>/", views.figure_export, name="figure-export"),
    path("<str:figure>/rows/export/<str:fmt>/", views.rows_export, name="rows-export"),
]
