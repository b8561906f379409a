"""The WordPress export: a WXR 1.2 file of essays, topics, warnings and comments, and the
round trip through it (import, export, import into an empty site, compare)."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from lxml import etree
from PIL import Image

from blog.models import Author, ContentWarning, Essay, Topic
from comments.models import Comment
from moderation.models import Decision
from tests.factories import make_comment, make_essay, make_topic, make_warning
from tests.wordpress.exports import THEME_EXPORT, WPComment, WPPost, category, tag, write_export
from wordpress.export import cdata, export_wxr
from wordpress.importer import import_wordpress
from wordpress.models import ImportedObject
from wordpress.wxr import Channel, Item, read_wxr

pytestmark = pytest.mark.django_db
WP = "{http://wordpress.org/export/1.2/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


def exported() -> str:
    return "".join(export_wxr())


def parse(xml: str):
    return etree.fromstring(xml.encode())


def write(tmp_path, name="site.xml"):
    path = tmp_path / name
    path.write_text(exported(), encoding="utf-8")
    return path


def test_the_channel_names_the_version_the_site_and_its_terms(settings):
    settings.SITE_URL = "https://essays.example.org"
    grief = make_topic("Grief", slug="grief")
    make_topic("Loss", slug="loss", parent=grief)
    make_warning("Sexual violence", slug="sexual-violence")
    make_essay(byline="Ana Ruiz")
    channel = parse(exported()).find("channel")
    assert channel.findtext(f"{WP}wxr_version") == "1.2"
    assert channel.findtext(f"{WP}base_site_url") == "https://essays.example.org"
    author = channel.find(f"{WP}author")
    assert author.findtext(f"{WP}author_display_name") == "Ana Ruiz"
    categories = [
        (c.findtext(f"{WP}category_nicename"), c.findtext(f"{WP}category_parent"))
        for c in channel.iter(f"{WP}category")
    ]
    assert categories == [("grief", ""), ("loss", "grief")]  # parents first
    tags = [t.findtext(f"{WP}tag_name") for t in channel.iter(f"{WP}tag")]
    assert tags == ["TW: Sexual violence"]


def test_an_essay_carries_its_warning_line_dates_status_and_terms(settings):
    settings.TIME_ZONE = "Europe/London"
    violence = make_warning("Sexual violence")
    health = make_warning("Mental health")
    essay = make_essay(
        "On silence", slug="on-silence", warnings=[violence, health],
        topics=[make_topic("Grief", slug="grief")], summary="Why it is hard to say.",
        published_at=datetime(2017, 7, 3, 8, 30, tzinfo=UTC), comments_open=False,
    )  # fmt: skip
    item = parse(exported()).find("channel/item")
    content = item.findtext(CONTENT)
    assert "<p>Content warning: Mental health and sexual violence.</p>" in content
    assert content.index("Content warning") < content.index(essay.body_html[:20])
    assert item.findtext("{http://wordpress.org/export/1.2/excerpt/}encoded") == essay.summary
    assert item.findtext(f"{WP}post_date") == "2017-07-03 09:30:00"  # summer time
    assert item.findtext(f"{WP}post_date_gmt") == "2017-07-03 08:30:00"
    assert item.findtext(f"{WP}status") == "publish"
    assert item.findtext(f"{WP}comment_status") == "closed"
    assert item.findtext(f"{WP}post_name") == "on-silence"
    terms = {(c.get("domain"), c.get("nicename"), c.text) for c in item.iter("category")}
    assert ("category", "grief", "Grief") in terms
    assert ("post_tag", f"tw-{violence.slug}", "TW: Sexual violence") in terms


def test_statuses_of_essays_and_comments():
    make_essay(slug="draft", status=Essay.Status.DRAFT)
    make_essay(slug="soon", published_at=timezone.now() + timedelta(days=3))
    essay = make_essay(slug="live")
    first = make_comment(essay, ip_address="203.0.113.5", author_email="a@example.org")
    make_comment(essay, parent=first, status="pending")
    make_comment(essay, status="spam")
    make_comment(essay, status="removed")
    items = {i.findtext(f"{WP}post_name"): i for i in parse(exported()).iter("item")}
    assert {k: i.findtext(f"{WP}status") for k, i in items.items()} == {
        "draft": "draft", "soon": "future", "live": "publish",
    }  # fmt: skip
    comments = [
        {
            name: c.findtext(f"{WP}comment_{name}")
            for name in ("id", "parent", "approved", "author_IP", "author_email", "type")
        }
        for c in items["live"].iter(f"{WP}comment")
    ]
    assert [c["approved"] for c in comments] == ["1", "0", "spam", "trash"]
    assert comments[1]["parent"] == str(first.pk) and comments[0]["parent"] == "0"
    assert comments[0]["author_IP"] == "203.0.113.5"
    assert comments[0]["author_email"] == "a@example.org"
    assert {c["type"] for c in comments} == {"comment"}


def test_cdata_is_split_where_the_text_would_end_it():
    assert cdata("a]]>b") == "<![CDATA[a]]]]><![CDATA[>b]]>"
    essay = make_essay(slug="odd")
    make_comment(essay, body="Arrays: x[y[0]]> 1, and a \x01 control character")
    parsed = parse(exported())
    content = parsed.find(f"channel/item/{WP}comment/{WP}comment_content").text
    assert content == "Arrays: x[y[0]]> 1, and a  control character"


def test_the_export_streams_with_a_fixed_number_of_queries(django_assert_max_num_queries):
    for n in range(12):
        essay = make_essay(slug=f"essay-n{n}", topics=[make_topic()], warnings=[make_warning()])
        make_comment(essay)
    pieces = export_wxr()
    assert not isinstance(pieces, list | str)  # a generator: written as it goes
    with django_assert_max_num_queries(9):
        items = sum(piece.startswith("<item>") for piece in pieces)
    assert items == 12


def test_the_command_writes_to_stdout_or_a_file(tmp_path):
    make_essay(slug="one")
    out = io.StringIO()
    call_command("export_wordpress", stdout=out)
    assert parse(out.getvalue()).find("channel/item") is not None
    target = tmp_path / "site.xml"
    call_command("export_wordpress", "--output", str(target), stderr=io.StringIO())
    assert parse(target.read_text(encoding="utf-8")).find("channel/item") is not None
    with pytest.raises(CommandError, match="cannot write"):
        call_command("export_wordpress", "--output", str(tmp_path / "no" / "such.xml"))


# Round trip -------------------------------------------------------------------------------


def empty_the_site():
    """What an import makes, gone: as in a new, empty database."""
    Decision.objects.all().delete()
    for depth in sorted(set(Comment.objects.values_list("depth", flat=True)), reverse=True):
        Comment.objects.filter(depth=depth).delete()
    Essay.objects.all().delete()
    Author.objects.all().delete()
    Topic.objects.all().delete()
    ContentWarning.objects.all().delete()
    ImportedObject.objects.all().delete()


def snapshot():
    """What readers and moderators see of the site, without our ids."""
    essays = {}
    for essay in Essay.objects.all():
        essays[essay.slug] = {
            "title": essay.title,
            # the importer folds runs of spaces (and no-break spaces) in an excerpt
            "summary": " ".join(essay.summary.split()),
            "status": essay.status,
            "published_at": essay.published_at,
            "comments_open": essay.comments_open,
            "body_text": essay.body_text,
            "warnings": sorted(w.name for w in essay.warnings.all()),
            "topics": sorted(t.name for t in essay.topics.all()),
            "authors": essay.author_names(),
        }

    def who(comment):
        return comment and (comment.author_name, comment.body)

    comments = sorted(
        (
            c.essay.slug,
            who(c),
            who(c.parent),
            c.status,
            c.created_at,
            c.author_email,
            c.author_url,
            c.ip_address,
        )  # fmt: skip
        for c in Comment.objects.select_related("essay", "parent")
    )
    topics = sorted(
        (t.name, t.slug, t.parent.name if t.parent else None) for t in Topic.objects.all()
    )
    warnings = sorted(ContentWarning.objects.values_list("name", flat=True))
    return {"essays": essays, "comments": comments, "topics": topics, "warnings": warnings}


def old_site_export(tmp_path):
    """A small old site: warnings in a line and in a tag, nested categories, a thread with
    every status, a reply listed before its parent, a draft and a scheduled post."""
    thread = [
        WPComment(3, content="Deeper, <em>and</em> listed first.", parent=2),
        WPComment(1, content="A first comment.", author="Ann", date_gmt="2020-01-02 09:00:00"),
        WPComment(2, content="A reply.", parent=1, approved="0", ip="2001:db8::1"),
        WPComment(4, content="Buy things", approved="spam", url="https://spam.example"),
        WPComment(5, content="Removed words.", approved="trash"),
        WPComment(6, content="A ping", comment_type="pingback"),
    ]
    posts = [
        WPPost(
            10, title="On silence", name="on-silence", excerpt="Why it is hard to say.",
            content="Trigger Warning: Sexual violence, rape, and mental health\n\nOne.\n\nTwo.",
            terms=[("category", "loss", "Loss"), ("post_tag", "tw-self-harm", "TW: Self-harm"),
                   ("post_tag", "letters", "Letters")],
            comments=thread,
        ),
        WPPost(11, title="Later", name="later", status="future",
               date_gmt="2099-05-01 08:00:00", comment_status="closed"),
        WPPost(12, title="Unfinished", name="unfinished", status="draft",
               content="Content note: this one talks about a death in the family.\n\nText."),
    ]  # fmt: skip
    terms = (
        category(1, "grief", "Grief")
        + category(2, "loss", "Loss", parent="grief")
        + tag(3, "tw-self-harm", "TW: Self-harm")
        + tag(4, "letters", "Letters")
    )
    return write_export(tmp_path, *posts, channel_extra=terms)


def test_import_export_and_import_again_keeps_the_site(tmp_path):
    import_wordpress(old_site_export(tmp_path))
    before = snapshot()
    assert len(before["essays"]) == 3 and len(before["comments"]) == 5
    assert {c[3] for c in before["comments"]} == {"approved", "pending", "spam", "removed"}
    assert before["warnings"] == ["Mental health", "Rape", "Self-harm", "Sexual violence"]
    export = write(tmp_path)
    empty_the_site()
    assert snapshot()["essays"] == {}
    report = import_wordpress(export)
    assert report.site_url == "http://127.0.0.1:8000"
    assert report.essays_skipped == [] and report.comments_skipped == []
    after = snapshot()
    assert after == before


def test_a_second_export_of_the_round_trip_is_the_same_file(tmp_path):
    import_wordpress(old_site_export(tmp_path))
    first = write(tmp_path, "first.xml")
    empty_the_site()
    import_wordpress(first)
    second = write(tmp_path, "second.xml")
    kinds = [type(x).__name__ for x in read_wxr(second)]
    assert kinds.count("Item") == 3 and kinds[0] == "Channel"
    items = [x for x in read_wxr(second) if isinstance(x, Item)]
    originals = [x for x in read_wxr(first) if isinstance(x, Item)]
    assert [(i.title, i.post_name, i.status, i.post_date_gmt) for i in items] == [
        (i.title, i.post_name, i.status, i.post_date_gmt) for i in originals
    ]
    assert [len(i.comments) for i in items] == [len(i.comments) for i in originals]
    # the same markup; only blank lines where the import took the block comments out
    assert [i.content.split() for i in items] == [i.content.split() for i in originals]


@pytest.mark.skipif(not THEME_EXPORT.is_file(), reason=f"{THEME_EXPORT} is not here")
def test_the_theme_test_export_survives_the_round_trip(tmp_path):
    import_wordpress(THEME_EXPORT)
    before = snapshot()
    export = write(tmp_path)
    channel = next(x for x in read_wxr(export) if isinstance(x, Channel))
    assert channel.version == "1.2"
    empty_the_site()
    import_wordpress(export)
    after = snapshot()
    assert after["essays"].keys() == before["essays"].keys()
    assert after == before


def test_a_featured_image_goes_out_as_an_attachment_and_comes_back(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), "navy").save(buffer, format="PNG")
    essay = make_essay(slug="with-image", featured_image_alt="A quiet shoreline")
    essay.featured_image.save("shore.png", ContentFile(buffer.getvalue()))
    channel = parse(exported()).find("channel")
    attachment, post = channel.findall("item")
    assert attachment.findtext(f"{WP}post_type") == "attachment"
    url = attachment.findtext(f"{WP}attachment_url")
    assert url.startswith(settings.SITE_URL) and url.endswith(".png")
    meta = {
        m.findtext(f"{WP}meta_key"): m.findtext(f"{WP}meta_value")
        for item in (attachment, post)
        for m in item.iter(f"{WP}postmeta")
    }
    assert meta["_wp_attachment_image_alt"] == "A quiet shoreline"
    assert meta["_thumbnail_id"] == attachment.findtext(f"{WP}post_id")
    export = write(tmp_path)
    empty_the_site()
    import_wordpress(export, media_dir=settings.MEDIA_ROOT)
    again = Essay.objects.get()
    assert again.featured_image_alt == "A quiet shoreline" and again.featured_image
