from django.urls import path

from moderation import commenter, dashboard, queue, tools

app_name = "moderation"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("act/", queue.act, name="act"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("ban/", tools.ban, name="ban"),
    path("bans/", tools.ban_list, name="bans"),
    path("bans/<int:pk>/lift/", tools.lift, name="lift_ban"),
    path("essay-policy/", tools.essay_policy, name="essay_policy"),
    path("note/", tools.add_note, name="add_note"),
    path("commenter/", commenter.commenter, name="commenter"),
]
