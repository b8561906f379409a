"""Moderation's page for readers: reporting a comment (under /comments/, beside its other
pages, but provided by moderation so that comments knows nothing of reports)."""

from django.urls import path

from moderation import report_views

app_name = "reports"

urlpatterns = [
    path("comments/<int:pk>/report/", report_views.report_comment, name="report"),
]
