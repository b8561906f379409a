from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("essays/<slug:slug>/comment/", views.post_comment, name="post"),
    path("essays/<slug:slug>/comments/feed/", views.EssayCommentsFeed(), name="essay_feed"),
    path("comments/<int:pk>/", views.permalink, name="permalink"),
    path("comments/<int:pk>/edit/", views.edit_comment, name="edit"),
    path("comments/<int:pk>/delete/", views.delete_comment, name="delete"),
    path("comments/<int:pk>/hide/", views.hide_comment, name="hide"),
]
