"""The sitemap: published essays and the public pages."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from blog.models import Essay


class EssaySitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Essay.objects.published().only("slug", "updated_at")

    def lastmod(self, item):
        return item.updated_at


class PageSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return ["blog:essay_list", "blog:privacy"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {"essays": EssaySitemap, "pages": PageSitemap}
