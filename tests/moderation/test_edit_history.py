"""Moderators can read what a writer's edit replaced and what a comment said when reported."""


import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from comments.models import Comment
from comments.services import edit_own_comment
from moderation.history import LISTED_EDITS, attach_history
from moderation.models import CommentEdit, Report
from moderation.reports import record_report
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


def test_an_edit_by_the_service_alone_keeps_the_replaced_words(essay, run_on_commit):
    comment = make_comment(essay, body="Before.", content_warning="self-harm")
    assert run_on_commit(edit_own_comment, comment=comment, body="After.", content_warning="")
    (earlier,) = comment.edits.all()
    assert (earlier.body, earlier.content_warning) == ("Before.", "self-harm")
