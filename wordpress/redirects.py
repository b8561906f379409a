"""Old WordPress links answered with a 301 to their new place.

A lookup on ImportedObject rather than django.contrib.redirects: the import already
records every essay's and topic's old permalink and every comment's old id, so a second
table of paths would only repeat it and go stale when an editor renames a slug here (we
redirect to the object's address as it is now). contrib.redirects also matches the path
alone, and the commonest old links are queries of the home page (`/?p=123`), which is a
page of ours and never a 404.

The middleware acts only where nothing of ours answers: a request whose path resolves to
one of our URL patterns is left alone even when it is a 404, so no old link can shadow a
page of ours. It looks at the home page only when the query names a post, term or
comment, and at any other path only after the view has said 404. Each redirected request
costs one query; other requests cost none.
"""

import re
from urllib.parse import quote, unquote, urlsplit

from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve, reverse

from blog.models import Essay, Topic
from comments.models import Comment
from wordpress.models import ImportedObject

Kind = ImportedObject.Kind
# What WordPress adds after a post's or term's own address: its feeds, comment pages,
# pages of a long post, an archive's later pages, and the embed, AMP and trackback views.
_FEED = re.compile(r"/(?:feed/(?:rss|rss2|atom|rdf)|feed|rss|rss2|atom|rdf)/?$")
_EXTRA = re.compile(r"/(?:comment-page-\d+|page/\d+|\d+|amp|embed|trackback)/?$")
# Query parameters WordPress reads for a post or comment.
_POST_PARAMS = ("p", "page_id")
_COMMENT_PARAMS = ("replytocom", "c")
OLD_LINK_MAX_LENGTH = ImportedObject._meta.get_field("old_link").max_length
_HOME_PARAMS = (*_POST_PARAMS, *_COMMENT_PARAMS, "cat", "tag")


def _normal(path: str) -> str:
    """A path as compared: decoded, without its trailing slash, in one case."""
    return unquote(path).rstrip("/").casefold()


def _split_tail(path: str) -> tuple[str, bool]:
    """The old object's own path and whether the link asked for its feed."""
    if match := _FEED.search(path):
        return path[: match.start() + 1], True
    if match := _EXTRA.search(path):
        return path[: match.start() + 1], False
    return path, False


def _first_number(request, names) -> str | None:
    for name in names:
        value = request.GET.get(name, "").strip()
        if value.isdigit():
            return value
    return None


def _annotated(records):
    """The records with what a redirect needs of its target, in the same query."""
    essays = Essay.objects.published().filter(pk=OuterRef("object_id"))
    return records.annotate(
        essay_slug=Subquery(essays.values("slug")[:1]),
        topic_slug=Subquery(Topic.objects.filter(pk=OuterRef("object_id")).values("slug")[:1]),
        comment_shown=Exists(
            Comment.objects.public().filter(
                pk=OuterRef("object_id"), essay__in=Essay.objects.published()
            )
        ),
    )


def _ends(path: str) -> Q:
    """Records whose old link ends with this path, however it was encoded."""
    stem = path.rstrip("/")
    found = Q()
    for end in {stem, quote(stem, safe="/"), unquote(stem)} - {""}:
        if "\x00" in end:
            continue  # never in a link (and PostgreSQL refuses NUL in text)
        found |= Q(old_link__iendswith=end) | Q(old_link__iendswith=end + "/")
    return found


class _OldLink:
    """What an old link names: a path (as asked, and without WordPress's extras), a post,
    category or comment id from the query."""

    def __init__(self, request):
        self.path = request.path_info
        self.base, self.feed = _split_tail(self.path)
        self.post_id = _first_number(request, _POST_PARAMS)
        self.category_id = _first_number(request, ("cat",))
        self.comment_id = _first_number(request, _COMMENT_PARAMS)
        self.feed_asked = "feed" in request.GET  # /?p=123&feed=rss2
        if self.path == "/" and (tag := request.GET.get("tag", "").strip()):
            self.path = self.base = f"/tag/{quote(tag)}/"

    def query(self) -> Q:
        wanted = Q()
        if self.post_id:
            wanted |= Q(kind=Kind.ESSAY, wordpress_id=self.post_id)
        if self.category_id:
            wanted |= Q(kind=Kind.TOPIC, wordpress_id=f"category:{self.category_id}")
        if self.path != "/":
            paths = _ends(self.path) | _ends(self.base) if self.base != "/" else _ends(self.path)
            if paths:  # empty, it would match every essay and topic
                wanted |= Q(kind__in=[Kind.ESSAY, Kind.TOPIC]) & paths
        if self.comment_id:
            wanted |= Q(kind=Kind.COMMENT, wordpress_id=self.comment_id)
        return wanted

    def rank(self, record) -> int | None:
        """How well a record fits: 0 its exact path or id, 1 the path less its extras."""
        if self.post_id and record.kind == Kind.ESSAY and record.wordpress_id == self.post_id:
            return 0
        if self.category_id and record.wordpress_id == f"category:{self.category_id}":
            return 0
        old = _normal(urlsplit(record.old_link).path)
        if self.path != "/" and old == _normal(self.path):
            return 0
        if self.base != "/" and old == _normal(self.base):
            return 1
        return None


def _target(record, link: _OldLink) -> str | None:
    feed = link.feed_asked or (link.feed and link.rank(record) == 1)
    if record.kind == Kind.ESSAY and record.essay_slug:
        name = "comments:essay_feed" if feed else "blog:essay_detail"
        return reverse(name, kwargs={"slug": record.essay_slug})
    if record.kind == Kind.TOPIC and record.topic_slug:
        name = "blog:topic_feed" if feed else "blog:topic_detail"
        return reverse(name, kwargs={"slug": record.topic_slug})
    return None


def old_link_target(request) -> str | None:
    """Our address for an old WordPress link, or None when it names nothing we have."""
    link = _OldLink(request)
    if "\x00" in link.path or len(link.path) > OLD_LINK_MAX_LENGTH:
        return None  # no old link is like this (and PostgreSQL refuses NUL in text)
    wanted = link.query()
    if not wanted:
        return None
    records = list(_annotated(ImportedObject.objects.filter(wanted))[:50])
    named = sorted(
        (r for r in records if r.kind != Kind.COMMENT and link.rank(r) is not None),
        key=link.rank,
    )
    sites = {r.site_url for r in named}
    for record in records:
        # The comment, when shown, of the post the link names (ids repeat across sites).
        shown = record.kind == Kind.COMMENT and record.comment_shown
        if shown and (not named or record.site_url in sites):
            return reverse("comments:permalink", kwargs={"pk": record.object_id})
    for record in named:
        if target := _target(record, link):
            return target
    return None


def _ours(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


class OldLinkRedirectMiddleware:
    """301 from an old WordPress link to its new place (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if request.path_info == "/" and any(name in request.GET for name in _HOME_PARAMS):
            target = old_link_target(request)
            return HttpResponsePermanentRedirect(target) if target else self.get_response(request)
        response = self.get_response(request)
        if response.status_code != 404 or _ours(request.path_info):
            return response
        target = old_link_target(request)
        return HttpResponsePermanentRedirect(target) if target else response
