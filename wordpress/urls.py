"""The admin's WordPress import pages, mounted under the admin's address (config/urls.py)."""

from django.urls import path

from wordpress import views

app_name = "wordpress"
urlpatterns = [
    path("", views.upload_view, name="upload"),
    path("run/", views.import_view, name="import"),
    path("<str:token>/", views.report_view, name="upload_report"),
]
