"""A reader hides a comment for themselves; nobody else is affected."""

import pytest
from django.test import Client

from tests.factories import make_comment, make_essay

pytestmark = pytest.mark.django_db


@pytest.fixture
def essay():
    return make_essay("An essay with replies")


def page(client, essay) -> str:
    return client.get(essay.get_absolute_url()).content.decode()


def hide(client, comment, **data):
    return client.post(f"/comments/{comment.pk}/hide/", {"hide": "1", **data})


def test_hiding_without_javascript_hides_it_for_this_browser_only(essay):
    unkind = make_comment(essay, author_name="Unkind", body="Words I would rather not read.")
    reply = make_comment(essay, parent=unkind, author_name="Kind", body="A gentle reply.")
    reader, other = Client(), Client()
    assert "Words I would rather not read." in page(other, essay)  # warms the shared cache
    response = hide(reader, unkind)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{unkind.pk}")
    html = page(reader, essay)
    assert "Words I would rather not read." not in html
    assert "You hid this comment." in html and "Show it again" in html
    assert "A gentle reply." in html  # replies keep their place
    assert f'replying to <a href="#comment-{unkind.pk}">Unkind' not in html
    assert reply.author_name in html
    assert "Words I would rather not read." in page(other, essay)  # nobody else is affected
    assert "Words I would rather not read." in page(Client(), essay)


def test_show_it_again_brings_it_back(essay):
    comment = make_comment(essay, body="Back again.")
    reader = Client()
    hide(reader, comment)
    assert "Back again." not in page(reader, essay)
    hide(reader, comment, show="1")
    html = page(reader, essay)
    assert "Back again." in html and "You hid this comment." not in html


def test_hiding_from_the_dialog_answers_json(essay):
    comment = make_comment(essay)
    response = Client().post(
        f"/comments/{comment.pk}/hide/", {"hide": "1"}, HTTP_ACCEPT="application/json"
    )
    assert response.json() == {
        "ok": True, "hidden": True, "message": "The comment is hidden for you, in this browser."
    }  # fmt: skip
    assert response.cookies["comments_hidden"]["httponly"]


def test_forged_ids_and_bad_cookies_are_answered_cleanly(essay, settings):
    assert Client().post("/comments/999999/hide/", {"hide": "1"}).status_code == 404
    response = Client().post(
        "/comments/999999/hide/", {"hide": "1"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 404 and response.json()["ok"] is False
    assert Client().get(f"/comments/{make_comment(essay).pk}/hide/").status_code == 405
    reader = Client()
    reader.cookies[settings.COMMENTS_HIDDEN_COOKIE] = "not-signed"
    make_comment(essay, body="Still shown.")
    assert "Still shown." in page(reader, essay)


def test_hiding_from_another_site_is_refused(essay):
    comment = make_comment(essay)
    strict = Client(enforce_csrf_checks=True)
    refused = strict.post(f"/comments/{comment.pk}/hide/", {"hide": "1"},
                          headers={"sec-fetch-site": "cross-site"})  # fmt: skip
    assert refused.status_code == 403 and "comments_hidden" not in refused.cookies
    assert hide(strict, comment).status_code == 302  # from this site: no token needed


def _answers(comment_id):
    """What a stranger is told when asking to hide this id: page and JSON, in full."""
    url = f"/comments/{comment_id}/hide/"
    page = Client().post(url, {"hide": "1"})
    dialog = Client().post(url, {"hide": "1"}, HTTP_ACCEPT="application/json")
    return (page.status_code, page.content, "comments_hidden" in page.cookies,
            dialog.status_code, dialog.content, "comments_hidden" in dialog.cookies)  # fmt: skip


@pytest.mark.parametrize("case", ["pending", "spam", "removed", "unpublished essay"])
def test_hiding_an_unseen_comment_answers_exactly_as_for_a_missing_one(essay, case):
    """A held comment's id must not be confirmed by a different answer (or where it is)."""
    from blog.models import Essay

    if case == "unpublished essay":
        draft = make_essay(status=Essay.Status.DRAFT)
        comment = make_comment(draft, body="On a draft.")
    else:
        comment = make_comment(essay, status=case, body="Out of sight.")
    missing = _answers(999999)
    assert missing[0] == 404 and missing[3] == 404
    assert b"There is no published comment here to hide." in missing[4]
    assert _answers(comment.pk) == missing


def test_a_hidden_comment_taken_down_later_can_still_be_shown_again(essay):
    from comments.models import Comment

    comment = make_comment(essay, body="Hidden, then removed.")
    reader = Client()
    assert hide(reader, comment).status_code == 302
    Comment.objects.filter(pk=comment.pk).update(status="removed")
    assert hide(reader, comment, show="1").status_code == 302
    assert hide(Client(), comment).status_code == 404  # for anyone else it is not there
