"""Atom and RSS feeds of published essays, each entry led by its content warnings."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.views.decorators.http import condition

from blog import caching
from blog.models import Author, Essay, Topic


class LatestEssaysFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        def render(request):
            return caching.cached_response(request, lambda: super(LatestEssaysFeed, self)
                                           .__call__(request, *args, **kwargs))  # fmt: skip

        kind = f"{self.__class__.__name__}:{request.path}"
        return condition(etag_func=lambda r: caching.listing_etag(r, kind, site_pages=False))(
            render
        )(request)

    def title(self):
        return settings.SITE_NAME

    def link(self):
        return "/"

    def description(self):
        return "Essays on hard subjects, each with its content warnings first."

    subtitle = description

    def items(self, obj=None):
        return self.essays(obj).with_warnings().with_authors()[: settings.FEED_ITEMS]

    def essays(self, obj):
        """The essays this feed lists; `obj` is the topic or author of a narrower feed."""
        return Essay.objects.published()

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        context = {"essay": item, "site_url": settings.SITE_URL}
        return render_to_string("blog/feed_entry.html", context)

    def item_author_name(self, item):
        return item.author_names()

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [w.name for w in item.warning_list()]


class LatestEssaysRssFeed(LatestEssaysFeed):
    feed_type = Rss201rev2Feed


class _NarrowerFeed(LatestEssaysFeed):
    """The essays of one topic or author. The object goes from get_object() to the other
    methods as their argument: one Feed instance serves every request."""

    model = None

    def get_object(self, request, slug):
        return get_object_or_404(self.model, slug=slug)

    def title(self, obj):
        return f"{obj.name} \u00b7 {settings.SITE_NAME}"

    def link(self, obj):
        return obj.get_absolute_url()


class TopicFeed(_NarrowerFeed):
    """A topic's essays (its sub-topics' included), as the main feed shows them."""

    model = Topic

    def description(self, obj):
        return obj.description or f"Essays about {obj.name.lower()}, warnings first."

    subtitle = description

    def essays(self, obj):
        return Essay.objects.published().in_topic(obj)


class AuthorFeed(_NarrowerFeed):
    model = Author

    def description(self, obj):
        return f"Essays by {obj.name}, warnings first."

    subtitle = description

    def essays(self, obj):
        return Essay.objects.published().filter(authors=obj)
