"""Cached fragments are never stale, and what is personal stays personal."""

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from comments.models import Comment
from comments.services import change_status, correct_comment
from moderation.services import approve_comment, remove_comment, restore_comment
from tests.factories import comment_form_data, make_comment, make_essay, make_user, make_warning

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_form_stamp_window(monkeypatch):
    """Pages with a comment form change with its time stamp once per CACHE_SHARED_SECONDS;
    these tests compare pages within one window."""
    from types import SimpleNamespace

    monkeypatch.setattr("comments.forms.time", SimpleNamespace(time=lambda: 1_800_000_000.5))


@pytest.fixture
def essay():
    return make_essay("Cached essay", body="Original body.")


@pytest.fixture
def moderator():
    return make_user("mod", groups=[Group.objects.get(name="Moderators")])


def page(client, essay):
    return client.get(essay.get_absolute_url()).content.decode()


def test_the_second_view_comes_from_the_cache(client, essay, django_assert_num_queries):
    make_comment(essay, body="Cached comment.")
    page(client, essay)
    with django_assert_num_queries(0):  # the essay, and the whole page, from the cache
        assert "Cached comment." in page(Client(), essay)
    other = Client()
    other.cookies["reading_prefs"] = "a-different-reader"
    with django_assert_num_queries(0):  # another page variant, from cached fragments
        assert "Cached comment." in page(other, essay)


def test_approving_removing_restoring_shows_once_committed(
    client, essay, moderator, django_capture_on_commit_callbacks
):
    comment = make_comment(essay, status="pending", body="Waiting words.")
    assert "Waiting words." not in page(client, essay)
    with django_capture_on_commit_callbacks(execute=True):
        approve_comment(comment=comment, moderator=moderator)
    assert "Waiting words." in page(client, essay)
    with django_capture_on_commit_callbacks(execute=True):
        remove_comment(comment=comment, moderator=moderator)
    assert "Waiting words." not in page(client, essay)
    with django_capture_on_commit_callbacks(execute=True):
        restore_comment(comment=comment, moderator=moderator)
    assert "Waiting words." in page(client, essay)


def test_an_editors_correction_shows_once_committed(
    client, essay, django_capture_on_commit_callbacks
):
    comment = make_comment(essay, author_name="Real Name", body="Before the edit.")
    assert "Before the edit." in page(client, essay)
    with django_capture_on_commit_callbacks(execute=True):
        correct_comment(
            comment=comment, author_name="A pseudonym", author_email="", author_url="",
            body="After the edit.", content_warning="",
        )  # fmt: skip
    html = page(client, essay)
    assert "After the edit." in html and "Before the edit." not in html
    assert "A pseudonym" in html and "Real Name" not in html


def test_a_writers_edit_shows_as_edited_once_approved_again(
    client, essay, moderator, django_capture_on_commit_callbacks
):
    from comments.services import edit_own_comment

    comment = make_comment(essay, body="Before the edit.")
    html = page(client, essay)
    assert "Before the edit." in html and "comment-edited" not in html
    with django_capture_on_commit_callbacks(execute=True):
        edit_own_comment(comment=comment, body="After the edit.", content_warning="")
    assert "After the edit." not in page(client, essay)  # screened again first
    with django_capture_on_commit_callbacks(execute=True):
        approve_comment(comment=comment, moderator=moderator)
    html = page(Client(), essay)
    assert "After the edit." in html and "Before the edit." not in html
    assert '<span class="comment-edited">(edited <time datetime="' in html


def test_saving_the_essay_shows_at_once(client, essay):
    assert "Original body." in page(client, essay)
    essay.body = "Rewritten body."
    essay.title = "A new title"
    essay.save()
    html = page(client, essay)
    assert "Rewritten body." in html and "A new title" in html and "Original body." not in html


def test_renaming_or_adding_a_warning_shows_at_once(client, essay):
    warning = make_warning("Grief")
    assert "Content warning:" not in page(client, essay)
    essay.warnings.add(warning)
    assert "<strong>Content warning:</strong> Grief." in page(client, essay)
    warning.name = "Bereavement"
    warning.save()
    html = page(client, essay)
    assert "<strong>Content warning:</strong> Bereavement." in html and "Grief" not in html


def test_readers_without_cookies_get_the_same_bytes_and_no_cookie(essay):
    make_comment(essay, body="Shared comment.")
    first, second = Client().get(essay.get_absolute_url()), Client().get(essay.get_absolute_url())
    assert first.content == second.content and "Shared comment." in first.content.decode()
    assert not first.cookies and not second.cookies
    assert b"csrfmiddlewaretoken" not in first.content


def test_cached_pages_carry_nothing_per_reader_and_posting_needs_no_token(essay, monkeypatch):
    from types import SimpleNamespace

    # One shared-cache window for both readers (the form's stamp changes between windows).
    monkeypatch.setattr("comments.forms.time", SimpleNamespace(time=lambda: 1_800_000_000.5))
    forms = []
    for n in range(2):
        reader = Client(enforce_csrf_checks=True)
        html = page(reader, essay)
        form = re.search(r'<form class="comment-form".*?</form>', html, re.S).group(0)
        assert "csrfmiddlewaretoken" not in form and "submission_key" not in form
        forms.append(form)
        response = reader.post(
            f"/essays/{essay.slug}/comment/",
            comment_form_data(body=f"Posted without a token {n}."),
            headers={"sec-fetch-site": "same-origin"},
        )
        assert response.status_code == 302
    assert forms[0] == forms[1]
    assert Comment.objects.count() == 2


def test_own_pending_comment_and_prefilled_form_stay_personal(client, essay):
    make_comment(essay, body="Public one.")
    stranger = Client()
    page(stranger, essay)  # fills the cache
    client.post(f"/essays/{essay.slug}/comment/",
                comment_form_data(body="My pending words.", author_name="Robin",
                                  remember="on"))  # fmt: skip
    mine = page(client, essay)
    assert "My pending words." in mine and 'value="Robin"' in mine
    theirs = page(stranger, essay)
    assert "My pending words." not in theirs and 'value="Robin"' not in theirs
    assert "Public one." in theirs


def test_gate_decision_stays_personal(client):
    gated = make_essay(body="Behind the gate.", warnings=[make_warning(gates=True)])
    client.post(f"{gated.get_absolute_url()}continue/")
    assert "Behind the gate." in page(client, gated)
    assert "Behind the gate." not in page(Client(), gated)
    assert "Behind the gate." in page(client, gated)


def test_bulk_deleting_comments_shows_once_committed(
    client, essay, django_capture_on_commit_callbacks
):
    doomed = make_comment(essay, body="About to go.")
    assert "About to go." in page(client, essay)
    with django_capture_on_commit_callbacks(execute=True):
        Comment.objects.filter(pk=doomed.pk).delete()
    assert "About to go." not in page(Client(), essay)


def test_renaming_a_warning_changes_the_list_and_feeds(client):
    warning = make_warning("Old name")
    make_essay(warnings=[warning])
    client.get("/")
    for url in ["/", "/feed/"]:
        first = client.get(url)
        warning.name = f"New name for {url}"
        warning.save()
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 200 and f"New name for {url}" in again.content.decode()


def test_junk_query_parameters_share_one_cached_page(essay, monkeypatch):
    from django.core.cache import cache

    stored = []
    original = cache.set
    monkeypatch.setattr(cache, "set", lambda key, *args, **kwargs: (
        stored.append(key), original(key, *args, **kwargs)))  # fmt: skip
    page(Client(), essay)
    for i in range(5):
        Client().get(f"{essay.get_absolute_url()}?utm={i}")
    assert len([key for key in stored if key.startswith("blog:page:")]) == 1


def test_a_warm_essay_page_reads_its_versions_in_one_round_trip(client, essay, monkeypatch):
    from django.core.cache import cache

    make_comment(essay, body="Counted comment.")
    page(client, essay)  # warm: the essay, its page
    reads, inside = [], []
    get, get_many = cache.get, cache.get_many

    def counted_get_many(keys, **kwargs):
        reads.append(sorted(keys))
        inside.append(True)  # local memory's get_many calls get: not another trip
        try:
            return get_many(keys, **kwargs)
        finally:
            inside.pop()

    def counted_get(key, *args, **kwargs):
        if not inside:
            reads.append(key.split(":")[1])
        return get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", counted_get_many)
    monkeypatch.setattr(cache, "get", counted_get)
    assert "Counted comment." in page(Client(), essay)
    # the essay's record, every version of its page at once (with the newest public essay,
    # which its series and related essays depend on), then the page itself
    assert reads == [
        "essay",
        sorted(
            ["blog:newest-public", "versions:blog:essays", f"versions:comments:essay:{essay.pk}"]
        ),
        "page",
    ]


def test_a_slug_given_to_another_essay_shows_that_essays_comments(
    client, essay, django_capture_on_commit_callbacks
):
    make_comment(essay, body="Comment on the first essay.")
    assert "Comment on the first essay." in page(client, essay)
    slug = essay.slug
    essay.slug = "moved-away"
    essay.save()
    other = make_essay("Another essay")
    other.slug = slug
    other.save()
    make_comment(other, body="Comment on the second essay.")
    html = page(Client(), other)
    assert "Comment on the second essay." in html
    assert "Comment on the first essay." not in html
    later = make_comment(other, status="pending", body="A later comment.")
    with django_capture_on_commit_callbacks(execute=True):
        change_status(comment=later, to=Comment.Status.APPROVED, expected=["pending"])
    assert "A later comment." in page(Client(), other)
