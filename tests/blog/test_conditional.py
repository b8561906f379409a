"""ETags, 304 Not Modified, and which responses shared caches may keep."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from comments.services import change_status
from moderation.services import approve_comment
from tests.factories import make_comment, make_essay, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_form_stamp_window(monkeypatch):
    """An essay page with an open comment form changes with the form's time stamp, once per
    CACHE_SHARED_SECONDS; these tests compare pages within one window."""
    from types import SimpleNamespace

    monkeypatch.setattr("comments.forms.time", SimpleNamespace(time=lambda: 1_800_000_000.5))


def revalidate(client, url, response):
    return client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])


def test_essay_page_answers_304_until_something_changes(client, django_capture_on_commit_callbacks):
    essay = make_essay()
    url = essay.get_absolute_url()
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"].startswith('"')  # a strong ETag
    assert first["Cache-Control"] == "public, max-age=0, s-maxage=1"
    assert "Cookie" in first["Vary"] and not first.cookies
    again = revalidate(client, url, first)
    assert again.status_code == 304 and again.content == b""

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


def test_commenters_and_staff_always_get_a_fresh_private_page(client):
    essay = make_essay()
    client.force_login(make_user(is_staff=True))
    response = client.get(essay.get_absolute_url())
    assert response.status_code == 200 and "ETag" not in response
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_readers_with_choices_get_private_pages_with_their_own_etag(client):
    essay = make_essay()
    client.post(f"{essay.get_absolute_url()}continue/")  # sets the preferences cookie
    response = client.get(essay.get_absolute_url())
    assert "private" in response["Cache-Control"] and "s-maxage" not in response["Cache-Control"]
    assert revalidate(client, essay.get_absolute_url(), response).status_code == 304


@pytest.mark.parametrize("url", ["/", "/feed/", "/feed/rss/"])
def test_lists_and_feeds_are_shareable_for_readers_without_cookies(client, url, settings):
    settings.CACHE_SHARED_SECONDS = 30
    make_essay()
    first = client.get(url)
    assert first["Cache-Control"] == "public, max-age=0, s-maxage=30"
    again = Client().get(url)
    assert again.content == first.content and again["Content-Type"] == first["Content-Type"]
    assert not again.cookies


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


def test_new_comment_counts_change_topic_and_author_pages_but_not_feeds(
    client, django_capture_on_commit_callbacks
):
    from tests.factories import make_author, make_topic

    topic, author = make_topic(), make_author("Counted Writer")
    essay = make_essay(topics=[topic], authors=[author])
    urls = [topic.get_absolute_url(), author.get_absolute_url(), "/feed/"]
    before = {url: client.get(url) for url in urls}
    comment = make_comment(essay, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        change_status(comment=comment, to="approved", expected=["pending"])
    assert revalidate(client, urls[0], before[urls[0]]).status_code == 200
    assert "1 comment" in client.get(urls[0]).content.decode()
    assert revalidate(client, urls[1], before[urls[1]]).status_code == 200
    assert revalidate(client, "/feed/", before["/feed/"]).status_code == 304


def test_an_essay_pages_etag_moves_with_the_form_stamp_window(client, monkeypatch):
    """A shared copy never outlives its form's time stamp (the time trap stays honest)."""
    from types import SimpleNamespace

    essay = make_essay()
    first = client.get(essay.get_absolute_url())
    monkeypatch.setattr("comments.forms.time", SimpleNamespace(time=lambda: 1_800_000_001.5))
    later = revalidate(client, essay.get_absolute_url(), first)
    assert later.status_code == 200 and later["ETag"] != first["ETag"]
