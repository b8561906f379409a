"""Versions of what readers see of comments, kept in the shared cache.

Each essay has a comments version, and the site one more (for pages that show comment
counts of many essays). comments.services, the one place a comment's status or body
changes, calls comments_changed() once the change has committed; it sets new versions, so
fragments, pages and ETags keyed by the old ones are never read again.
"""

from django.conf import settings

from blog.caching import read_versions, set_new_versions

SITE_KEY = "versions:comments:site"


def essay_key(essay_id: int) -> str:
    return f"versions:comments:essay:{essay_id}"


def essay_version(request, essay_id: int) -> str:
    """The comments version of one essay (read once per request)."""
    return read_versions(request, [essay_key(essay_id)])[0]


def site_version(request) -> str:
    return read_versions(request, [SITE_KEY])[0]


def comments_changed(*essay_ids: int) -> None:
    """Retire the cached comments of these essays (and the site's comment counts). The
    services call it once the change has committed."""
    set_new_versions(*(essay_key(pk) for pk in set(essay_ids)), SITE_KEY)


def essay_page_state(essay) -> str:
    """What else an essay page shows of comments that changes without a write: whether
    they are still open (they close by age), the comment settings, the form's time stamp,
    the essay's comment policy (it can end by itself)."""
    from comments.forms import fresh_form_stamp
    from comments.services import comments_are_open

    is_open = comments_are_open(essay)
    return (
        f"{is_open}:{settings.COMMENTS_THREADS_PER_PAGE}:{settings.COMMENTS_NEWEST_FIRST}:"
        f"{settings.COMMENTS_MAX_DEPTH}:{fresh_form_stamp() if is_open else ''}:"
        f"{essay.comment_policy_now()}"
    )
