"""Small WXR files written by the tests: a channel, posts and their comments."""

from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

# The project's shared folder sits beside the repository (here and in CI).
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
THEME_EXPORT = SHARED_DATA / "wxr" / "themeunittestdata.wordpress.xml"
NAMESPACES = (
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"'
)
AUTHOR = (
    "<wp:author><wp:author_login>writer</wp:author_login>"
    "<wp:author_display_name><![CDATA[Ana Writer]]></wp:author_display_name></wp:author>"
)


@dataclass
class WPComment:
    comment_id: int
    content: str = "A reply."
    parent: int = 0
    approved: str = "1"
    comment_type: str = ""
    author: str = "Reader"
    email: str = "reader@example.org"
    url: str = ""
    ip: str = "203.0.113.9"
    date_gmt: str = "2020-01-02 10:00:00"
    date: str = "2020-01-02 12:00:00"

    def xml(self) -> str:
        return f"""
  <wp:comment>
    <wp:comment_id>{self.comment_id}</wp:comment_id>
    <wp:comment_author><![CDATA[{self.author}]]></wp:comment_author>
    <wp:comment_author_email>{escape(self.email)}</wp:comment_author_email>
    <wp:comment_author_url>{escape(self.url)}</wp:comment_author_url>
    <wp:comment_author_IP>{self.ip}</wp:comment_author_IP>
    <wp:comment_date>{self.date}</wp:comment_date>
    <wp:comment_date_gmt>{self.date_gmt}</wp:comment_date_gmt>
    <wp:comment_content><![CDATA[{self.content}]]></wp:comment_content>
    <wp:comment_approved>{self.approved}</wp:comment_approved>
    <wp:comment_type>{self.comment_type}</wp:comment_type>
    <wp:comment_parent>{self.parent}</wp:comment_parent>
    <wp:comment_user_id>0</wp:comment_user_id>
  </wp:comment>"""


@dataclass
class WPPost:
    post_id: int
    title: str = "A post"
    content: str = "First paragraph.\n\nSecond paragraph."
    excerpt: str = ""
    name: str = ""
    status: str = "publish"
    post_type: str = "post"
    date_gmt: str = "2020-01-01 09:00:00"
    date: str = "2020-01-01 11:00:00"
    comment_status: str = "open"
    creator: str = "writer"
    password: str = ""
    terms: list[tuple[str, str, str]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    comments: list[WPComment] = field(default_factory=list)

    def xml(self) -> str:
        terms = "".join(
            f'\n  <category domain="{d}" nicename="{s}"><![CDATA[{n}]]></category>'
            for d, s, n in self.terms
        )
        meta = "".join(
            f"\n  <wp:postmeta><wp:meta_key>{k}</wp:meta_key>"
            f"<wp:meta_value><![CDATA[{v}]]></wp:meta_value></wp:postmeta>"
            for k, v in self.meta.items()
        )
        comments = "".join(c.xml() for c in self.comments)
        return f"""
<item>
  <title>{escape(self.title)}</title>
  <link>https://old.example.org/?p={self.post_id}</link>
  <dc:creator><![CDATA[{self.creator}]]></dc:creator>
  <content:encoded><![CDATA[{self.content}]]></content:encoded>
  <excerpt:encoded><![CDATA[{self.excerpt}]]></excerpt:encoded>
  <wp:post_id>{self.post_id}</wp:post_id>
  <wp:post_date>{self.date}</wp:post_date>
  <wp:post_date_gmt>{self.date_gmt}</wp:post_date_gmt>
  <wp:comment_status>{self.comment_status}</wp:comment_status>
  <wp:post_name>{self.name}</wp:post_name>
  <wp:status>{self.status}</wp:status>
  <wp:post_type>{self.post_type}</wp:post_type>
  <wp:post_password>{escape(self.password)}</wp:post_password>{terms}{meta}{comments}
</item>"""


def export_xml(
    *items: WPPost,
    namespace: str = "http://wordpress.org/export/1.1/",
    version: str = "1.1",
    site: str = "https://old.example.org",
    channel_extra: str = "",
) -> str:
    excerpt_ns = namespace + "excerpt/"
    body = "".join(item.xml() for item in items)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="{excerpt_ns}" {NAMESPACES} xmlns:wp="{namespace}">
<channel>
<title>Old site</title>
<link>{site}</link>
<wp:wxr_version>{version}</wp:wxr_version>
<wp:base_site_url>{site}</wp:base_site_url>
<wp:base_blog_url>{site}</wp:base_blog_url>
{AUTHOR}
{channel_extra}{body}
</channel>
</rss>
"""


def write_export(tmp_path, *items: WPPost, name="export.xml", **options) -> Path:
    path = tmp_path / name
    path.write_text(export_xml(*items, **options), encoding="utf-8")
    return path


def category(term_id, slug, name, *, parent=""):
    return (
        f"<wp:category><wp:term_id>{term_id}</wp:term_id>"
        f"<wp:category_nicename>{slug}</wp:category_nicename>"
        f"<wp:category_parent>{parent}</wp:category_parent>"
        f"<wp:cat_name><![CDATA[{name}]]></wp:cat_name></wp:category>"
    )


def tag(term_id, slug, name):
    return (
        f"<wp:tag><wp:term_id>{term_id}</wp:term_id><wp:tag_slug>{slug}</wp:tag_slug>"
        f"<wp:tag_name><![CDATA[{name}]]></wp:tag_name></wp:tag>"
    )
