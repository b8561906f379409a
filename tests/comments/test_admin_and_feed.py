import feedparser
import pytest
from django.urls import reverse

from blog.markup import render_comment
from tests.factories import make_comment, make_essay, make_user

pytestmark = pytest.mark.django_db


def test_admin_lists_filters_and_searches_comments(client):
    essay = make_essay("Findable essay")
    make_comment(
        essay,
        author_name="Quinn",
        body="Needle in a haystack",
        status="pending",
        ip_address="198.51.100.4",
    )
    make_comment(essay, author_name="Other", body="Nothing here")
    client.force_login(make_user(is_staff=True, is_superuser=True))
    url = reverse("admin:comments_comment_changelist")
    html = client.get(url + "?q=Needle").content.decode()
    assert "Quinn" in html and "Other" not in html and "Findable essay" in html
    html = client.get(url + "?status__exact=approved").content.decode()
    assert "Other" in html and "Quinn" not in html
    assert "198.51.100.4" in client.get(url + "?q=198.51.100.4").content.decode()


def test_admin_shows_request_data_read_only(client):
    comment = make_comment(make_essay(), ip_address="198.51.100.9", user_agent="UA/1")
    client.force_login(make_user(is_staff=True, is_superuser=True))
    html = client.get(reverse("admin:comments_comment_change", args=[comment.pk])).content.decode()
    assert "198.51.100.9" in html and "UA/1" in html
    assert 'name="ip_address"' not in html and 'name="user_agent"' not in html
    assert client.get(reverse("admin:comments_comment_add")).status_code == 403


def test_essay_comment_feed_has_approved_comments_only(client):
    essay = make_essay()
    make_comment(essay, author_name="Visible", body="Public words.")
    make_comment(essay, author_name="Hidden", body="Pending words.", status="pending")
    make_comment(essay, author_name="Careful", body="Hard words.", content_warning="Grief <b>")
    feed = feedparser.parse(client.get(f"/essays/{essay.slug}/comments/feed/").content)
    assert not feed.bozo
    authors = [e.author for e in feed.entries]
    assert sorted(authors) == ["Careful", "Visible"]
    careful = next(e for e in feed.entries if e.author == "Careful")
    assert "Hard words." not in careful.summary and "Grief &lt;b&gt;" in careful.summary
    assert client.get("/essays/nope/comments/feed/").status_code == 404


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One line.", "<p>One line.</p>"),
        ("Para one.\n\nPara two.", "<p>Para one.</p>\n<p>Para two.</p>"),
        ("Line one\nline two", "<p>Line one<br>\nline two</p>"),
        (
            "<em>kept</em> <strong>kept</strong> <del>kept</del>",
            "<p><em>kept</em> <strong>kept</strong> <del>kept</del></p>",
        ),
        ("<h1>no</h1><img src=x>", "no"),
        ("5 < 6 & 7 > 3", "<p>5 &lt; 6 &amp; 7 &gt; 3</p>"),
        (
            '<a href="https://e.example" onclick="x">e</a>',
            '<p><a href="https://e.example" rel="nofollow ugc noopener">e</a></p>',
        ),
        ('<a href="javascript:alert(1)">x</a>', '<p><a rel="nofollow ugc noopener">x</a></p>'),
        (
            "see www.example.org.",
            '<p>see <a href="http://www.example.org" rel="nofollow ugc noopener">'
            "www.example.org</a>.</p>",
        ),
        (
            "<code>https://not.linked.example</code>",
            "<p><code>https://not.linked.example</code></p>",
        ),
    ],
)
def test_comment_bodies_render_to_a_small_safe_subset(text, expected):
    assert render_comment(text) == expected
