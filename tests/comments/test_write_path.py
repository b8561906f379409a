"""comments.services is the one write path: conditional UPDATEs, cached threads retired on
commit, and Comment.save() touching no cache."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from comments.caching import essay_version as read_essay_version
from comments.models import Comment
from comments.services import change_body, change_status, edit_own_comment, erase
from moderation.services import AlreadyActed, approve_comment
from tests.factories import comment_form_data, make_comment, make_essay, make_user

pytestmark = pytest.mark.django_db

Status = Comment.Status


def essay_version(essay_id: int) -> str:
    """The version a new request would read now."""
    return read_essay_version(SimpleNamespace(), essay_id)


@pytest.fixture
def essay():
    return make_essay()


def test_a_status_change_bumps_the_comments_version_only_once_committed(
    essay, django_capture_on_commit_callbacks
):
    comment = make_comment(essay, status=Status.PENDING)
    before = essay_version(essay.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert change_status(comment=comment, to=Status.APPROVED, expected=[Status.PENDING])
        assert essay_version(essay.pk) == before  # not committed yet: readers see the old
    assert essay_version(essay.pk) != before
    assert comment.status == Status.APPROVED
    assert Comment.objects.get(pk=comment.pk).status == Status.APPROVED


def test_a_status_change_that_matches_nothing_changes_and_bumps_nothing(
    essay, django_capture_on_commit_callbacks
):
    comment = make_comment(essay, status=Status.SPAM)
    before = essay_version(essay.pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert not change_status(comment=comment, to=Status.APPROVED, expected=[Status.PENDING])
    assert callbacks == []
    assert essay_version(essay.pk) == before
    assert Comment.objects.get(pk=comment.pk).status == Status.SPAM


def test_a_moderator_too_late_bumps_nothing(essay, django_capture_on_commit_callbacks):
    moderator = make_user(groups=[Group.objects.get(name="Moderators")])
    comment = make_comment(essay, status=Status.PENDING)
    Comment.objects.filter(pk=comment.pk).update(status=Status.APPROVED)  # someone else did
    before = essay_version(essay.pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(AlreadyActed):
        approve_comment(comment=comment, moderator=moderator)
    assert callbacks == [] and essay_version(essay.pk) == before


def test_a_new_body_is_rendered_and_bumps_once_committed(essay, django_capture_on_commit_callbacks):
    comment = make_comment(essay, body="Old words.")
    before = essay_version(essay.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert change_body(
            comment=comment, body="New <em>words</em>\n\nand more.", content_warning="Grief"
        )
    stored = Comment.objects.get(pk=comment.pk)
    assert (
        stored.body_html == "<p>New <em>words</em></p>\n<p>and more.</p>"
        and stored.content_warning == "Grief"
    )
    assert stored.status == Status.APPROVED  # no status given: it stays
    assert essay_version(essay.pk) != before


def test_a_writers_edit_is_dated_and_announced_with_the_words_it_replaced(
    essay, django_capture_on_commit_callbacks
):
    from comments.signals import comment_edited

    comment = make_comment(essay, body="Old words.", content_warning="Grief")
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    comment_edited.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert edit_own_comment(comment=comment, body="New words.", content_warning="")
    finally:
        comment_edited.disconnect(listener)
    stored = Comment.objects.get(pk=comment.pk)
    assert stored.edited_at is not None and stored.edited_at >= stored.created_at
    (kwargs,) = heard
    assert (kwargs["previous_body"], kwargs["previous_warning"]) == ("Old words.", "Grief")
    assert kwargs["previous_written_at"] == stored.created_at
    assert kwargs["comment"].body == "New words."


def test_a_change_of_words_not_made_by_its_writer_is_not_marked_edited(essay):
    comment = make_comment(essay, body="Old words.")
    change_body(comment=comment, body="New words.", content_warning="")
    assert Comment.objects.get(pk=comment.pk).edited_at is None


def test_an_edit_after_a_moderator_took_the_comment_down_changes_nothing(
    essay, django_capture_on_commit_callbacks
):
    comment = make_comment(essay, body="Original words.")
    Comment.objects.filter(pk=comment.pk).update(status=Status.REMOVED)  # meanwhile
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        edited = edit_own_comment(comment=comment, body="Sneaked back.", content_warning="")
    assert not edited and callbacks == []  # nothing re-screened, nothing bumped
    stored = Comment.objects.get(pk=comment.pk)
    assert stored.status == Status.REMOVED and stored.body == "Original words."


def test_the_edit_page_keeps_the_writers_text_when_a_moderator_acted_first(
    client, essay, monkeypatch
):
    from comments import views

    client.post(f"/essays/{essay.slug}/comment/", comment_form_data(body="First words."))
    comment = Comment.objects.latest("pk")
    original = views.edit_own_comment

    def moderator_first(**kwargs):
        Comment.objects.filter(pk=comment.pk).update(status=Status.REMOVED)
        return original(**kwargs)

    monkeypatch.setattr(views, "edit_own_comment", moderator_first)
    response = client.post(
        f"/comments/{comment.pk}/edit/", {"body": "My careful rewrite.", "content_warning": ""}
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "can no longer be changed" in html and "My careful rewrite." in html
    assert Comment.objects.get(pk=comment.pk).body == "First words."


def test_erase_keeps_the_rows_removed_and_bumps_each_essay_once_committed(
    django_capture_on_commit_callbacks,
):
    first, second = make_essay(), make_essay()
    comments = [
        make_comment(first, author_name="Ana", author_email="ana@example.org", body="One."),
        make_comment(second, author_name="Ana", status=Status.SPAM, ip_address="192.0.2.1"),
    ]
    before = essay_version(first.pk), essay_version(second.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert erase(comments=comments, request_data=True) == 2
    assert essay_version(first.pk) != before[0] and essay_version(second.pk) != before[1]
    rows = Comment.objects.filter(pk__in=[c.pk for c in comments])
    assert {(c.status, c.body, c.author_name, c.author_email, c.ip_address) for c in rows} == {
        (Status.REMOVED, "", "", "", None)
    }


class CacheSpy:
    """Records every call to the default cache's public methods."""

    METHODS = ("get", "get_many", "set", "set_many", "add", "delete", "delete_many", "incr",
               "decr", "touch", "get_or_set", "has_key", "clear")  # fmt: skip

    def __init__(self, monkeypatch):
        self.calls = []
        for name in self.METHODS:
            monkeypatch.setattr(cache, name, self._recording(name, getattr(cache, name)))

    def _recording(self, name, method):
        def record(*args, **kwargs):
            self.calls.append(name)
            return method(*args, **kwargs)

        return record


def test_saving_a_comment_does_no_cache_io(essay, monkeypatch, django_capture_on_commit_callbacks):
    spy = CacheSpy(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        comment = make_comment(essay, status=Status.APPROVED, body="Saved directly.")
        reply = make_comment(essay, parent=comment, status=Status.PENDING)
        comment.body = "Changed directly."
        comment.save()
    assert spy.calls == [] and callbacks == []
    assert comment.body_html == "<p>Changed directly.</p>"  # save() still derives fields
    assert reply.thread == comment.thread and reply.path.startswith(comment.path)


def test_the_spy_sees_a_version_bump(essay, monkeypatch, django_capture_on_commit_callbacks):
    comment = make_comment(essay, status=Status.PENDING)
    spy = CacheSpy(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        change_status(comment=comment, to=Status.APPROVED, expected=[Status.PENDING])
    assert "set_many" in spy.calls


def test_an_editors_correction_in_the_admin_goes_through_the_write_path(
    client, essay, django_capture_on_commit_callbacks
):
    comment = make_comment(essay, author_name="Full Real Name", body="Words with a typo.")
    client.force_login(make_user(is_staff=True, is_superuser=True))
    url = f"/admin/comments/comment/{comment.pk}/change/"
    context = client.get(url).context
    data = {**context["adminform"].form.initial}
    for formset in context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data |= {management.add_prefix(k): v for k, v in management.initial.items()}
    data |= {"author_name": "F.", "body": "Words without a typo.", "author_url": ""}
    data = {k: v for k, v in data.items() if v is not None}
    before = essay_version(essay.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    stored = Comment.objects.get(pk=comment.pk)
    assert (stored.author_name, stored.body_html) == ("F.", "<p>Words without a typo.</p>")
    assert stored.status == Status.APPROVED
    assert essay_version(essay.pk) != before
