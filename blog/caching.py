"""What makes an essay page fresh: fragment keys, ETags and Last-Modified for readers.

Blog never imports comments. Apps further along say what else an essay page shows through
the ESSAY_PAGE_VERSIONS and SITE_PAGE_VERSIONS settings: dotted paths to functions that
return a short version string (and, for Last-Modified, a time) for an essay or the site.
"""

import hashlib
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.template.loader import render_to_string
from django.utils.module_loading import import_string

from blog.models import Essay

ARTICLE_CACHE_SECONDS = 24 * 60 * 60
# Cookies that change what an anonymous reader's page looks like.
PAGE_COOKIES = ("reading_prefs", "comment_author", "csrftoken")


def warnings_signature(essay: Essay) -> str:
    """Changes whenever a warning the essay shows is added, removed, renamed or edited."""
    parts = [
        f"{w.pk}|{w.name}|{w.gates}|{w.description}|{w.support_text}|{w.display_order}"
        for w in essay.warning_list()
    ]
    return hashlib.blake2s("\n".join(parts).encode(), digest_size=8).hexdigest()


def article_html(essay: Essay) -> str:
    """The rendered essay (title to image credit), from the shared cache when it can be."""
    key = (
        f"blog:article:{essay.pk}:{essay.updated_at.timestamp()}:"
        f"{warnings_signature(essay)}:{settings.RELEASE}"
    )
    html = cache.get(key)
    if html is None:
        html = render_to_string("blog/_essay_article.html", {"essay": essay})
        cache.set(key, html, ARTICLE_CACHE_SECONDS)
    return html


def _versions(setting: str, *args) -> list[tuple[str, datetime | None]]:
    return [import_string(path)(*args) for path in getattr(settings, setting)]


def _digest(*parts) -> str:
    return hashlib.blake2s("\x1f".join(map(str, parts)).encode(), digest_size=12).hexdigest()


def is_personal(request) -> bool:
    """Readers with a session (commenters, staff) or a message waiting get fresh pages."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES


def _reader_state(request) -> list[str]:
    cookies = [request.COOKIES.get(name, "") for name in PAGE_COOKIES]
    return [*cookies, request.GET.urlencode()]


def essay_validators(request, essay: Essay) -> tuple[str, datetime]:
    """(ETag, Last-Modified) of one essay page as this reader would get it."""
    versions = _versions("ESSAY_PAGE_VERSIONS", essay)
    etag = _digest(
        "essay", essay.pk, essay.updated_at.timestamp(), warnings_signature(essay),
        settings.RELEASE, *(v for v, _ in versions), *_reader_state(request),
    )  # fmt: skip
    modified = max([essay.updated_at, *(t for _, t in versions if t)])
    return etag, modified


def listing_validators(request, kind: str) -> tuple[str, datetime | None]:
    """(ETag, Last-Modified) for the essay list or a feed."""
    summary = Essay.objects.published().aggregate(
        n=Count("id"), updated=Max("updated_at"), latest=Max("published_at")
    )
    versions = _versions("SITE_PAGE_VERSIONS") if kind == "home" else []
    times = [t for t in (summary["updated"], summary["latest"]) if t]
    times += [t for _, t in versions if t]
    etag = _digest(
        kind, summary["n"], summary["updated"], summary["latest"], settings.RELEASE,
        *(v for v, _ in versions), *_reader_state(request),
    )  # fmt: skip
    return etag, max(times) if times else datetime(2026, 1, 1, tzinfo=UTC)
