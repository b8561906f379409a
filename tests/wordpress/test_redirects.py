"""Old WordPress links answer 301 to their new place; our own pages are never shadowed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blog.models import Essay
from tests.factories import make_comment, make_essay, make_topic
from tests.wordpress.exports import WPComment, WPPost, write_export
from wordpress.importer import import_wordpress
from wordpress.models import ImportedObject

pytestmark = pytest.mark.django_db
SITE = "https://old.example.org"
Kind = ImportedObject.Kind


def record(kind, wordpress_id, obj, old_link="", site=SITE):
    return ImportedObject.objects.create(
        site_url=site, kind=kind, wordpress_id=str(wordpress_id), object_id=obj.pk,
        old_link=old_link,
    )  # fmt: skip


@pytest.fixture
def old_site():
    """An imported essay with two comments, its category (under a parent) and a tag."""
    essay = make_essay(slug="on-silence")
    first = make_comment(essay)
    hidden = make_comment(essay, status="spam")
    parent, child = make_topic("Grief"), make_topic("Loss")
    tag = make_topic("Letters", slug="letters")
    record(Kind.ESSAY, 123, essay, f"{SITE}/2017/10/23/silence/")
    record(Kind.COMMENT, 456, first, f"{SITE}/2017/10/23/silence/#comment-456")
    record(Kind.COMMENT, 457, hidden, f"{SITE}/2017/10/23/silence/#comment-457")
    record(Kind.TOPIC, "category:7", parent, f"{SITE}/category/grief/")
    record(Kind.TOPIC, "category:8", child, f"{SITE}/category/grief/loss/")
    record(Kind.TOPIC, "post_tag:9", tag, f"{SITE}/tag/old-letters/")
    return {"essay": essay, "comment": first, "parent": parent, "child": child, "tag": tag}


def assert_moved(client, url, expected):
    response = client.get(url)
    assert response.status_code == 301, url
    assert response["Location"] == expected, url


@pytest.mark.parametrize(
    "url",
    [
        "/2017/10/23/silence/",
        "/2017/10/23/silence",  # without its slash
        "/2017/10/23/SILENCE/",
        "/?p=123",
        "/?page_id=123",
        "/2017/10/23/silence/comment-page-2/",
        "/2017/10/23/silence/2/",  # the second page of a post split with <!--nextpage-->
        "/2017/10/23/silence/amp/",
        "/2017/10/23/silence/?replytocom=999",  # a comment we do not have: the essay
        "/?p=123&replytocom=457",  # a spam comment is not shown: the essay
    ],
)
def test_an_old_post_link_moves_to_the_essay(client, old_site, url):
    assert_moved(client, url, "/essays/on-silence/")


@pytest.mark.parametrize(
    "url", ["/2017/10/23/silence/feed/", "/2017/10/23/silence/feed/rss2/", "/?p=123&feed=rss2"]
)
def test_a_post_feed_moves_to_the_essay_comment_feed(client, old_site, url):
    assert_moved(client, url, "/essays/on-silence/comments/feed/")


@pytest.mark.parametrize(
    "url",
    [
        "/?p=123&replytocom=456",
        "/?p=123&c=456",
        "/2017/10/23/silence/?replytocom=456",
        "/2017/10/23/silence/comment-page-1/?replytocom=456",
    ],
)
def test_a_link_naming_an_old_comment_reaches_the_comment(client, old_site, url):
    comment = old_site["comment"]
    assert_moved(client, url, f"/comments/{comment.pk}/")
    page = client.get(f"/comments/{comment.pk}/")
    assert page["Location"].endswith(f"#comment-{comment.pk}")


def test_old_category_and_tag_links_move_to_the_topic(client, old_site):
    assert_moved(client, "/category/grief/", f"/topics/{old_site['parent'].slug}/")
    assert_moved(client, "/category/grief/loss/", f"/topics/{old_site['child'].slug}/")
    assert_moved(client, "/category/grief/loss/page/2/", f"/topics/{old_site['child'].slug}/")
    assert_moved(client, "/category/grief/feed/", f"/topics/{old_site['parent'].slug}/feed/")
    assert_moved(client, "/tag/old-letters/", "/topics/letters/")
    assert_moved(client, "/?cat=8", f"/topics/{old_site['child'].slug}/")
    assert_moved(client, "/?tag=old-letters", "/topics/letters/")


def test_a_percent_encoded_slug_matches_however_it_is_written(client):
    essay = make_essay(slug="ri-ji")
    record(Kind.ESSAY, 5, essay, f"{SITE}/%e6%97%a5%e8%a8%98/")
    assert_moved(client, "/%E6%97%A5%E8%A8%98/", "/essays/ri-ji/")
    assert_moved(client, "/\u65e5\u8a18/", "/essays/ri-ji/")


def test_links_to_what_is_not_public_or_not_ours_stay_404(client, old_site):
    draft = make_essay(slug="unfinished", status=Essay.Status.DRAFT)
    record(Kind.ESSAY, 200, draft, f"{SITE}/unfinished-thoughts/")
    assert client.get("/unfinished-thoughts/").status_code == 404
    assert client.get("/?p=200").status_code == 200  # the home page, as without the query
    assert client.get("/2017/10/23/someone-else/").status_code == 404
    assert client.get("/silence/").status_code == 404  # a part of the path is not a match


@pytest.mark.parametrize(
    "url", ["/old%00link/", "/?tag=a%00b", "/" + "x" * 2000 + "/", "/?p=%00&replytocom=1%00"]
)
def test_hostile_old_links_are_plain_404s_or_the_home_page(client, old_site, url):
    assert client.get(url).status_code in (200, 404)


def test_our_own_addresses_are_never_shadowed(client, old_site):
    mine = make_essay(slug="mine")
    record(Kind.ESSAY, 300, mine, f"{SITE}/essays/gone/")
    record(Kind.ESSAY, 301, mine, f"{SITE}/feed/")
    assert client.get("/essays/gone/").status_code == 404  # our pattern: not redirected
    response = client.get("/feed/")
    assert response.status_code == 200 and "atom" in response["Content-Type"]
    assert client.get("/topics/").status_code == 200


def test_a_post_from_an_import_redirects_by_id_and_link(client, tmp_path):
    post = WPPost(41, name="after", comments=[WPComment(77)])
    import_wordpress(write_export(tmp_path, post))
    comment_pk = ImportedObject.objects.get(kind=Kind.COMMENT).object_id
    assert_moved(client, "/?p=41", "/essays/after/")
    assert_moved(client, "/?p=41&replytocom=77", f"/comments/{comment_pk}/")


def test_a_redirect_costs_one_query_and_other_pages_none(
    client, old_site, django_assert_max_num_queries
):
    with django_assert_max_num_queries(1):
        assert client.get("/2017/10/23/silence/").status_code == 301
    with django_assert_max_num_queries(1):
        assert client.get("/?p=123&replytocom=456").status_code == 301
    with django_assert_max_num_queries(1):
        assert client.get("/no/such/page/").status_code == 404
    for url in ("/", "/topics/", "/essays/on-silence/", "/essays/missing/"):
        with CaptureQueriesContext(connection) as page:
            client.get(url)
        looked_up = [q for q in page.captured_queries if "importedobject" in q["sql"]]
        assert not looked_up, url
