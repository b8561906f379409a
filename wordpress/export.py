"""Writing the site as a WordPress export (WXR 1.2), so nobody who moves here is locked in.

The file is written as it is read from the database, a piece at a time: essays and
comments come from two cursors walked side by side (comments in essay and thread order),
so memory holds one essay's worth, not the site. Topics, warnings and authors are few and
are read whole, for the channel's header.

What WordPress gets:
- topics as categories (parents before children, as its importer needs them), warnings
  as tags named "TW: <name>", and each essay's warnings again as a leading
  "Content warning: ..." line, so a reader there still sees them first;
- the body as the HTML readers see here, in a Custom HTML block: WordPress shows block
  content as written, where classic content would go through its paragraph rule again;
- comments with their threads (wp:comment_parent) and statuses: approved 1, pending 0,
  spam, and removed as trash;
- a featured image as an attachment item (its URL, file name and alt text) named by the
  post's _thumbnail_id, which WordPress's importer fetches when asked to.
"""

import re
from collections.abc import Iterable, Iterator
from datetime import UTC
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.db.models import Max, Prefetch
from django.utils import timezone

from blog.models import Author, ContentWarning, Essay, Topic
from comments.models import Comment

WXR_VERSION = "1.2"
WP = "http://wordpress.org/export/1.2/"
WARNING_TAG_PREFIX = "TW: "
COMMENT_APPROVED = {
    Comment.Status.APPROVED: "1",
    Comment.Status.PENDING: "0",
    Comment.Status.SPAM: "spam",
    Comment.Status.REMOVED: "trash",
}
CHUNK = 200
# Characters XML 1.0 cannot carry at all, even in CDATA.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def cdata(value: str) -> str:
    """Text as CDATA; a "]]>" inside is split across two sections so it cannot end one."""
    value = NOT_XML.sub("", value or "")
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text(value) -> str:
    return escape(NOT_XML.sub("", str(value or "")))


def wp_date(when) -> tuple[str, str]:
    """WordPress's two dates: the site's local time and GMT."""
    shape = "%Y-%m-%d %H:%M:%S"
    return timezone.localtime(when).strftime(shape), when.astimezone(UTC).strftime(shape)


def site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def export_wxr() -> Iterator[str]:
    """The site as a WXR 1.2 document, in pieces to write one after another."""
    topics = _parents_first(list(Topic.objects.order_by("name")))
    warnings = list(ContentWarning.objects.order_by("name"))
    tag_ids = _tag_ids(topics, warnings)
    yield from _head(topics, warnings, tag_ids)
    # Attachments need ids of their own: WordPress's ids are shared by every post type.
    first_attachment = (Essay.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    comments = _comments()
    pending = next(comments, None)
    for essay in _essays():
        own = []
        while pending is not None and pending.essay_id <= essay.pk:
            if pending.essay_id == essay.pk:
                own.append(pending)
            pending = next(comments, None)
        image_id = first_attachment + essay.pk if essay.featured_image else None
        if image_id:
            yield _attachment(essay, image_id)
        yield _item(essay, own, image_id)
    yield "</channel>\n</rss>\n"


def _parents_first(topics: list[Topic]) -> list[Topic]:
    by_pk = {t.pk: t for t in topics}

    def depth(topic, seen=()):
        parent = by_pk.get(topic.parent_id)
        return 0 if parent is None or parent.pk in seen else 1 + depth(parent, (*seen, topic.pk))

    return sorted(topics, key=lambda t: (depth(t), t.name))


def _tag_ids(topics, warnings) -> dict[int, int]:
    """Term ids for the warnings' tags, after the topics' (WordPress's ids are shared by
    every taxonomy)."""
    first = max((t.pk for t in topics), default=0) + 1
    return {w.pk: first + n for n, w in enumerate(warnings)}


def _head(topics, warnings, tag_ids) -> Iterator[str]:
    url = site_url()
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<!-- A WordPress eXtended RSS file written by {text(settings.SITE_NAME)}: "
        "import it with WordPress's Tools > Import > WordPress. -->\n"
        '<rss version="2.0"\n'
        f'  xmlns:excerpt="{WP}excerpt/"\n'
        '  xmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        '  xmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
        '  xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        f'  xmlns:wp="{WP}">\n'
        "<channel>\n"
        f"<title>{text(settings.SITE_NAME)}</title>\n"
        f"<link>{text(url)}</link>\n"
        "<description></description>\n"
        f"<pubDate>{format_datetime(timezone.now())}</pubDate>\n"
        f"<language>{text(settings.LANGUAGE_CODE)}</language>\n"
        f"<wp:wxr_version>{WXR_VERSION}</wp:wxr_version>\n"
        f"<wp:base_site_url>{text(url)}</wp:base_site_url>\n"
        f"<wp:base_blog_url>{text(url)}</wp:base_blog_url>\n"
    )
    for author in Author.objects.order_by("pk"):
        yield (
            f"<wp:author><wp:author_id>{author.pk}</wp:author_id>"
            f"<wp:author_login>{cdata(author.slug)}</wp:author_login>"
            "<wp:author_email></wp:author_email>"
            f"<wp:author_display_name>{cdata(author.name)}</wp:author_display_name>"
            "<wp:author_first_name></wp:author_first_name>"
            "<wp:author_last_name></wp:author_last_name></wp:author>\n"
        )
    slugs = {t.pk: t.slug for t in topics}
    for topic in topics:
        yield (
            f"<wp:category><wp:term_id>{topic.pk}</wp:term_id>"
            f"<wp:category_nicename>{cdata(topic.slug)}</wp:category_nicename>"
            f"<wp:category_parent>{cdata(slugs.get(topic.parent_id, ''))}</wp:category_parent>"
            f"<wp:cat_name>{cdata(topic.name)}</wp:cat_name>"
            f"<wp:category_description>{cdata(topic.description)}</wp:category_description>"
            "</wp:category>\n"
        )
    for warning in warnings:
        yield (
            f"<wp:tag><wp:term_id>{tag_ids[warning.pk]}</wp:term_id>"
            f"<wp:tag_slug>{cdata(_tag_slug(warning))}</wp:tag_slug>"
            f"<wp:tag_name>{cdata(WARNING_TAG_PREFIX + warning.name)}</wp:tag_name>"
            f"<wp:tag_description>{cdata(warning.description)}</wp:tag_description>"
            "</wp:tag>\n"
        )


def _tag_slug(warning: ContentWarning) -> str:
    return f"tw-{warning.slug}"


def _essays() -> Iterable[Essay]:
    return (
        Essay.objects.order_by("pk")
        .with_warnings()
        .prefetch_related(
            Prefetch("authors", queryset=Author.objects.order_by("essayauthor__position", "pk")),
            Prefetch("topics", queryset=Topic.objects.order_by("name")),
        )
        .iterator(chunk_size=CHUNK)
    )


def _comments() -> Iterator[Comment]:
    """Every comment, essay by essay, each thread parents first."""
    return Comment.objects.order_by("essay_id", "path").iterator(chunk_size=CHUNK * 10)


def _status(essay: Essay) -> str:
    if essay.status == Essay.Status.DRAFT:
        return "draft"
    return "future" if essay.is_scheduled else "publish"


def _content(essay: Essay) -> str:
    """The warnings as a leading paragraph block, then the body as a Custom HTML block."""
    parts = []
    if line := essay.warning_line():
        parts.append(f"<!-- wp:paragraph -->\n<p>{escape(line)}</p>\n<!-- /wp:paragraph -->")
    parts.append(f"<!-- wp:html -->\n{essay.body_html}\n<!-- /wp:html -->")
    return "\n\n".join(parts)


def _absolute(url: str) -> str:
    return site_url() + url if url.startswith("/") else url


def _meta(key: str, value) -> str:
    return (
        f"<wp:postmeta><wp:meta_key>{cdata(key)}</wp:meta_key>"
        f"<wp:meta_value>{cdata(str(value))}</wp:meta_value></wp:postmeta>"
    )


def _attachment(essay: Essay, image_id: int) -> str:
    """The essay's featured image as WordPress keeps one: an attachment post."""
    url = _absolute(essay.featured_image.url)
    local, gmt = wp_date(essay.published_at)
    name = essay.featured_image.name
    lines = [
        "<item>",
        f"<title>{text(name.rsplit('/', 1)[-1])}</title>",
        f"<link>{text(url)}</link>",
        f'<guid isPermaLink="false">{text(url)}</guid>',
        f"<wp:post_id>{image_id}</wp:post_id>",
        f"<wp:post_date>{local}</wp:post_date>",
        f"<wp:post_date_gmt>{gmt}</wp:post_date_gmt>",
        "<wp:comment_status>closed</wp:comment_status>",
        "<wp:status>inherit</wp:status>",
        f"<wp:post_parent>{essay.pk}</wp:post_parent>",
        "<wp:post_type>attachment</wp:post_type>",
        f"<wp:attachment_url>{text(url)}</wp:attachment_url>",
        _meta("_wp_attached_file", name),
        _meta("_wp_attachment_image_alt", essay.featured_image_alt),
        "</item>\n",
    ]
    return "\n".join(lines)


def _item(essay: Essay, comments: list[Comment], image_id: int | None = None) -> str:
    url = site_url() + essay.get_absolute_url()
    local, gmt = wp_date(essay.published_at)
    authors = essay.author_list()
    terms = [
        f'<category domain="category" nicename={quoteattr(t.slug)}>{cdata(t.name)}</category>'
        for t in essay.topic_list()
    ] + [
        f'<category domain="post_tag" nicename={quoteattr(_tag_slug(w))}>'
        f"{cdata(WARNING_TAG_PREFIX + w.name)}</category>"
        for w in essay.warning_list()
    ]
    lines = [
        "<item>",
        f"<title>{text(essay.title)}</title>",
        f"<link>{text(url)}</link>",
        f"<pubDate>{format_datetime(essay.published_at)}</pubDate>",
        f"<dc:creator>{cdata(authors[0].slug if authors else '')}</dc:creator>",
        f'<guid isPermaLink="false">{text(url)}</guid>',
        "<description></description>",
        f"<content:encoded>{cdata(_content(essay))}</content:encoded>",
        f"<excerpt:encoded>{cdata(essay.summary)}</excerpt:encoded>",
        f"<wp:post_id>{essay.pk}</wp:post_id>",
        f"<wp:post_date>{local}</wp:post_date>",
        f"<wp:post_date_gmt>{gmt}</wp:post_date_gmt>",
        f"<wp:post_modified>{wp_date(essay.updated_at)[0]}</wp:post_modified>",
        f"<wp:post_modified_gmt>{wp_date(essay.updated_at)[1]}</wp:post_modified_gmt>",
        f"<wp:comment_status>{'open' if essay.comments_open else 'closed'}</wp:comment_status>",
        "<wp:ping_status>closed</wp:ping_status>",
        f"<wp:post_name>{cdata(essay.slug)}</wp:post_name>",
        f"<wp:status>{_status(essay)}</wp:status>",
        "<wp:post_parent>0</wp:post_parent>",
        "<wp:menu_order>0</wp:menu_order>",
        "<wp:post_type>post</wp:post_type>",
        "<wp:post_password></wp:post_password>",
        "<wp:is_sticky>0</wp:is_sticky>",
        *terms,
        *([_meta("_thumbnail_id", image_id)] if image_id else []),
        *(_comment(c) for c in comments),
        "</item>\n",
    ]
    return "\n".join(lines)


def _comment(comment: Comment) -> str:
    local, gmt = wp_date(comment.created_at)
    return (
        "<wp:comment>"
        f"<wp:comment_id>{comment.pk}</wp:comment_id>"
        f"<wp:comment_author>{cdata(comment.author_name)}</wp:comment_author>"
        f"<wp:comment_author_email>{text(comment.author_email)}</wp:comment_author_email>"
        f"<wp:comment_author_url>{text(comment.author_url)}</wp:comment_author_url>"
        f"<wp:comment_author_IP>{text(comment.ip_address)}</wp:comment_author_IP>"
        f"<wp:comment_date>{local}</wp:comment_date>"
        f"<wp:comment_date_gmt>{gmt}</wp:comment_date_gmt>"
        f"<wp:comment_content>{cdata(comment.body)}</wp:comment_content>"
        f"<wp:comment_approved>{COMMENT_APPROVED[comment.status]}</wp:comment_approved>"
        "<wp:comment_type>comment</wp:comment_type>"
        f"<wp:comment_parent>{comment.parent_id or 0}</wp:comment_parent>"
        "<wp:comment_user_id>0</wp:comment_user_id>"
        "</wp:comment>"
    )
