"""Moderators can read what a writer's edit replaced and what a comment said when reported;
a writer's delete, an erasure and the retention period take those words away."""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from comments.models import Comment
from comments.services import edit_own_comment
from moderation.history import LISTED_EDITS, attach_history
from moderation.models import CommentEdit, Report
from moderation.reports import record_report, resolve_reports
from tests.factories import comment_form_data, make_comment, make_essay

pytestmark = pytest.mark.django_db


@pytest.fixture
def essay():
    return make_essay()


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run what is sent on commit (comment_edited, comment_withdrawn) as it happens."""

    def now(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return now


def writes(client, essay, body) -> Comment:
    """The writer in `client` posts a comment, and a moderator approves it."""
    client.post(f"/essays/{essay.slug}/comment/", comment_form_data(body=body))
    comment = Comment.objects.get(body=body)
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.APPROVED)
    comment.refresh_from_db()
    return comment


def edits(client, comment, body, content_warning=""):
    response = client.post(
        f"/comments/{comment.pk}/edit/", {"body": body, "content_warning": content_warning}
    )
    assert response.status_code == 302
    comment.refresh_from_db()


def reported(comment, reporter, *, state=Report.State.OPEN) -> Report:
    report = record_report(comment, reason="harassment", note="", reporter=reporter)
    if state != Report.State.OPEN:
        Report.objects.filter(pk=report.pk).update(state=state, resolved_at=timezone.now())
    return report


def history(comment) -> Comment:
    comment = Comment.objects.get(pk=comment.pk)
    attach_history([comment])
    return comment


def test_an_edit_keeps_the_replaced_words_for_moderators(client, essay, run_on_commit):
    comment = writes(client, essay, "I am Jo, from Elm Street.")
    posted_at = comment.created_at
    run_on_commit(edits, client, comment, "I am Jo.", content_warning="grief")
    assert comment.body == "I am Jo." and comment.edited_at is not None
    (earlier,) = comment.edits.all()
    assert (earlier.body, earlier.content_warning) == ("I am Jo, from Elm Street.", "")
    assert earlier.written_at == posted_at and earlier.replaced_at >= posted_at


def test_each_edit_keeps_a_version_listed_newest_first(client, essay, run_on_commit):
    comment = writes(client, essay, "First words.")
    run_on_commit(edits, client, comment, "Second words.")
    first_edit = comment.edited_at
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.APPROVED)
    run_on_commit(edits, client, comment, "Third words.")
    shown = history(comment)
    assert [e.body for e in shown.edit_list] == ["Second words.", "First words."]
    assert shown.edit_count == 2 and shown.edits_not_listed == 0
    assert shown.edit_list[0].written_at == first_edit  # the second words appeared then


def test_an_edit_that_changes_nothing_keeps_no_copy(client, essay, run_on_commit):
    comment = writes(client, essay, "Same words.")
    run_on_commit(edits, client, comment, "Same words.")
    assert not comment.edits.exists()


def test_a_report_keeps_the_reported_words_after_an_edit(client, essay, run_on_commit):
    comment = writes(client, essay, "Something cruel.")
    response = Client().post(
        f"/comments/{comment.pk}/report/", {"reason": "harassment", "note": ""},
        REMOTE_ADDR="198.51.100.7",
    )  # fmt: skip
    assert response.status_code == 302
    assert Report.objects.get(comment=comment).comment_text == "Something cruel."
    run_on_commit(edits, client, comment, "Something kind.")
    shown = history(comment)
    (reported_text,) = shown.reported_texts
    assert reported_text.text == "Something cruel." and reported_text.reports == 1
    assert Report.objects.get(comment=comment).comment_text == "Something cruel."


def test_reported_words_the_comment_still_says_are_not_repeated(essay):
    comment = make_comment(essay, body="Unchanged words.")
    reported(comment, "r" * 32)
    assert history(comment).reported_texts == []


def test_a_writers_delete_forgets_earlier_words_but_not_what_an_open_report_needs(
    client, essay, run_on_commit
):
    comment = writes(client, essay, "Words someone reported.")
    open_report = reported(comment, "a" * 32)
    settled = reported(comment, "b" * 32, state=Report.State.DISMISSED)
    run_on_commit(edits, client, comment, "Words edited after.")
    assert comment.edits.exists()
    run_on_commit(client.post, f"/comments/{comment.pk}/delete/")
    comment.refresh_from_db()
    assert comment.body == "" and not comment.edits.exists()
    settled.refresh_from_db()
    open_report.refresh_from_db()
    assert settled.comment_text == ""
    assert open_report.comment_text == "Words someone reported."
    # A moderator still reads what was reported, and once they decide, it goes too.
    assert [r.text for r in history(comment).reported_texts] == ["Words someone reported."]
    resolve_reports(comment, kept=False)
    open_report.refresh_from_db()
    assert open_report.state == Report.State.UPHELD and open_report.comment_text == ""


def test_deciding_a_report_on_a_kept_comment_keeps_its_reported_words(essay):
    comment = make_comment(essay, body="Reported words.")
    report = reported(comment, "c" * 32)
    resolve_reports(comment, kept=True)
    report.refresh_from_db()
    assert report.comment_text == "Reported words."


def test_earlier_words_are_forgotten_after_the_retention_period(essay, settings):
    settings.PRIVACY_RETENTION_DAYS = 30
    comment = make_comment(essay, body="Words now.")
    old_edit = CommentEdit.objects.create(comment=comment, body="Old words.",
                                          written_at=comment.created_at)  # fmt: skip
    recent_edit = CommentEdit.objects.create(comment=comment, body="Recent words.",
                                             written_at=comment.created_at)  # fmt: skip
    long_ago = timezone.now() - timedelta(days=31)
    CommentEdit.objects.filter(pk=old_edit.pk).update(replaced_at=long_ago)
    old_report, recent_report = reported(comment, "d" * 32), reported(comment, "e" * 32)
    Report.objects.filter(pk=old_report.pk).update(created_at=long_ago)

    call_command("purge_personal_data", stdout=io.StringIO())

    assert list(comment.edits.values_list("pk", flat=True)) == [recent_edit.pk]
    old_report.refresh_from_db()
    recent_report.refresh_from_db()
    assert old_report.comment_text == "" and recent_report.comment_text == "Words now."


def test_the_export_holds_earlier_versions_and_an_erasure_removes_them(
    client, essay, run_on_commit
):
    from django.contrib.auth import get_user_model

    client.post(
        f"/essays/{essay.slug}/comment/",
        comment_form_data(body="My street is Elm Street.", author_email="jo@example.org"),
    )
    comment = Comment.objects.get(author_email="jo@example.org")
    reported(comment, "f" * 32)
    run_on_commit(edits, client, comment, "My street is somewhere.")
    out = io.StringIO()
    call_command("export_personal_data", "jo@example.org", stdout=out)
    (exported,) = json.loads(out.getvalue())["comments"]
    assert [v["comment"] for v in exported["earlier_versions"]] == ["My street is Elm Street."]
    assert exported["edited_at"] is not None
    assert exported["reports"][0]["comment_when_reported"] == "My street is Elm Street."

    get_user_model().objects.create_user("dpo", is_staff=True)
    call_command("erase_personal_data", "jo@example.org", "--by", "dpo", "--yes",
                 stdout=io.StringIO())  # fmt: skip
    assert not comment.edits.exists()
    assert Report.objects.get(comment=comment).comment_text == ""


def test_attach_history_costs_two_queries_for_one_comment_or_fifty(
    essay, django_assert_num_queries
):
    comments = [make_comment(essay, body=f"Now {n}.") for n in range(50)]
    for n, comment in enumerate(comments):
        for version in range(3):
            CommentEdit.objects.create(comment=comment, body=f"Before {n}.{version}",
                                       written_at=comment.created_at)  # fmt: skip
        reported(comment, f"{n:032d}")
        Report.objects.filter(comment=comment).update(comment_text=f"Reported {n}.")
    for page in (comments[:1], comments):
        page = list(Comment.objects.filter(pk__in=[c.pk for c in page]).order_by("pk"))
        with django_assert_num_queries(2):
            attach_history(page)
        assert all(c.edit_count == 3 and len(c.reported_texts) == 1 for c in page)
    assert [e.body for e in page[7].edit_list] == ["Before 7.2", "Before 7.1", "Before 7.0"]
    assert page[7].reported_texts[0].text == "Reported 7."


def test_attach_history_on_no_comments_asks_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        attach_history([])


def test_a_long_history_lists_the_newest_versions_and_counts_the_rest(essay):
    comment = make_comment(essay)
    CommentEdit.objects.bulk_create(
        CommentEdit(comment=comment, body=f"Version {n}", written_at=comment.created_at)
        for n in range(LISTED_EDITS + 5)
    )
    shown = history(comment)
    assert len(shown.edit_list) == LISTED_EDITS and shown.edit_count == LISTED_EDITS + 5
    assert shown.edit_list[0].body == f"Version {LISTED_EDITS + 4}"
    html = render_to_string("moderation/_comment_history.html", {"comment": shown})
    assert "Earlier versions (25)" in html and "5 older versions not shown." in html


def test_the_history_template_shows_earlier_and_reported_words_as_text(essay):
    comment = make_comment(essay, body="Kind words now.")
    CommentEdit.objects.create(comment=comment, body="<b>Cruel</b>\nwords.",
                               content_warning="abuse", written_at=comment.created_at)  # fmt: skip
    reported(comment, "g" * 32)
    Report.objects.filter(comment=comment).update(comment_text="<b>Cruel</b>\nwords.")
    html = render_to_string("moderation/_comment_history.html", {"comment": history(comment)})
    assert "<summary>Earlier versions (1)</summary>" in html
    assert "Text when reported" in html and "1 report on these words" in html
    assert "&lt;b&gt;Cruel&lt;/b&gt;<br>words." in html and "<b>Cruel</b>" not in html
    assert "Content warning: abuse" in html
    assert html.count('<time datetime="') == 3  # first reported; shown from; replaced


def test_the_history_template_says_nothing_of_a_comment_never_edited(essay):
    comment = make_comment(essay)
    html = render_to_string("moderation/_comment_history.html", {"comment": history(comment)})
    assert html.strip() == ""


def test_the_privacy_page_says_what_moderators_keep_after_a_delete(client, settings):
    settings.PRIVACY_RETENTION_DAYS = 21
    html = client.get("/privacy/").content.decode()
    assert "The words you replaced are kept for our moderators only" in html
    assert "never longer than 21 days after the report" in html
    assert "deleted 21 days after the words were replaced or reported" in html


def test_an_edit_by_the_service_alone_keeps_the_replaced_words(essay, run_on_commit):
    comment = make_comment(essay, body="Before.", content_warning="self-harm")
    assert run_on_commit(edit_own_comment, comment=comment, body="After.", content_warning="")
    (earlier,) = comment.edits.all()
    assert (earlier.body, earlier.content_warning) == ("Before.", "self-harm")
