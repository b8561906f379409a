"""Versions for cached comment fragments, kept in the shared cache.

Each essay has a comments version. Anything that changes what readers see of its comments
(a comment approved, removed, restored, marked spam or edited) calls comments_changed(),
which sets a new version once the change is committed, so fragments keyed by the old
version are never read again. A version that has fallen out of the cache is simply made
anew: the next request renders afresh. There is also one site-wide version, for pages that
show comment counts of many essays.
"""

from django.core.cache import cache
from django.db import transaction

from blog.caching import new_version, read_version, version_key

SITE_KEY = version_key("comments", "site")


def _essay_key(essay_id: int) -> str:
    return version_key("comments", "essay", essay_id)


def essay_version_keys(essay_id: int) -> list[str]:
    """For blog (via ESSAY_VERSION_KEYS): where essay_page_version reads from."""
    return [_essay_key(essay_id)]


def essay_version(essay_id: int) -> str:
    """The current comments version of one essay (nanoseconds since the epoch, as text)."""
    return read_version(_essay_key(essay_id))


def site_version() -> str:
    return read_version(SITE_KEY)


def comments_changed(*essay_ids: int) -> None:
    """Retire the cached fragments of these essays' comments, once the change commits."""

    def bump():
        version = new_version()
        cache.set_many({_essay_key(pk): version for pk in set(essay_ids)}, timeout=None)
        cache.set(SITE_KEY, version, timeout=None)

    # Now, so this transaction's own later reads are fresh; and again after the commit, so
    # a fragment another request built from the old rows in between is never read.
    bump()
    transaction.on_commit(bump)


def _as_time(version: str):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(int(version) / 1e9, tz=UTC)


def essay_page_version(essay) -> tuple[str, object]:
    """For blog's ETags and page keys (via ESSAY_PAGE_VERSIONS): the comments version,
    whether comments are open, the comment settings, and when the comments last changed."""
    from django.conf import settings

    from comments.services import comments_are_open

    version = essay_version(essay.pk)
    state = (
        f"{version}:{comments_are_open(essay)}:{settings.COMMENTS_THREADS_PER_PAGE}:"
        f"{settings.COMMENTS_NEWEST_FIRST}:{settings.COMMENTS_MAX_DEPTH}"
    )
    return state, _as_time(version)


def site_page_version() -> tuple[str, object]:
    """For blog's list ETags (via SITE_PAGE_VERSIONS): comment counts changed."""
    version = site_version()
    return version, _as_time(version)
