"""What makes an essay page fresh: fragment keys, ETags and Last-Modified for readers.

Blog never imports comments. Apps further along say what else an essay page shows through
the ESSAY_PAGE_VERSIONS and SITE_PAGE_VERSIONS settings: dotted paths to functions that
return a short version string (and, for Last-Modified, a time) for an essay or the site.
"""

import functools
import hashlib
import re
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar
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


def version_key(*parts) -> str:
    """Where a version lives in the shared cache. Every version is under one prefix, which
    the Redis cache keeps exact copies of in each process (config/cache.py)."""
    return settings.VERSION_KEY_PREFIX + ":".join(map(str, parts))


ESSAYS_VERSION_KEY = version_key("blog", "essays")


def _page_cookies() -> list[str]:
    """Cookies that change what an anonymous reader's page looks like (for ETags)."""
    return [settings.READING_PREFS_COOKIE, *settings.PERSONAL_COOKIES, settings.CSRF_COOKIE_NAME]


def warnings_signature(essay: Essay) -> str:
    """Changes whenever a warning the essay shows is added, removed, renamed or edited."""

    def signature():
        parts = [
            f"{w.pk}|{w.name}|{w.gates}|{w.description}|{w.support_text}|{w.display_order}"
            for w in essay.warning_list()
        ]
        return hashlib.blake2s("\n".join(parts).encode(), digest_size=8).hexdigest()

    return essay.per_warnings_prefetch("_warnings_signature", signature)


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


# Dotted paths from settings, imported once (this runs several times a request).
_imported = functools.cache(import_string)


def _versions(setting: str, *args) -> list[tuple[str, datetime | None]]:
    return [_imported(path)(*args) for path in getattr(settings, setting)]


def _essay_versions(request, essay: Essay) -> list[tuple[str, datetime | None]]:
    """The essay page versions, asked for once per request."""
    memo = request.__dict__.setdefault("_essay_page_versions", {})
    if essay.pk not in memo:
        memo[essay.pk] = _versions("ESSAY_PAGE_VERSIONS", essay)
    return memo[essay.pk]


def _digest(*parts) -> str:
    return hashlib.blake2s("\x1f".join(map(str, parts)).encode(), digest_size=12).hexdigest()


def reader_cookies() -> list[str]:
    return [settings.READING_PREFS_COOKIE, *settings.PERSONAL_COOKIES]


def is_personal(request) -> bool:
    """Readers with a session (commenters, staff), a message waiting, or saved commenter
    details get pages built for them, never a shared copy."""
    cookies = request.COOKIES
    if not cookies:
        return False
    return any(
        name in cookies
        for name in (settings.SESSION_COOKIE_NAME, "messages", *settings.PERSONAL_COOKIES)
    )


def _reader_state(request) -> list[str]:
    cookies = [request.COOKIES.get(name, "") for name in _page_cookies()]
    return [*cookies, request.GET.urlencode() if request.META.get("QUERY_STRING") else ""]


def _page_params(request) -> list[int | None]:
    """The query parameters an essay page or the list actually reads, as numbers.

    Anything else in the query string does not change the page, so it is left out of cache
    keys: `?x=1`, `?x=2`, ... would otherwise each store another copy.
    """
    if not request.META.get("QUERY_STRING"):
        return [None, None, None]
    values = []
    for name in ("page", "cpage", "replytocom"):
        try:
            number = int(request.GET.get(name, ""))
        except ValueError:
            number = None
        values.append(number if number is not None and 0 < number < 10**9 else None)
    return values


def essay_validators(request, essay: Essay) -> tuple[str, datetime]:
    """(ETag, Last-Modified) of one essay page as this reader would get it."""
    versions = _essay_versions(request, essay)
    etag = _digest(
        "essay", essay.pk, essay.updated_at.timestamp(), warnings_signature(essay),
        settings.RELEASE, *(v for v, _ in versions), *_reader_state(request),
    )  # fmt: skip
    essays_changed_at = datetime.fromtimestamp(int(_essays_version(request)) / 1e9, tz=UTC)
    modified = max([essay.updated_at, essays_changed_at, *(t for _, t in versions if t)])
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
        essays_version = _essays_version(request)
        times.append(datetime.fromtimestamp(int(essays_version) / 1e9, tz=UTC))
        parts = [kind, summary["n"], summary["updated"], summary["latest"], settings.RELEASE,
                 essays_version, *(v for v, _ in versions)]  # fmt: skip
        memo[kind] = (parts, max(times) if times else datetime(2026, 1, 1, tzinfo=UTC))
    return memo[kind]


def listing_validators(request, kind: str) -> tuple[str, datetime | None]:
    """(ETag, Last-Modified) for the essay list or a feed."""
    parts, modified = _listing_state(request, kind)
    return _digest(*parts, *_reader_state(request)), modified


def listing_page_key(request) -> str:
    from blog.preferences import ReadingPreferences

    parts, _ = _listing_state(request, "home")
    hidden = sorted(ReadingPreferences.from_request(request).hide)
    return "blog:list:" + _digest(*parts, hidden, *_page_params(request))


# -- versions, read in one round trip ---------------------------------------------------------

_snapshot: ContextVar[dict[str, str] | None] = ContextVar("cache_versions", default=None)


def new_version() -> str:
    return str(time.time_ns())


def read_version(key: str) -> str:
    """A version kept in the shared cache (nanoseconds since the epoch, as text), made anew
    if it has fallen out of the cache. Inside versions_snapshot() it is read only once."""
    snapshot = _snapshot.get()
    if snapshot is not None and key in snapshot:
        return snapshot[key]
    version = cache.get(key)
    if version is None:
        cache.add(key, new_version(), timeout=None)
        version = cache.get(key) or new_version()
    if snapshot is not None:
        snapshot[key] = version
    return version


@contextmanager
def versions_snapshot(keys: list[str]):
    """Read these versions from the shared cache in one round trip, and answer every
    read_version() of this block from that one reading.

    A page built inside the block is keyed by versions read before any of its rows were,
    so a change committed meanwhile can only make a cached copy newer than its key, never
    older. Keys not read here are read (once) when first asked for.
    """
    token = _snapshot.set(cache.get_many(keys) if keys else {})
    try:
        yield
    finally:
        _snapshot.reset(token)


def essay_version_keys(essay_id: int) -> list[str]:
    """The shared-cache keys an essay page's versions live under (from ESSAY_VERSION_KEYS)."""
    return [key for path in settings.ESSAY_VERSION_KEYS for key in _imported(path)(essay_id)]


_slug_ids: OrderedDict[str, int] = OrderedDict()
_slug_ids_lock = threading.Lock()


def essay_page_versions(slug: str):
    """versions_snapshot() for the essay with this slug: the essays version and, if this
    process has served the slug before, the essay's own versions, in one round trip. (If
    the slug now names another essay, that essay's versions are simply read when asked.)"""
    essay_id = _slug_ids.get(slug)
    keys = [ESSAYS_VERSION_KEY, *(essay_version_keys(essay_id) if essay_id else [])]
    return versions_snapshot(keys)


def _remember_slug(slug: str, essay_id: int) -> None:
    with _slug_ids_lock:
        _slug_ids[slug] = essay_id
        _slug_ids.move_to_end(slug)
        while len(_slug_ids) > 4096:
            _slug_ids.popitem(last=False)


# -- published essays by slug, from the cache ---------------------------------------------


def essays_changed() -> None:
    """Any essay or warning was saved or deleted: cached essay records are retired."""

    def bump():
        cache.set(ESSAYS_VERSION_KEY, new_version(), timeout=None)

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


def _essays_version(request=None) -> str:
    """The essays version (asked for once per request when a request is given)."""
    if request is not None:
        memo = request.__dict__
        if "_essays_version" not in memo:
            memo["_essays_version"] = read_version(ESSAYS_VERSION_KEY)
        return memo["_essays_version"]
    return read_version(ESSAYS_VERSION_KEY)


def published_essay(slug: str, request=None) -> Essay | None:
    """The published essay with this slug and its warnings: from the cache, else 2 queries."""
    version = _essays_version(request)
    slug_hash = hashlib.blake2s(slug.encode(), digest_size=12).hexdigest()
    key = f"blog:essay:{settings.RELEASE}:{version}:{slug_hash}"
    essay = _versioned_get(key)
    if essay is None:
        essay = Essay.objects.published().with_warnings().filter(slug=slug).first()
        if essay is None:
            return None
        essay.warning_list()  # evaluated now, so the cached copy carries its warnings
        _versioned_set(key, essay, ARTICLE_CACHE_SECONDS)
    _remember_slug(slug, essay.pk)
    return essay if essay.is_public else None


# -- whole pages for anonymous readers ------------------------------------------------------

PAGE_CACHE_SECONDS = 10 * 60
# Values that must be new in every response; the cached copy holds placeholders instead.

PLACEHOLDER = "@@fresh:{}@@"
PLACEHOLDER_PATTERN = re.compile(r"@@fresh:(\w+)@@")


def csrf_value(request) -> str:
    return get_token(request)


def _split_page(html: str) -> tuple:
    """A stored page as (bytes, name, bytes, name, ..., bytes): filling it in is a join."""
    parts = PLACEHOLDER_PATTERN.split(html)
    return tuple(part if i % 2 else part.encode() for i, part in enumerate(parts))


def _fill_fresh_values(request, parts: tuple) -> bytes:
    """Fill in the per-response form values a cached page has placeholders for, each from
    the function PAGE_FRESH_VALUES names (a page without a form gets no CSRF cookie)."""
    values: dict[str, bytes] = {}
    out = []
    for i, part in enumerate(parts):
        if not i % 2:
            out.append(part)
        elif part in settings.PAGE_FRESH_VALUES:
            if part not in values:
                values[part] = _imported(settings.PAGE_FRESH_VALUES[part])(request).encode()
            out.append(values[part])
        else:
            out.append(PLACEHOLDER.format(part).encode())
    return b"".join(out)


def page_key(request, essay: Essay, *extra) -> str:
    """Everything an anonymous reader's essay page depends on, but the CSRF token.

    The reader's preferences count only through what they change on this page: which
    warnings still ask for a choice.
    """
    from blog.preferences import ReadingPreferences

    versions = _essay_versions(request, essay)
    to_confirm = [w.pk for w in ReadingPreferences.from_request(request).warnings_to_confirm(essay)]
    return "blog:page:" + _digest(
        essay.pk, essay.updated_at.timestamp(), warnings_signature(essay), settings.RELEASE,
        *(v for v, _ in versions), to_confirm, *_page_params(request), *extra,
    )  # fmt: skip


def cached_page(request, key: str) -> bytes | None:
    """A stored page with this reader's own form values filled in, or None.

    The shared cache holds the page as text; each process keeps it split at its
    placeholders, ready to join."""
    parts = memory.get(key)
    if parts is None:
        html = cache.get(key)
        if html is None:
            return None
        parts = _split_page(html)
        memory.set(key, parts)
    return _fill_fresh_values(request, parts)


def _fresh_fields():
    names = "|".join(map(re.escape, settings.PAGE_FRESH_VALUES))
    return re.compile(rf'(name="({names})" value=")[^"]*"')


def store_page(key: str, html: str) -> None:
    """Keep a rendered page, its per-response form values swapped for placeholders."""

    def placeholder(match):
        return f'{match.group(1)}{PLACEHOLDER.format(match.group(2))}"'

    # Text a reader wrote cannot turn into a placeholder: its ":" becomes an entity, which
    # browsers show the same, in text and in attribute values alike.
    marker = PLACEHOLDER.split("{", 1)[0]
    html = html.replace(marker, marker.replace(":", "&#58;"))
    html = _fresh_fields().sub(placeholder, html)
    cache.set(key, html, PAGE_CACHE_SECONDS)
    memory.set(key, _split_page(html))
