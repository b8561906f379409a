"""Importing small exports: statuses, threads, dates, warnings, re-runs and bad files."""

import io
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from PIL import Image

from blog.models import ContentWarning, Essay, Topic
from comments.models import Comment
from comments.signals import comment_submitted
from moderation.models import Decision
from moderation.services import mark_ham, mark_spam
from tests.factories import make_user, make_warning
from tests.moderation import clients
from tests.wordpress.exports import WPComment, WPPost, category, tag, write_export
from wordpress import importer
from wordpress.importer import ImportStopped, import_wordpress
from wordpress.models import ImportedObject, WarningSynonym

pytestmark = pytest.mark.django_db


def test_a_post_becomes_an_essay_with_its_html_body_dates_and_author(tmp_path):
    post = WPPost(
        10, title="On <em>silence</em>", name="on-silence", content="One.\n\nTwo.",
        date_gmt="2017-10-23 08:30:00", comment_status="closed",
    )  # fmt: skip
    report = import_wordpress(write_export(tmp_path, post))
    essay = Essay.objects.get()
    assert essay.title == "On silence"
    assert essay.slug == "on-silence"
    assert essay.body_format == Essay.BodyFormat.HTML
    assert essay.body_html == "<p>One.</p>\n\n<p>Two.</p>"
    assert essay.summary == "One."  # no excerpt: the first paragraph
    assert essay.published_at == datetime(2017, 10, 23, 8, 30, tzinfo=UTC)
    assert essay.status == Essay.Status.PUBLISHED and not essay.comments_open
    assert essay.author_names() == "Ana Writer"  # the login's display name
    assert report.essays_created == ["post 10 \u201cOn silence\u201d"]
    record = ImportedObject.objects.get(kind="essay")
    assert record.old_link == "https://old.example.org/?p=10"


def test_statuses_map_and_trash_is_skipped(tmp_path):
    posts = [
        WPPost(1, status="publish", name="a"),
        WPPost(2, status="future", name="b", date_gmt="2099-01-01 00:00:00"),
        WPPost(3, status="draft", name="c"),
        WPPost(4, status="private", name="d"),
        WPPost(5, status="trash", name="e"),
    ]
    report = import_wordpress(write_export(tmp_path, *posts))
    states = {e.slug: (e.status, e.is_scheduled) for e in Essay.objects.all()}
    assert states == {
        "a": ("published", False), "b": ("published", True), "c": ("draft", False),
        "d": ("draft", False),
    }  # fmt: skip
    assert [s.reason for s in report.essays_skipped] == ["in WordPress's trash"]


def test_zero_dates_mean_none_and_empty_slugs_come_from_the_title(tmp_path):
    post = WPPost(
        3, title="Draft thoughts", status="draft", name="",
        date_gmt="0000-00-00 00:00:00", date="2019-05-06 07:08:09",
    )  # fmt: skip
    import_wordpress(write_export(tmp_path, post))
    essay = Essay.objects.get()
    assert essay.slug == "draft-thoughts"
    assert essay.published_at == datetime(2019, 5, 6, 7, 8, 9, tzinfo=UTC)


def test_percent_encoded_and_taken_slugs_are_made_usable_and_unique(tmp_path):
    posts = [WPPost(1, name="caf%c3%a9"), WPPost(2, name="cafe"), WPPost(3, name="%ce%b5")]
    import_wordpress(write_export(tmp_path, *posts))
    assert sorted(Essay.objects.values_list("slug", flat=True)) == ["a-post", "cafe", "cafe-2"]


def test_a_password_protected_post_is_not_published(tmp_path):
    report = import_wordpress(write_export(tmp_path, WPPost(1, password="enter")))
    assert Essay.objects.get().status == Essay.Status.DRAFT
    assert any("password-protected" in note for note in report.notes)


def test_comment_statuses_map_to_ours_and_pings_are_skipped(tmp_path):
    post = WPPost(1, comments=[
        WPComment(1, approved="1"), WPComment(2, approved="0"), WPComment(3, approved="spam"),
        WPComment(4, approved="trash"), WPComment(5, approved="post-trashed"),
        WPComment(6, comment_type="pingback"), WPComment(7, comment_type="trackback"),
        WPComment(8, comment_type="comment"),
    ])  # fmt: skip
    report = import_wordpress(write_export(tmp_path, post))
    statuses = sorted(Comment.objects.values_list("status", flat=True))
    assert statuses == ["approved", "approved", "pending", "removed", "removed", "spam"]
    assert report.pings_skipped == 2
    assert report.comments_created == {"approved": 2, "pending": 1, "removed": 2, "spam": 1}
    pending = Comment.objects.get(status="pending")
    assert pending.decisions.get().step == Decision.Step.IMPORTED  # marked in the queue


def test_a_reply_listed_before_its_parent_keeps_its_real_parent(tmp_path):
    post = WPPost(1, comments=[
        WPComment(30, parent=20, content="grandchild", date_gmt="2020-01-03 00:00:00"),
        WPComment(20, parent=10, content="child", date_gmt="2020-01-02 00:00:00"),
        WPComment(10, content="root", date_gmt="2020-01-01 00:00:00"),
    ])  # fmt: skip
    import_wordpress(write_export(tmp_path, post))
    by_body = {c.body: c for c in Comment.objects.all()}
    assert by_body["grandchild"].parent == by_body["child"]
    assert by_body["child"].parent == by_body["root"]
    assert [c.body for c in Comment.objects.order_by("path")] == ["root", "child", "grandchild"]
    assert by_body["grandchild"].depth == 2


def test_a_chain_deeper_than_the_reply_limit_keeps_every_real_parent(tmp_path, settings):
    chain = [WPComment(n, parent=n - 1 if n > 1 else 0, content=f"level {n}") for n in range(1, 11)]
    import_wordpress(write_export(tmp_path, WPPost(1, comments=chain)))
    deepest = Comment.objects.get(body="level 10")
    assert deepest.depth == 9 > settings.COMMENTS_MAX_DEPTH
    assert deepest.parent.body == "level 9"


def test_comment_dates_come_from_gmt_and_people_details_are_kept(tmp_path):
    post = WPPost(1, comments=[WPComment(
        1, author="Zo&euml; &amp;amp; co", email="zoe@example.org", url="https://zoe.example",
        ip="198.51.100.7", date_gmt="2016-03-04 05:06:07", date="2016-03-04 15:06:07",
    )])  # fmt: skip
    import_wordpress(write_export(tmp_path, post))
    comment = Comment.objects.get()
    assert comment.created_at == datetime(2016, 3, 4, 5, 6, 7, tzinfo=UTC)
    assert comment.author_name == "Zo\u00eb &amp; co"  # decoded once, not twice
    assert (comment.author_email, comment.author_url) == ("zoe@example.org", "https://zoe.example")
    assert comment.ip_address == "198.51.100.7"


def test_html_outside_the_allowlist_becomes_text_and_long_bodies_stay_whole(tmp_path):
    long_text = "word " * 2000
    content = f"<h2>Heading</h2><table><tr><td>cell</td></tr></table><em>kept</em> {long_text}"
    import_wordpress(write_export(tmp_path, WPPost(1, comments=[WPComment(1, content=content)])))
    comment = Comment.objects.get()
    assert "Heading" in comment.body_html and "cell" in comment.body_html
    assert "<h2>" not in comment.body_html and "<table>" not in comment.body_html
    assert "<em>kept</em>" in comment.body_html
    assert len(comment.body) > 10_000


def test_imported_comments_are_never_screened_nor_sent_as_feedback(tmp_path, settings):
    settings.PYTHON_AKISMET_API_KEY = "test-key"
    settings.SITE_URL = "https://essays.example"
    settings.AKISMET_CLIENT_CLASS = "tests.moderation.clients.SpamClient"
    clients.CALLS.clear()
    announced = []

    def listen(sender, comment, **kwargs):
        announced.append(comment)

    comment_submitted.connect(listen)
    try:
        post = WPPost(1, comments=[WPComment(1, approved="0"), WPComment(2, approved="spam")])
        import_wordpress(write_export(tmp_path, post))
    finally:
        comment_submitted.disconnect(listen)
    moderator = get_user_model().objects.create_user("mod", is_staff=True)
    mark_spam(comment=Comment.objects.get(status="pending"), moderator=moderator)
    spam = Comment.objects.filter(status="spam").order_by("pk").last()
    mark_ham(comment=spam, moderator=moderator)
    assert announced == []
    assert clients.CALLS == []
    assert not Decision.objects.filter(step__in=[Decision.Step.AKISMET, Decision.Step.FEEDBACK])


def test_queries_do_not_grow_with_the_comments(tmp_path, django_assert_max_num_queries):
    def export_with(n, post_id):
        start = post_id * 1000
        comments = [
            WPComment(start + i, parent=start + i - 1 if i % 3 else 0) for i in range(1, n + 1)
        ]
        return write_export(tmp_path, WPPost(post_id, name=f"p{post_id}", comments=comments),
                            name=f"{post_id}.xml")  # fmt: skip

    small, large = export_with(6, 1), export_with(120, 2)
    with django_assert_max_num_queries(200) as few:
        import_wordpress(small)
    with django_assert_max_num_queries(len(few.captured_queries) + 4):
        import_wordpress(large)
    assert Comment.objects.filter(essay__slug="p2").count() == 120


def test_a_trigger_warning_line_becomes_warnings_and_leaves_the_body(tmp_path):
    make_warning("Sexual violence", slug="sexual-violence", gates=True)
    make_warning("Mental health", slug="mental-health")
    rape = make_warning("Rape and assault", slug="rape-and-assault")
    WarningSynonym.objects.create(phrase="RAPE", warning=rape)
    content = "Trigger Warning: Sexual violence, rape, and mental health, grief\n\nThe essay."
    report = import_wordpress(write_export(tmp_path, WPPost(1, content=content)))
    essay = Essay.objects.get()
    assert sorted(w.name for w in essay.warnings.all()) == [
        "Grief", "Mental health", "Rape and assault", "Sexual violence",
    ]  # fmt: skip
    assert "Trigger" not in essay.body_html and essay.body_html == "<p>The essay.</p>"
    grief = ContentWarning.objects.get(name="Grief")
    assert grief.needs_review and not grief.gates
    hows = {m.name: m.how for _, m in report.warning_mappings}
    assert hows == {
        "Sexual violence": "name", "rape": "synonym", "mental health": "name", "grief": "created",
    }  # fmt: skip


def test_a_sentence_after_content_note_is_kept_as_the_note(tmp_path):
    content = "Content note: this essay describes the months after my brother died.\n\nText."
    import_wordpress(write_export(tmp_path, WPPost(1, content=content)))
    essay = Essay.objects.get()
    assert essay.warning_note.startswith("this essay describes")
    assert not essay.warnings.exists()


def test_terms_become_topics_with_parents_and_warning_like_tags_become_warnings(tmp_path):
    make_warning("Suicide", slug="suicide")
    channel = "\n".join([
        category(1, "society", "Society"), category(2, "policing", "Policing", parent="society"),
        tag(3, "suicide", "suicide"), tag(4, "tw-eating", "TW: eating disorders"),
    ])  # fmt: skip
    post = WPPost(1, terms=[
        ("category", "policing", "Policing"), ("post_tag", "suicide", "suicide"),
        ("post_tag", "tw-eating", "TW: eating disorders"),
        ("post_format", "post-format-aside", "Aside"),
    ])  # fmt: skip
    report = import_wordpress(write_export(tmp_path, post, channel_extra=channel))
    essay = Essay.objects.get()
    assert Topic.objects.get(name="Policing").parent.name == "Society"
    assert [t.name for t in essay.topics.all()] == ["Policing"]
    assert sorted(w.name for w in essay.warnings.all()) == ["Eating disorders", "Suicide"]
    assert report.topics_created == 2
    assert len(report.terms_as_warnings) == 2
    old_links = set(ImportedObject.objects.filter(kind="topic").values_list("old_link", flat=True))
    assert old_links == {
        "https://old.example.org/category/society/",
        "https://old.example.org/category/society/policing/",
    }


def test_running_the_same_file_again_duplicates_nothing(tmp_path):
    post = WPPost(1, comments=[WPComment(1), WPComment(2, parent=1)])
    path = write_export(tmp_path, post)
    import_wordpress(path)
    again = import_wordpress(path)
    assert Essay.objects.count() == 1 and Comment.objects.count() == 2
    assert again.essays_created == [] and again.comments_imported == 0
    assert again.comments_already_imported == 2
    assert [s.reason for s in again.essays_skipped] == ["already imported, unchanged"]


def test_a_new_reply_in_a_later_export_joins_its_imported_parent(tmp_path):
    import_wordpress(write_export(tmp_path, WPPost(1, comments=[WPComment(1, content="first")])))
    later = WPPost(
        1, comments=[WPComment(1, content="first"), WPComment(2, parent=1, content="new")]
    )
    import_wordpress(write_export(tmp_path, later, name="later.xml"))
    reply = Comment.objects.get(body="new")
    assert reply.parent.body == "first" and reply.depth == 1


def test_an_essay_an_editor_changed_is_left_alone_and_reported(tmp_path):
    path = write_export(tmp_path, WPPost(1, title="Old title"))
    import_wordpress(path)
    essay = Essay.objects.get()
    essay.title = "The editor's title"
    essay.save()
    changed = write_export(tmp_path, WPPost(1, title="New title from WordPress"), name="b.xml")
    report = import_wordpress(changed)
    assert Essay.objects.get().title == "The editor's title"
    assert "changed by an editor" in report.essays_skipped[0].reason
    report = import_wordpress(changed)  # and still on the next run
    assert Essay.objects.get().title == "The editor's title"


def test_a_post_changed_in_wordpress_but_not_here_is_updated(tmp_path):
    import_wordpress(write_export(tmp_path, WPPost(1, title="First")))
    report = import_wordpress(write_export(tmp_path, WPPost(1, title="Second"), name="b.xml"))
    assert Essay.objects.get().title == "Second"
    assert len(report.essays_updated) == 1


def test_a_dry_run_reports_everything_and_writes_nothing(tmp_path):
    post = WPPost(1, content="TW: grief\n\nText.", comments=[WPComment(1)])
    report = import_wordpress(write_export(tmp_path, post), dry_run=True)
    assert len(report.essays_created) == 1 and report.comments_imported == 1
    assert len(report.warning_mappings) == 1
    assert not Essay.objects.exists() and not Comment.objects.exists()
    assert not ContentWarning.objects.exists() and not ImportedObject.objects.exists()
    assert report.lines()[0] == "Dry run: nothing below was written."


def _image(path, size=(40, 30)):
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())


def _attachment(post_id, file, alt):
    meta = {"_wp_attached_file": file}
    if alt:
        meta["_wp_attachment_image_alt"] = alt
    return WPPost(post_id, post_type="attachment", status="inherit", meta=meta)


def test_the_featured_image_comes_from_the_media_folder_with_its_alt_text(tmp_path):
    _image(tmp_path / "uploads" / "2020" / "01" / "bell.jpg")
    posts = [
        WPPost(1, name="with-image", meta={"_thumbnail_id": "9"}),
        WPPost(2, name="no-alt", meta={"_thumbnail_id": "8"}),
        _attachment(9, "2020/01/bell.jpg", "A bell on a wharf"),
        _attachment(8, "2020/01/bell.jpg", ""),
    ]
    report = import_wordpress(write_export(tmp_path, *posts), media_dir=tmp_path / "uploads")
    with_image = Essay.objects.get(slug="with-image")
    assert with_image.featured_image and with_image.featured_image_width == 40
    assert with_image.featured_image_alt == "A bell on a wharf"
    assert not Essay.objects.get(slug="no-alt").featured_image
    assert any("no alt text" in note for note in report.notes)


def test_a_featured_image_over_the_pixel_cap_is_left_out_with_a_note(tmp_path, settings):
    settings.BODY_IMAGE_MAX_PIXELS = 1_000  # the 40 x 30 bell has 1,200
    _image(tmp_path / "uploads" / "2020" / "01" / "bell.jpg")
    posts = [
        WPPost(1, name="with-image", meta={"_thumbnail_id": "9"}),
        _attachment(9, "2020/01/bell.jpg", "A bell on a wharf"),
    ]
    report = import_wordpress(write_export(tmp_path, *posts), media_dir=tmp_path / "uploads")
    essay = Essay.objects.get(slug="with-image")
    assert not essay.featured_image and essay.featured_image_alt == ""
    assert any("bell.jpg not used: This image has too many pixels" in n for n in report.notes)


def test_pages_attachments_and_menus_are_counted_not_imported(tmp_path):
    items = [
        WPPost(1), WPPost(2, post_type="page", comments=[WPComment(1)]),
        WPPost(3, post_type="nav_menu_item"), _attachment(4, "x.jpg", ""),
    ]  # fmt: skip
    report = import_wordpress(write_export(tmp_path, *items))
    assert report.items == {"post": 1, "page": 1, "nav_menu_item": 1, "attachment": 1}
    assert report.comments_on_skipped_items == 1
    assert Essay.objects.count() == 1 and not Comment.objects.exists()


def test_a_bad_file_imports_nothing_and_says_where_it_stopped(tmp_path):
    path = write_export(tmp_path, WPPost(1), WPPost(2), WPPost(3))
    path.write_text(path.read_text()[:-400])
    with pytest.raises(ImportStopped) as stopped:
        import_wordpress(path)
    assert "ends too early" in stopped.value.message
    assert stopped.value.report.stopped_at.startswith("line ")
    assert not Essay.objects.exists()


def test_the_command_prints_the_report_and_bad_files_as_errors(tmp_path, capsys):
    path = write_export(tmp_path, WPPost(1, comments=[WPComment(1)]))
    call_command("import_wordpress", str(path))
    out = capsys.readouterr()
    assert "Essays: 1 created" in out.out
    assert "1/1 items" in out.err  # the progress line
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<!DOCTYPE r [<!ENTITY a "b">]><rss/>')
    with pytest.raises(CommandError, match="declares XML entities"):
        call_command("import_wordpress", str(bomb))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_wordpress", str(tmp_path / "missing.xml"))


def test_a_post_the_database_refuses_stops_the_import_keeping_earlier_ones(tmp_path, monkeypatch):
    real = importer._Run._set_author

    def refuse_second(self, essay, item, what):
        if item.post_id == 2:
            raise IntegrityError("simulated")
        return real(self, essay, item, what)

    monkeypatch.setattr(importer._Run, "_set_author", refuse_second)
    posts = [WPPost(n, name=f"p{n}", comments=[WPComment(n)]) for n in (1, 2, 3)]
    with pytest.raises(ImportStopped) as stopped:
        import_wordpress(write_export(tmp_path, *posts))
    assert list(Essay.objects.values_list("slug", flat=True)) == ["p1"]
    assert Comment.objects.count() == 1
    assert stopped.value.report.stopped_at.startswith("post 2 (line ")
    assert "nothing after it" in stopped.value.report.lines()[-1]


def test_a_pending_imported_comment_waits_in_the_queue_marked_as_imported(tmp_path, client):
    post = WPPost(1, comments=[WPComment(1, approved="0", content="Waiting words")])
    import_wordpress(write_export(tmp_path, post))
    client.force_login(
        make_user("mod", is_staff=True, groups=[Group.objects.get(name="Moderators")])
    )
    page = client.get("/moderation/").content.decode()
    assert "Waiting words" in page
    assert "Imported from WordPress: " in page and "never screened here" in page


def test_a_reply_whose_parent_is_missing_is_kept_at_the_top_and_reported(tmp_path):
    post = WPPost(1, comments=[WPComment(2, parent=99, content="orphan")])
    report = import_wordpress(write_export(tmp_path, post))
    orphan = Comment.objects.get()
    assert orphan.parent is None and orphan.body == "orphan"
    assert any("parent 99 is not in the export" in note for note in report.notes)
