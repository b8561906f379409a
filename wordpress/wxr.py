"""Reading WordPress eXtended RSS (WXR) exports, streamed, with entities and the network off.

An export can be hundreds of megabytes, so it is read element by element with lxml's
iterparse and each item is cleared once read: memory holds one item, not the file. The
`wp:` namespace is taken from the document itself: WordPress writes
http://wordpress.org/export/1.2/, other exporters (WordPress.com, the theme test data)
https://, and older sites 1.0 or 1.1. Any problem with the file is a WXRError whose message
an editor can act on; nothing else escapes from here.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

SUPPORTED_VERSIONS = ("1.0", "1.1", "1.2")
WP_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/(\d+\.\d+)/$")
EXCERPT_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/excerpt/$")
CONTENT_NAMESPACE = "http://purl.org/rss/1.0/modules/content/"
DC_NAMESPACE = "http://purl.org/dc/elements/1.1/"
NO_DATE = "0000-00-00 00:00:00"


class WXRError(Exception):
    """The file cannot be imported; the message says why (and where, when known)."""

    def __init__(self, message: str, *, line: int | None = None):
        super().__init__(f"{message} (line {line})" if line else message)
        self.line = line


@dataclass
class Author:
    login: str
    display_name: str
    email: str = ""


@dataclass
class Term:
    """A category or tag of the export (other taxonomies are counted, not kept)."""

    taxonomy: str  # "category" or "post_tag"
    term_id: str
    slug: str
    name: str
    parent_slug: str = ""
    description: str = ""


@dataclass
class Comment:
    comment_id: int
    parent_id: int
    author: str
    author_email: str
    author_url: str
    author_ip: str
    date: str
    date_gmt: str
    content: str
    approved: str
    comment_type: str


@dataclass
class Item:
    """One `<item>`: a post, page, attachment, menu item or anything a plugin adds."""

    post_id: int
    post_type: str
    title: str
    link: str
    creator: str
    content: str
    excerpt: str
    post_date: str
    post_date_gmt: str
    comment_status: str
    post_name: str
    status: str
    post_password: str = ""
    attachment_url: str = ""
    terms: list[tuple[str, str, str]] = field(default_factory=list)  # (domain, slug, name)
    meta: dict[str, str] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)
    line: int | None = None


@dataclass
class Channel:
    """What the export says about its site, read before the first item."""

    version: str
    site_url: str = ""
    title: str = ""
    authors: list[Author] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    other_terms: int = 0  # wp:term entries of taxonomies the site has no place for


def parse_date(value: str) -> datetime | None:
    """A WXR "YYYY-MM-DD HH:MM:SS" GMT date as an aware datetime; None when it is empty,
    0000-00-00 00:00:00 (WordPress's "none", as on drafts) or not a date."""
    value = (value or "").strip()
    if not value or value.startswith("0000-00-00"):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


class _Names:
    """Qualified tag names of the namespaces this document declared."""

    def __init__(self, wp: str, excerpt: str):
        self.wp = wp
        self.excerpt = excerpt

    def wp_tag(self, name: str) -> str:
        return f"{{{self.wp}}}{name}"


def _text(element, tag: str) -> str:
    return (element.findtext(tag) or "") if element is not None else ""


def _refuse_entity_declarations(root) -> None:
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise WXRError(
            "The file declares XML entities in a DOCTYPE, which a WordPress export never "
            "does (it is how XML bombs and external-entity attacks work), so it was refused."
        )


def _names_from(namespaces: dict[str, str], line: int | None) -> tuple[_Names, str]:
    wp = next((uri for uri in namespaces.values() if WP_NAMESPACE.match(uri)), None)
    if wp is None:
        raise WXRError(
            "This is not a WordPress export: it declares no WordPress (WXR) namespace such "
            "as http://wordpress.org/export/1.2/. Export from Tools > Export in WordPress.",
            line=line,
        )
    version = WP_NAMESPACE.match(wp).group(1)
    if version not in SUPPORTED_VERSIONS:
        raise WXRError(
            f"WXR version {version} is not supported (versions "
            f"{', '.join(SUPPORTED_VERSIONS)} are).",
            line=line,
        )
    excerpt = next((uri for uri in namespaces.values() if EXCERPT_NAMESPACE.match(uri)), "")
    return _Names(wp, excerpt), version


def _author(element, names: _Names) -> Author:
    return Author(
        login=_text(element, names.wp_tag("author_login")).strip(),
        display_name=_text(element, names.wp_tag("author_display_name")).strip(),
        email=_text(element, names.wp_tag("author_email")).strip(),
    )


def _category(element, names: _Names) -> Term:
    return Term(
        taxonomy="category",
        term_id=_text(element, names.wp_tag("term_id")).strip(),
        slug=_text(element, names.wp_tag("category_nicename")).strip(),
        name=_text(element, names.wp_tag("cat_name")).strip(),
        parent_slug=_text(element, names.wp_tag("category_parent")).strip(),
        description=_text(element, names.wp_tag("category_description")).strip(),
    )


def _tag(element, names: _Names) -> Term:
    return Term(
        taxonomy="post_tag",
        term_id=_text(element, names.wp_tag("term_id")).strip(),
        slug=_text(element, names.wp_tag("tag_slug")).strip(),
        name=_text(element, names.wp_tag("tag_name")).strip(),
        description=_text(element, names.wp_tag("tag_description")).strip(),
    )


def _term(element, names: _Names) -> Term | None:
    """A generic wp:term; only categories and tags are kept."""
    taxonomy = _text(element, names.wp_tag("term_taxonomy")).strip()
    if taxonomy not in ("category", "post_tag"):
        return None
    return Term(
        taxonomy=taxonomy,
        term_id=_text(element, names.wp_tag("term_id")).strip(),
        slug=_text(element, names.wp_tag("term_slug")).strip(),
        name=_text(element, names.wp_tag("term_name")).strip(),
        parent_slug=_text(element, names.wp_tag("term_parent")).strip(),
        description=_text(element, names.wp_tag("term_description")).strip(),
    )


def _number(value: str) -> int:
    try:
        return int((value or "0").strip())
    except ValueError:
        return 0


def _comment(element, names: _Names) -> Comment:
    def wp(name):
        return _text(element, names.wp_tag(name))

    return Comment(
        comment_id=_number(wp("comment_id")),
        parent_id=_number(wp("comment_parent")),
        author=wp("comment_author").strip(),
        author_email=wp("comment_author_email").strip(),
        author_url=wp("comment_author_url").strip(),
        author_ip=wp("comment_author_IP").strip(),
        date=wp("comment_date").strip(),
        date_gmt=wp("comment_date_gmt").strip(),
        content=wp("comment_content"),
        approved=wp("comment_approved").strip(),
        comment_type=wp("comment_type").strip(),
    )


def _item(element, names: _Names) -> Item:
    def wp(name):
        return _text(element, names.wp_tag(name))

    item = Item(
        post_id=_number(wp("post_id")),
        post_type=wp("post_type").strip(),
        title=_text(element, "title"),
        link=_text(element, "link").strip(),
        creator=_text(element, f"{{{DC_NAMESPACE}}}creator"),
        content=_text(element, f"{{{CONTENT_NAMESPACE}}}encoded"),
        excerpt=_text(element, f"{{{names.excerpt}}}encoded") if names.excerpt else "",
        post_date=wp("post_date").strip(),
        post_date_gmt=wp("post_date_gmt").strip(),
        comment_status=wp("comment_status").strip(),
        post_name=wp("post_name").strip(),
        status=wp("status").strip(),
        post_password=wp("post_password"),
        attachment_url=wp("attachment_url").strip(),
        line=element.sourceline,
    )
    for category in element.iterfind("category"):
        item.terms.append(
            (category.get("domain", ""), category.get("nicename", ""), category.text or "")
        )
    for meta in element.iterfind(names.wp_tag("postmeta")):
        key = _text(meta, names.wp_tag("meta_key")).strip()
        item.meta[key] = _text(meta, names.wp_tag("meta_value"))
    item.comments = [_comment(c, names) for c in element.iterfind(names.wp_tag("comment"))]
    return item


def _forget(element) -> None:
    """Free an element read to the end, and the siblings before it."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _line_count(source) -> int | None:
    """How many lines a file has (read again only when it proved broken)."""
    try:
        with open(source, "rb") as f:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b"")) + 1
    except (OSError, TypeError):
        return None


def _syntax_error(exc: etree.XMLSyntaxError, source) -> WXRError:
    message = str(exc.msg or exc)
    line = exc.lineno or None
    if "no element found" in message or "Document is empty" in message:
        return WXRError("The file is empty: it holds no XML.")
    if "Start tag expected" in message:
        return WXRError("This is not a WordPress export: it is not XML at all.", line=line)
    lines = _line_count(source)
    if line and lines and line >= lines - 1:
        return WXRError(f"The file ends too early; it looks cut short ({message})", line=line)
    if "entity" in message.lower() or "amplification" in message.lower():
        return WXRError(f"The file was refused: {message}", line=line)
    return WXRError(f"The file is not well-formed XML: {message}", line=line)


def read_wxr(source) -> Iterator[Channel | Item]:
    """Yield the export's Channel (once, before the first item) and then each Item.

    `source` is a path or a binary file object.
    """
    events = etree.iterparse(
        source,
        events=("start-ns", "start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        yield from _walk(events)
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, source) from None
    except OSError as exc:
        raise WXRError(f"The file cannot be read: {exc}") from None


def _walk(events) -> Iterator[Channel | Item]:
    namespaces: dict[str, str] = {}
    names: _Names | None = None
    channel: Channel | None = None
    announced = False
    depth = 0
    for event, value in events:
        if event == "start-ns":
            prefix, uri = value
            namespaces[prefix] = uri
            continue
        element = value
        if event == "start":
            depth += 1
            if depth == 1:
                _refuse_entity_declarations(element)
                if etree.QName(element).localname != "rss":
                    raise WXRError(
                        "This is not a WordPress export: its root element is "
                        f"<{etree.QName(element).localname}>, not <rss>.",
                        line=element.sourceline,
                    )
                names, version = _names_from(namespaces, element.sourceline)
                channel = Channel(version=version)
            continue
        depth -= 1
        if names is None or channel is None:
            continue
        tag = element.tag
        if depth == 2 and tag == "item":
            if not announced:
                announced = True
                yield channel
            yield _item(element, names)
            _forget(element)
        elif depth == 2:
            _read_channel_field(channel, element, names)
            _forget(element)
    if channel is None:
        raise WXRError("The file is empty or holds no XML.")
    if not announced:
        yield channel


def _read_channel_field(channel: Channel, element, names: _Names) -> None:
    tag = element.tag
    if tag == names.wp_tag("wxr_version"):
        declared = (element.text or "").strip()
        if declared and declared not in SUPPORTED_VERSIONS:
            raise WXRError(
                f"WXR version {declared} is not supported (versions "
                f"{', '.join(SUPPORTED_VERSIONS)} are).",
                line=element.sourceline,
            )
        channel.version = declared or channel.version
    elif tag == names.wp_tag("base_blog_url"):
        channel.site_url = (element.text or "").strip() or channel.site_url
    elif tag == "link" and not channel.site_url:
        channel.site_url = (element.text or "").strip()
    elif tag == "title":
        channel.title = (element.text or "").strip()
    elif tag == names.wp_tag("author"):
        channel.authors.append(_author(element, names))
    elif tag == names.wp_tag("category"):
        channel.terms.append(_category(element, names))
    elif tag == names.wp_tag("tag"):
        channel.terms.append(_tag(element, names))
    elif tag == names.wp_tag("term"):
        term = _term(element, names)
        if term is None:
            channel.other_terms += 1
        else:
            channel.terms.append(term)
