"""ETag / Last-Modified and 304 Not Modified for anonymous readers."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from comments.services import change_status
from moderation.services import approve_comment
from tests.factories import make_comment, make_essay, make_user

pytestmark = pytest.mark.django_db


def revalidate(client, url, response):
    return client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])


def test_essay_page_answers_304_until_something_changes(client, django_capture_on_commit_callbacks):
    essay = make_essay()
    url = essay.get_absolute_url()
    client.get(url)  # the first visit sets the CSRF cookie, which is part of the ETag
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    assert "no-cache" in first["Cache-Control"] and "private" in first["Cache-Control"]
    again = revalidate(client, url, first)
    assert again.status_code == 304 and again.content == b""
    since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304

    comment = make_comment(essay, status="pending")
    with django_capture_on_commit_callbacks(execute=True):  # a change counts once committed
        approve_comment(
            comment=comment, moderator=make_user(groups=[Group.objects.get(name="Moderators")])
        )
    changed = revalidate(client, url, first)
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]

    essay.title = "Retitled"
    essay.save()
    assert revalidate(client, url, changed).status_code == 200


def test_the_etag_differs_with_the_readers_choices(client):
    essay = make_essay()
    url = essay.get_absolute_url()
    plain = client.get(url)
    other = Client()
    other.cookies["reading_prefs"] = "something-else"
    assert other.get(url)["ETag"] != plain["ETag"]
    assert client.get(f"{url}?cpage=2")["ETag"] != plain["ETag"]


def test_commenters_and_staff_always_get_a_fresh_page(client):
    essay = make_essay()
    client.force_login(make_user(is_staff=True))
    response = client.get(essay.get_absolute_url())
    assert response.status_code == 200 and "ETag" not in response


def test_home_and_feeds_answer_304_until_an_essay_appears(client):
    make_essay()
    client.get("/")
    for url in ["/", "/feed/", "/feed/rss/"]:
        first = client.get(url)
        assert revalidate(client, url, first).status_code == 304, url
    scheduled = make_essay(published_at=timezone.now() + timedelta(days=1))
    home = client.get("/")
    assert revalidate(client, "/", home).status_code == 304  # the scheduled one is not out
    scheduled.published_at = timezone.now() - timedelta(minutes=1)
    scheduled.save()
    assert revalidate(client, "/", home).status_code == 200


def test_new_comment_counts_change_the_home_page(client, django_capture_on_commit_callbacks):
    essay = make_essay()
    home = client.get("/")
    comment = make_comment(essay, status="pending")
    assert revalidate(client, "/", home).status_code == 304  # a pending one is not counted
    with django_capture_on_commit_callbacks(execute=True):  # screening publishes it
        change_status(comment=comment, to="approved", expected=["pending"])
    assert revalidate(client, "/", home).status_code == 200
