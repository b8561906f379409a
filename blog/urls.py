from django.urls import path

from blog import feeds, views

app_name = "blog"

urlpatterns = [
    path("", views.EssayListView.as_view(), name="essay_list"),
    path("essays/<slug:slug>/", views.essay_detail, name="essay_detail"),
    path("essays/<slug:slug>/continue/", views.essay_continue, name="essay_continue"),
    path("preview/<int:pk>/", views.essay_preview, name="essay_preview"),
    path("topics/", views.TopicListView.as_view(), name="topic_list"),
    path("topics/<slug:slug>/", views.TopicView.as_view(), name="topic_detail"),
    path("topics/<slug:slug>/feed/", feeds.TopicFeed(), name="topic_feed"),
    path("series/<slug:slug>/", views.SeriesView.as_view(), name="series_detail"),
    path("authors/<slug:slug>/", views.AuthorView.as_view(), name="author_detail"),
    path("authors/<slug:slug>/feed/", feeds.AuthorFeed(), name="author_feed"),
    path("search/", views.search_view, name="search"),
    path("preferences/", views.PreferencesView.as_view(), name="preferences"),
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
    path("feed/", feeds.LatestEssaysFeed(), name="feed_atom"),
    path("feed/rss/", feeds.LatestEssaysRssFeed(), name="feed_rss"),
]
