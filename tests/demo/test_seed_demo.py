import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from blog.models import ContentWarning, Essay

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Essay.objects.count(), ContentWarning.objects.count())
    first_html = {e.slug: e.body_html for e in Essay.objects.all()}
    call_command("seed_demo", stdout=io.StringIO())
    assert (Essay.objects.count(), ContentWarning.objects.count()) == counts
    assert {e.slug: e.body_html for e in Essay.objects.all()} == first_html
    published = Essay.objects.published()
    assert published.count() >= 4
    assert any(e.gating_warnings() for e in published)
    assert any(e.warning_list() and not e.gating_warnings() for e in published)
    assert any(not e.warning_list() for e in published)
    with_image = Essay.objects.exclude(featured_image="").get()
    assert with_image.featured_image_width == 1600 and with_image.featured_image_alt
    assert with_image.image_creator and with_image.image_source
    assert any("<figcaption>" in e.body_html for e in published)
    assert any("<ol>" in e.body_html for e in published)
    editor = get_user_model().objects.get(username="editor")
    assert editor.groups.filter(name="Editors").exists() and editor.is_staff


def test_seed_demo_creates_no_accounts_without_debug(settings):
    settings.DEBUG = False
    call_command("seed_demo", stdout=io.StringIO())
    assert not get_user_model().objects.exists()
    assert Essay.objects.published().count() >= 4


def test_seed_demo_adds_comment_threads(settings):
    from comments.models import Comment

    settings.DEBUG = False
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    comments = Comment.objects.all()
    assert comments.filter(status="pending").count() == 2
    assert comments.filter(status="approved").exclude(content_warning="").exists()
    assert max(c.depth for c in comments) == settings.COMMENTS_MAX_DEPTH - 1
    assert len({c.submission_key for c in comments}) == comments.count()


def test_seed_demo_fills_every_queue_tab_with_reasons(settings):
    from comments.models import Comment

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    for status in ["pending", "approved", "spam", "removed"]:
        comments = Comment.objects.filter(status=status)
        assert comments.exists(), status
        for comment in comments:
            assert comment.decisions.exclude(reason="").exists(), (status, comment.pk)
    call_command("seed_demo", stdout=io.StringIO())
    first = Comment.objects.filter(status="spam").first()
    assert first.decisions.filter(step="policy").count() == 1  # not seeded twice


def test_seed_demo_has_one_comment_with_two_open_reports(settings):
    from moderation.models import Report

    settings.DEBUG = False
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # not reported twice over
    reported = {r.comment for r in Report.objects.filter(state="open")}
    assert len(reported) == 1
    (comment,) = reported
    assert comment.status == "approved" and comment.reports.count() == 2
    assert comment.decisions.filter(step="report", outcome="reported").count() == 2


def test_seed_demo_has_a_confirmed_subscriber_and_sends_nothing(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    from subscriptions.models import Email, Subscription

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    kinds = set(
        Subscription.objects.active()
        .filter(address__email="demo.reader@example.org")
        .values_list("kind", flat=True)
    )
    assert kinds == {"essays", "replies"}
    assert Subscription.objects.count() == 2
    assert mailoutbox == []  # as if running for a while: the demo's mail went out long ago
    assert Email.objects.get().state == Email.State.SENT


def test_seed_demo_has_a_ban_a_note_and_an_edited_comment(settings):
    from comments.models import Comment
    from moderation.bans import active_ban
    from moderation.models import Ban, CommentEdit, CommenterNote

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    ban = Ban.objects.get()
    assert active_ban("anyone@deals.example") == ban and ban.created_by.username == "moderator"
    assert CommenterNote.objects.get().commenter == "name:straight talker"
    edit = CommentEdit.objects.get()
    assert Comment.objects.get(pk=edit.comment_id).edited_at is not None
    assert edit.body != edit.comment.body
