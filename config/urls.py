"""URL wiring: each app owns its URLs; this file only includes them."""

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView
from django.views.static import serve

from blog.sitemaps import SITEMAPS
from blog.views import RobotsView, healthz

admin.site.site_header = f"{settings.SITE_NAME} administration"
admin.site.site_title = settings.SITE_NAME

# Reader pages first: they are most of the requests, and Django tries patterns in order
# (resolving an essay's address past the admin's patterns cost more than the floor view).
urlpatterns = [
    path("", include("blog.urls")),
    # Before the admin's own patterns, which would answer 404 for it.
    path(f"{settings.ADMIN_URL}wordpress/import/", include("wordpress.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", RobotsView.as_view(), name="robots"),
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("img/favicon.svg"))),
    path("moderation/", include("moderation.urls")),
    path("", include("moderation.reader_urls")),
    path("", include("comments.urls")),
    path("", include("subscriptions.urls")),
]

if "anymail" in settings.INSTALLED_APPS:  # the provider's bounce and complaint webhooks
    urlpatterns.append(path("anymail/", include("anymail.urls")))

if settings.DEBUG or settings.SERVE_MEDIA:
    # Uploaded images: a real deployment serves these from object storage or the web server.
    urlpatterns += [
        path(
            f"{settings.MEDIA_URL.strip('/')}/<path:path>",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        ),
    ]
