"""Atom and RSS feeds of published essays, each entry led by its content warnings."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.template.loader import render_to_string
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.views.decorators.http import condition

from blog import caching
from blog.models import Essay


class LatestEssaysFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        def render(request):
            return caching.cached_response(request, lambda: super(LatestEssaysFeed, self)
                                           .__call__(request, *args, **kwargs))  # fmt: skip

        kind = self.__class__.__name__
        return condition(etag_func=lambda r: caching.listing_etag(r, kind))(render)(request)

    def title(self):
        return settings.SITE_NAME

    def link(self):
        return "/"

    def description(self):
        return "Essays on hard subjects, each with its content warnings first."

    subtitle = description

    def items(self):
        return Essay.objects.published().with_warnings()[: settings.FEED_ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        context = {"essay": item, "site_url": settings.SITE_URL}
        return render_to_string("blog/feed_entry.html", context)

    def item_author_name(self, item):
        return item.byline

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [w.name for w in item.warning_list()]


class LatestEssaysRssFeed(LatestEssaysFeed):
    feed_type = Rss201rev2Feed
