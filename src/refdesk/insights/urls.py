from django.urls import path

from refdesk.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.home, name="home"),
    path("<str:figure>/rows/", views.figure_rows, name="figure-rows"),
    path("<str:figure>/export/<str:fmt>/", views.figure_export, name="figure-export"),
    path("<str:figure>/rows/export/<str:fmt>/", views.rows_export, name="rows-export"),
]
