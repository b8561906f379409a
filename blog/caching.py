"""Versions, fragments and HTTP caching for readers' pages, with Django's cache framework.

A version is a short string in the shared cache; whoever changes what a page shows sets a
new one (blog for essays and warnings, comments for comments). Fragments, whole pages and
ETags are keyed by the versions they were made from, so nothing stale is ever read, and a
version that fell out of the cache is simply made anew. Apps further along say what else
an essay page depends on in their AppConfig.ready() (register_essay_page), so blog never
imports them.

A reader with none of the cookies that shape a page (is_shareable) gets the same bytes as
every other such reader, marked for shared caches (nginx, a CDN) for CACHE_SHARED_SECONDS.
"""

import hashlib
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control, patch_vary_headers

from blog.http import positive_id
from blog.labels import warning_label
from blog.models import Essay

DAY = 24 * 60 * 60
ESSAYS_VERSION_KEY = "versions:blog:essays"
# The newest public essay: what time alone changes (a scheduled essay coming out), read
# with the versions and worked out anew at most once per CACHE_SHARED_SECONDS.
NEWEST_PUBLIC_KEY = "blog:newest-public"

# What other apps add to an essay page's key: version keys for an essay id, and state
# (a string) that changes without a write, such as comments closing after N days.
_essay_version_keys: list[Callable[[int], Iterable[str]]] = []
_essay_state: list[Callable[[Essay], str]] = []
_site_version_keys: list[str] = []


def register_essay_page(*, version_keys: Callable[[int], Iterable[str]], state=None) -> None:
    """Say what else an essay page shows: its version keys, and optional extra state."""
    _essay_version_keys.append(version_keys)
    if state is not None:
        _essay_state.append(state)


def register_site_pages(*, version_keys: Iterable[str]) -> None:
    """Say what else the essay list shows (comment counts, say): its version keys."""
    _site_version_keys.extend(version_keys)


def new_version() -> str:
    return str(time.time_ns())


def set_new_versions(*keys: str) -> None:
    """Retire everything keyed by these versions (for a change that has committed)."""
    cache.set_many(dict.fromkeys(keys, new_version()), timeout=None)


def bump_versions(*keys: str) -> None:
    """Retire everything keyed by these versions: now, and again once the change commits
    (so a fragment another request built from the old rows in between is never read)."""
    set_new_versions(*keys)
    transaction.on_commit(lambda: set_new_versions(*keys))


def read_versions(request, keys: list[str]) -> list[str]:
    """These versions, read from the shared cache in one round trip (once per request)."""
    memo = _known_versions(request)
    missing = [key for key in keys if key not in memo]
    if missing:
        found = cache.get_many(missing)
        for key in missing:
            if key == NEWEST_PUBLIC_KEY and key not in found:
                found[key] = _newest_public()
                cache.set(key, found[key], settings.CACHE_SHARED_SECONDS)
            elif key not in found:
                found[key] = new_version()
                cache.add(key, found[key], timeout=None)
        memo.update(found)
    return [memo[key] for key in keys]


def _newest_public() -> str:
    newest = Essay.objects.published().order_by("-published_at", "-id")
    return str(newest.values_list("published_at", "id").first())


def _known_versions(request) -> dict[str, str]:
    return request.__dict__.setdefault("_versions", {})


def essays_changed() -> None:
    """An essay or warning was saved or deleted: cached essays and pages are retired."""
    bump_versions(ESSAYS_VERSION_KEY)
    cache.delete(NEWEST_PUBLIC_KEY)
    transaction.on_commit(lambda: cache.delete(NEWEST_PUBLIC_KEY))


def digest(*parts) -> str:
    return hashlib.blake2s("\x1f".join(map(str, parts)).encode(), digest_size=12).hexdigest()


def warnings_signature(essay: Essay) -> str:
    """Changes whenever a warning the essay shows is added, removed, renamed or edited."""

    def signature():
        return digest(*(
            f"{w.pk}|{w.name}|{w.gates}|{w.description}|{w.support_text}|{w.display_order}"
            for w in essay.warning_list()
        ))  # fmt: skip

    return essay.per_warnings_prefetch("_warnings_signature", signature)


def _essay_version_keys_for(essay_id: int) -> list[str]:
    return [
        ESSAYS_VERSION_KEY,
        NEWEST_PUBLIC_KEY,  # an essay page shows other essays: its series, related ones
        *(k for for_essay in _essay_version_keys for k in for_essay(essay_id)),
    ]


def published_essay(request, slug: str) -> Essay | None:
    """The published essay with this slug, its warnings, authors, topics and series, from
    the cache (else 4 queries).

    A stored copy names its essay, so every version of that essay's page is read with the
    essays version, in one round trip. Kept on the request for its later calls.
    """
    memo = request.__dict__.setdefault("_essays", {})
    if slug in memo:
        return memo[slug]
    key = f"blog:essay:{settings.RELEASE}:{digest(slug)}"
    stored_version, essay = cache.get(key) or (None, None)
    read_versions(request, _essay_version_keys_for(essay.pk) if essay else [ESSAYS_VERSION_KEY])
    (version,) = read_versions(request, [ESSAYS_VERSION_KEY])
    if stored_version != version:
        # Read after the version, so a copy can only be newer than the version it is under.
        found = Essay.objects.published().with_reader_facts().filter(slug=slug)
        # Not what the page shows: the Markdown source, the plain text and search vector.
        essay = found.defer("body", "body_text", "search_vector").first()
        if essay is not None:
            essay.warning_list()  # evaluated now, so the cached copy carries its warnings
            cache.set(key, (version, essay), DAY)
    memo[slug] = essay if essay is not None and essay.is_public else None
    return memo[slug]


def article_html(essay: Essay) -> str:
    """The rendered essay (title to image credit), from the shared cache when it can be."""
    byline = [f"{a.pk}|{a.name}|{a.slug}" for a in essay.author_list()]
    label = warning_label()
    key = "blog:article:" + digest(
        essay.pk, essay.updated_at.timestamp(), warnings_signature(essay), settings.RELEASE,
        label.one, label.many, *byline,
    )  # fmt: skip
    html = cache.get(key)
    if html is None:
        html = render_to_string("blog/_essay_article.html", {"essay": essay})
        cache.set(key, html, DAY)
    return html


# -- who shares a page, and its ETag -------------------------------------------------------


def _shaping_cookies() -> list[str]:
    """Cookies that make a reader's page differ from everyone else's."""
    return [settings.READING_PREFS_COOKIE, *settings.PERSONAL_COOKIES]


def is_personal(request) -> bool:
    """Readers with a session (commenters, staff), a message waiting, or saved commenter
    details get pages built for them: no ETag, no stored copy."""
    names = (settings.SESSION_COOKIE_NAME, "messages", *settings.PERSONAL_COOKIES)
    return any(name in request.COOKIES for name in names)


def is_shareable(request) -> bool:
    """Whether this reader gets the page every reader without our cookies gets."""
    return not is_personal(request) and settings.READING_PREFS_COOKIE not in request.COOKIES


def _reader_state(request) -> list:
    """What of the request changes a page: the address it was asked at (feeds link to it),
    the shaping cookies and the page numbers read, as numbers (other query parameters are
    left out, so `?utm=1` and `?cpage=01` share the plain page's copy)."""
    cookies = [request.COOKIES.get(name, "") for name in _shaping_cookies()]
    numbers = [positive_id(request.GET.get(name)) for name in ("page", "cpage", "replytocom")]
    return [request.scheme, request.get_host(), *cookies, *numbers]


def _remember_etag(request, etag: str | None) -> str | None:
    request.__dict__["_page_etag"] = etag
    return etag


def essay_etag(request, essay: Essay) -> str | None:
    """The ETag of an essay page as this reader gets it (None for personal pages)."""
    if is_personal(request):
        return _remember_etag(request, None)
    return _remember_etag(request, digest(
        "essay", essay.pk, essay.updated_at.timestamp(), warnings_signature(essay),
        settings.RELEASE, *read_versions(request, _essay_version_keys_for(essay.pk)),
        *(state(essay) for state in _essay_state), *_reader_state(request),
    ))  # fmt: skip


def listing_count(request, kind: str, count: Callable[[], int]) -> int:
    """count() of a list of essays, kept in the shared cache until an essay changes or
    comes out, so a topic with 10,000 essays costs what one with 100 does."""
    versions = read_versions(request, [ESSAYS_VERSION_KEY, NEWEST_PUBLIC_KEY])
    key = "blog:count:" + digest(kind, *versions, settings.RELEASE)
    found = cache.get(key)
    if found is None:
        found = count()
        cache.set(key, found, DAY)
    return found


def listing_etag(request, kind: str, *, site_pages: bool = True) -> str | None:
    """The ETag of a list of essays (the home, topic, author and series pages; feeds with
    site_pages=False, as they show no comment counts): the versions of what lists show,
    and the newest public essay, in one round trip."""
    if is_personal(request):
        return _remember_etag(request, None)
    keys = [ESSAYS_VERSION_KEY, NEWEST_PUBLIC_KEY, *(_site_version_keys if site_pages else [])]
    return _remember_etag(request, digest(
        kind, settings.RELEASE, *read_versions(request, keys), *_reader_state(request),
    ))  # fmt: skip


def cached_response(request, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The page from `render()`, with headers for HTTP caches; a shareable reader's copy is
    kept in the shared cache under its ETag (which holds every version it was made from)."""
    etag = request.__dict__.get("_page_etag")
    if not (etag and is_shareable(request)):
        response = render()
        patch_cache_control(response, private=True, no_cache=True)
        patch_vary_headers(response, ["Cookie"])
        return response
    key = f"blog:page:{etag}"
    stored = cache.get(key)
    if stored is not None:
        response = HttpResponse(stored[1], content_type=stored[0])
    else:
        response = render()
        if response.status_code == 200 and not response.cookies:
            # As long as a shared cache may keep it, and a second: an essay page with an open
            # comment form changes with the form's stamp that often, so no copies pile up.
            timeout = settings.CACHE_SHARED_SECONDS + 1
            cache.set(key, (response["Content-Type"], response.content), timeout)
    if response.cookies:  # never share a page that sets a cookie
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(
            response, public=True, max_age=0, s_maxage=settings.CACHE_SHARED_SECONDS
        )
    patch_vary_headers(response, ["Cookie"])
    return response


def private_if_setting_cookies(get_response):
    """Middleware, listed before CsrfViewMiddleware and SessionMiddleware so that it sees
    their cookies: a response that sets a cookie is never marked for shared caches."""

    def middleware(request):
        response = get_response(request)
        if response.cookies and "public" in response.get("Cache-Control", ""):
            del response.headers["Cache-Control"]
            patch_cache_control(response, private=True, no_cache=True)
        return response

    return middleware
