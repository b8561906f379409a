"""The sitemap: published essays, the topic, series and author pages, and the public pages."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef, Subquery
from django.urls import reverse

from blog.models import Author, Essay, Series, Topic


class EssaySitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Essay.objects.published().only("slug", "updated_at")

    def lastmod(self, item):
        return item.updated_at


class _ListingSitemap(Sitemap):
    """Pages that list essays: only those with a published essay, newest change first."""

    changefreq = "weekly"
    priority = 0.6
    model = None
    essays_lookup = ""

    def items(self):
        live = Essay.objects.published().filter(**{self.essays_lookup: OuterRef("pk")})
        latest = live.order_by().values(self.essays_lookup).annotate(m=Max("updated_at"))
        return (
            self.model.objects.filter(Exists(live))
            .annotate(lastmod=Subquery(latest.values("m")[:1]))
            .order_by("pk")
        )

    def lastmod(self, item):
        return item.lastmod


class TopicSitemap(_ListingSitemap):
    model, essays_lookup = Topic, "topics"


class SeriesSitemap(_ListingSitemap):
    model, essays_lookup = Series, "series_part__series"


class AuthorSitemap(_ListingSitemap):
    model, essays_lookup = Author, "authors"


class PageSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return ["blog:essay_list", "blog:topic_list", "blog:privacy"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "essays": EssaySitemap,
    "topics": TopicSitemap,
    "series": SeriesSitemap,
    "authors": AuthorSitemap,
    "pages": PageSitemap,
}
