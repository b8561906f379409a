from django.urls import path

from moderation import queue

app_name = "moderation"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("act/", queue.act, name="act"),
]
