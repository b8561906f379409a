"""What makes an essay page fresh: fragment keys, ETags and Last-Modified for readers.

Blog never imports comments. Apps further along say what else an essay page shows through
the ESSAY_PAGE_VERSIONS and SITE_PAGE_VERSIONS settings: dotted paths to functions that
return a short version string (and, for Last-Modified, a time) for an essay or the site.
"""

import hashlib
import re
import threading
import time
from collections import OrderedDict
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max
from django.middleware.csrf import get_token
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


def _essay_versions(request, essay: Essay) -> list[tuple[str, datetime | None]]:
    """The essay page versions, asked for once per request."""
    memo = request.__dict__.setdefault("_essay_page_versions", {})
    if essay.pk not in memo:
        memo[essay.pk] = _versions("ESSAY_PAGE_VERSIONS", essay)
    return memo[essay.pk]


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
    versions = _essay_versions(request, essay)
    etag = _digest(
        "essay", essay.pk, essay.updated_at.timestamp(), warnings_signature(essay),
        settings.RELEASE, *(v for v, _ in versions), *_reader_state(request),
    )  # fmt: skip
    modified = max([essay.updated_at, *(t for _, t in versions if t)])
    return etag, modified


def _listing_state(request, kind: str) -> tuple[list, datetime]:
    """What the essay list or a feed shows, in one query: which essays, changed when."""
    memo = request.__dict__.setdefault("_listing_state", {})
    if kind not in memo:
        summary = Essay.objects.published().aggregate(
            n=Count("id"), updated=Max("updated_at"), latest=Max("published_at")
        )
        versions = _versions("SITE_PAGE_VERSIONS") if kind == "home" else []
        times = [t for t in (summary["updated"], summary["latest"]) if t]
        times += [t for _, t in versions if t]
        parts = [kind, summary["n"], summary["updated"], summary["latest"], settings.RELEASE,
                 *(v for v, _ in versions)]  # fmt: skip
        memo[kind] = (parts, max(times) if times else datetime(2026, 1, 1, tzinfo=UTC))
    return memo[kind]


def listing_validators(request, kind: str) -> tuple[str, datetime | None]:
    """(ETag, Last-Modified) for the essay list or a feed."""
    parts, modified = _listing_state(request, kind)
    return _digest(*parts, *_reader_state(request)), modified


def listing_page_key(request) -> str:
    parts, _ = _listing_state(request, "home")
    cookies = [request.COOKIES.get(n, "") for n in PAGE_COOKIES if n != "csrftoken"]
    return "blog:list:" + _digest(*parts, *cookies, request.GET.urlencode())


# -- published essays by slug, from the cache ---------------------------------------------

ESSAYS_VERSION_KEY = "blog:v:essays"


def essays_changed() -> None:
    """Any essay or warning was saved or deleted: cached essay records are retired."""

    def bump():
        cache.set(ESSAYS_VERSION_KEY, str(time.time_ns()), timeout=None)

    bump()
    transaction.on_commit(bump)


class _ProcessMemory:
    """A small per-process store in front of the shared cache, for *versioned* keys only.

    A key that contains every version its value depends on can never hold a stale value,
    so keeping a copy in the process is safe; it saves moving a 100 KB page out of Redis on
    every request. The versions themselves are always read from the shared cache.
    """

    def __init__(self):
        self.items: OrderedDict[str, object] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str):
        if not settings.PROCESS_CACHE_ENTRIES:
            return None
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def set(self, key: str, value) -> None:
        size = settings.PROCESS_CACHE_ENTRIES
        if not size:
            return
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


memory = _ProcessMemory()


def _versioned_get(key: str):
    value = memory.get(key)
    if value is None:
        value = cache.get(key)
        if value is not None:
            memory.set(key, value)
    return value


def _versioned_set(key: str, value, timeout: int) -> None:
    cache.set(key, value, timeout)
    memory.set(key, value)


def published_essay(slug: str) -> Essay | None:
    """The published essay with this slug and its warnings: from the cache, else 2 queries."""
    version = cache.get(ESSAYS_VERSION_KEY)
    if version is None:
        cache.add(ESSAYS_VERSION_KEY, str(time.time_ns()), timeout=None)
        version = cache.get(ESSAYS_VERSION_KEY)
    key = f"blog:essay:{version}:{hashlib.blake2s(slug.encode(), digest_size=12).hexdigest()}"
    essay = _versioned_get(key)
    if essay is None:
        essay = Essay.objects.published().with_warnings().filter(slug=slug).first()
        if essay is None:
            return None
        essay.warning_list()  # evaluated now, so the cached copy carries its warnings
        _versioned_set(key, essay, ARTICLE_CACHE_SECONDS)
    return essay if essay.is_public else None


# -- whole pages for anonymous readers ------------------------------------------------------

PAGE_CACHE_SECONDS = 10 * 60
# Values that must be new in every response; the cached copy holds placeholders instead.

PLACEHOLDER = "@@fresh:{}@@"
PLACEHOLDER_PATTERN = re.compile(r"@@fresh:(\w+)@@")


def csrf_value(request) -> str:
    return get_token(request)


def _fill_fresh_values(request, html: str) -> str:
    """Fill in the per-response form values a cached page has placeholders for, each from
    the function PAGE_FRESH_VALUES names (a page without a form gets no CSRF cookie)."""
    values: dict[str, str] = {}

    def fill(match):
        name = match.group(1)
        if name not in values:
            values[name] = import_string(settings.PAGE_FRESH_VALUES[name])(request)
        return values[name]

    return PLACEHOLDER_PATTERN.sub(fill, html)


def page_key(request, essay: Essay, *extra: str) -> str:
    """Everything an anonymous reader's essay page depends on, but the CSRF token."""
    versions = _essay_versions(request, essay)
    cookies = [request.COOKIES.get(n, "") for n in PAGE_COOKIES if n != "csrftoken"]
    return "blog:page:" + _digest(
        essay.pk, essay.updated_at.timestamp(), warnings_signature(essay), settings.RELEASE,
        *(v for v, _ in versions), *cookies, request.GET.urlencode(), *extra,
    )  # fmt: skip


def cached_page(request, key: str) -> str | None:
    """A stored page with this reader's own form values filled in, or None."""
    html = _versioned_get(key)
    if html is None:
        return None
    return _fill_fresh_values(request, html)


def _fresh_fields():
    names = "|".join(map(re.escape, settings.PAGE_FRESH_VALUES))
    return re.compile(rf'(name="({names})" value=")[^"]*"')


def store_page(key: str, html: str) -> None:
    """Keep a rendered page, its per-response form values swapped for placeholders."""

    def placeholder(match):
        return f'{match.group(1)}{PLACEHOLDER.format(match.group(2))}"'

    _versioned_set(key, _fresh_fields().sub(placeholder, html), PAGE_CACHE_SECONDS)
