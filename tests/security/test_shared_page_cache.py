"""The shared page cache (blog/caching.py cached_response) attacked: a page kept under its
ETag must be the page every reader who gets that ETag would have been given, and requests
alone must not fill the cache. Written by a security review of the caching change; each
finding it made is fixed and stays tested here."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from comments.models import Comment
from tests.factories import make_comment, make_essay

pytestmark = pytest.mark.django_db

HOST = "essays.example"
WWW = "www.essays.example"


def _stored_pages() -> list[str]:
    """Keys of whole pages kept by cached_response (locmem cache in the test settings)."""
    return [k for k in getattr(cache, "_cache", {}) if ":blog:page:" in k]


# -- Finding: the feed is stored under an ETag that ignores the Host and the scheme ---------


def test_the_feed_kept_for_one_host_is_not_served_to_another(settings):
    """Django's syndication Feed builds absolute links from request.get_host() and
    request.is_secure(); listing_etag() leaves both out, so the first host to ask decides
    the links every reader of the feed gets until an essay changes (a day at most)."""
    settings.ALLOWED_HOSTS = [HOST, WWW]
    make_essay("Feed entry", slug="feed-entry")
    attacker = Client(HTTP_HOST=WWW)
    assert f"http://{WWW}/essays/feed-entry/" in attacker.get("/feed/").text
    reader = Client(HTTP_HOST=HOST)
    feed = reader.get("/feed/", secure=True)
    assert feed.status_code == 200
    assert WWW not in feed.text, "the feed's links name the host another request sent"
    assert f"https://{HOST}/essays/feed-entry/" in feed.text


def test_the_feed_kept_for_plain_http_is_not_served_over_https(settings):
    settings.ALLOWED_HOSTS = [HOST]
    make_essay("Feed entry", slug="feed-entry")
    Client(HTTP_HOST=HOST).get("/feed/rss/")  # over http
    feed = Client(HTTP_HOST=HOST).get("/feed/rss/", secure=True)
    assert feed.status_code == 200
    assert f"http://{HOST}/" not in feed.text, "https readers get http:// links from the store"


# -- Finding: every junk page number is one more stored copy of the whole page ------------


def test_junk_comment_page_numbers_do_not_each_store_a_copy_of_the_page():
    """`?cpage=<anything up to 10 characters>` is part of the page key, but positive_id()
    turns every non-number into page 1: each junk value stores one more full copy, for a
    day, so anyone can fill (and churn) the shared cache with requests alone."""
    essay = make_essay()
    client = Client()
    for n in range(20):
        response = client.get(f"{essay.get_absolute_url()}?cpage=junk{n:05d}")
        assert response.status_code == 200
        assert "public" in response["Cache-Control"]
    assert len(_stored_pages()) <= 2, f"{len(_stored_pages())} copies of one page stored"


def test_a_shared_page_is_kept_no_longer_than_a_shared_cache_may_keep_it(monkeypatch, settings):
    """The form stamp is in the ETag, so an essay page's key changes every
    CACHE_SHARED_SECONDS; a copy kept longer than that (plus a second) would only pile up."""
    settings.CACHE_SHARED_SECONDS = 1
    timeouts = []
    original = cache.set
    monkeypatch.setattr(cache, "set", lambda key, value, timeout=None, **kw: (
        timeouts.append(timeout) if ":page:" in key or key.startswith("blog:page:") else None,
        original(key, value, timeout, **kw)))  # fmt: skip
    essay = make_essay()
    assert "public" in Client().get(essay.get_absolute_url())["Cache-Control"]
    assert "public" in Client().get("/")["Cache-Control"]
    assert timeouts == [2, 2]


# -- Finding: page numbers are cut to 10 characters in the key, not when read --------------


def test_two_different_comment_pages_never_share_one_stored_copy(settings):
    settings.COMMENTS_THREADS_PER_PAGE = 1
    essay = make_essay()
    make_comment(essay, body="First thread on page one.")
    make_comment(essay, body="Second thread on page two.")
    client = Client()
    url = essay.get_absolute_url()
    # 11 characters each: the key keeps "0000000000" of both.
    page_two = client.get(f"{url}?cpage=00000000002")
    assert "Second thread on page two." in page_two.text
    page_one = client.get(f"{url}?cpage=00000000001")
    assert "First thread on page one." in page_one.text, "page 2's stored copy served as page 1"


# -- Held: what a reader gets is never another reader's -------------------------------------


@pytest.mark.parametrize(
    "cookie",
    ["reading_prefs=", "comment_author=", "comment_edits=forged", "comments_hidden=x",
     "messages=x", "sessionid=nonsense"],
)  # fmt: skip
def test_any_shaping_cookie_even_empty_or_forged_gets_a_private_page(cookie):
    essay = make_essay()
    client = Client(HTTP_COOKIE=cookie)
    response = client.get(essay.get_absolute_url())
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    assert not _stored_pages()


def test_a_pending_comment_named_by_replytocom_is_not_shown_to_a_stranger():
    essay = make_essay()
    pending = make_comment(essay, status=Comment.Status.PENDING, body="Not yet approved words.")
    response = Client().get(f"{essay.get_absolute_url()}?replytocom={pending.pk}")
    assert response.status_code == 200
    assert "Not yet approved words." not in response.text
    assert not re.search(rf'name="parent"[^>]*value="{pending.pk}"', response.text)


def test_a_head_request_stores_the_full_page_for_the_next_get():
    essay = make_essay(body="Body text kept whole.")
    client = Client()
    assert client.head(essay.get_absolute_url()).status_code == 200
    response = client.get(essay.get_absolute_url())
    assert "Body text kept whole." in response.text


def test_a_post_to_the_essay_address_does_not_change_the_stored_page():
    essay = make_essay(body="Body text kept whole.")
    client = Client()
    client.post(essay.get_absolute_url(), {"body": "injected"}, HTTP_SEC_FETCH_SITE="cross-site")
    response = client.get(essay.get_absolute_url())
    assert "injected" not in response.text and "Body text kept whole." in response.text


# -- Finding: a page marked public while Django's CSRF middleware sets a cookie -------------


@pytest.mark.parametrize("cookie", ["csrftoken=", "csrftoken=not-a-token"])
@pytest.mark.parametrize("path", ["essay", "/", "/feed/"])
def test_a_public_response_never_sets_a_cookie(cookie, path):
    """cached_response() checks response.cookies when the view returns; CsrfViewMiddleware
    adds its cookie afterwards (a malformed csrftoken is replaced with a fresh secret)."""
    essay = make_essay()
    url = essay.get_absolute_url() if path == "essay" else path
    response = Client(HTTP_COOKIE=cookie).get(url)
    assert response.status_code == 200
    if "public" in response["Cache-Control"]:
        assert not response.cookies, f"public, with Set-Cookie: {list(response.cookies)}"
