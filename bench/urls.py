"""The site's URLs plus /bench/floor/, a constant response through the same middleware."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns

BIG_BODY = b"<p>" + b"x" * (134 * 1024) + b"</p>"


def floor(request):
    return HttpResponse(b"ok", content_type="text/plain")


def floor_big(request):
    """The floor again with a body the size of an essay page with 200 comments."""
    return HttpResponse(BIG_BODY, content_type="text/html")


urlpatterns = [
    path("bench/floor/", floor),
    path("bench/floor-134k/", floor_big),
    *site_urlpatterns,
]
