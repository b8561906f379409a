"""A commenter may edit or delete their own comment for a short while, from the same browser."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from comments.models import Comment
from tests.factories import comment_form_data, make_essay

pytestmark = pytest.mark.django_db


@pytest.fixture
def essay():
    return make_essay()


def post(client, essay, **data):
    client.post(f"/essays/{essay.slug}/comment/", comment_form_data(**data))
    return Comment.objects.latest("pk")


def test_the_writer_can_edit_within_the_window_and_it_is_screened_again(
    client, essay, django_capture_on_commit_callbacks
):
    comment = post(client, essay, body="First words.")
    Comment.objects.filter(pk=comment.pk).update(status="approved")
    html = client.get(essay.get_absolute_url()).content.decode()
    assert f'href="/comments/{comment.pk}/edit/"' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/comments/{comment.pk}/edit/",
                               {"body": "Better words.", "content_warning": ""})  # fmt: skip
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Better words." and comment.status == "pending"
    steps = list(comment.decisions.values_list("step", flat=True))
    assert "edited" in steps and steps[-1] == "policy"


def test_an_edit_is_sent_to_akismet_as_a_recheck(
    client, essay, akismet_client, django_capture_on_commit_callbacks
):
    calls = akismet_client("Ham")
    comment = post(client, essay, body="Original.")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/comments/{comment.pk}/edit/", {"body": "Edited.", "content_warning": ""})
    assert calls[-1][1]["recheck_reason"] == "edit"
    assert calls[-1][1]["comment_content"] == "Edited."


def test_others_and_late_edits_are_refused(client, essay):
    comment = post(client, essay, body="Mine.")
    stranger = Client()
    assert stranger.get(f"/comments/{comment.pk}/edit/").status_code == 404
    assert stranger.post(f"/comments/{comment.pk}/delete/").status_code == 404
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(hours=1))
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "Too late."}, follow=True)
    assert "that time has passed for this one" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Mine."


def test_an_empty_edit_is_refused_with_the_text_kept(client, essay):
    comment = post(client, essay, body="Keep me.")
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "  "})
    assert response.status_code == 400
    assert "Please enter your comment!" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Keep me."


def test_an_edit_that_sanitizes_to_nothing_is_refused_with_the_text_kept(client, essay):
    comment = post(client, essay, body="Keep me.")
    response = client.post(f"/comments/{comment.pk}/edit/",
                           {"body": "<img src=x onerror=alert(1)>"})  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_body_error"><li>Your comment has no text left' in html
    assert "&lt;img src=x onerror=alert(1)&gt;</textarea>" in html
    comment.refresh_from_db()
    assert comment.body == "Keep me."


def test_the_writer_can_delete_and_the_words_are_gone(
    client, essay, akismet_client, django_capture_on_commit_callbacks
):
    akismet_client("Ham")
    with django_capture_on_commit_callbacks(execute=True):
        comment = post(client, essay, body="Regretted words.", author_name="Shy")
    assert comment.decisions.filter(step="akismet").exclude(details={}).exists()
    assert "Delete my comment" in client.get(f"/comments/{comment.pk}/delete/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/comments/{comment.pk}/delete/")
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == "removed" and comment.body == "" and comment.author_name == ""
    assert not comment.decisions.exclude(details={}).exists()
    assert comment.decisions.filter(step="withdrawn").exists()
    assert "Regretted words." not in client.get(essay.get_absolute_url()).content.decode()


def test_editing_needs_the_signed_edit_cookie_not_just_the_session(client, essay):
    from django.core import signing

    comment = post(client, essay, body="Mine.")
    assert client.get(f"/comments/{comment.pk}/edit/").status_code == 200
    client.cookies["comment_edits"] = signing.dumps([comment.pk], salt="x", key="forged-key")
    assert client.get(f"/comments/{comment.pk}/edit/").status_code == 404
    del client.cookies["comment_edits"]
    assert client.get(f"/comments/{comment.pk}/delete/").status_code == 404
