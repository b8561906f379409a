"""Topics, series and authors: the pages readers find essays by, their feeds, sitemap
entries and structured data, all honouring the warnings a reader hides."""

import json
import re
from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from blog.models import Author, EssayAuthor, Series, SeriesPart
from blog.preferences import ReadingPreferences
from tests.factories import make_author, make_essay, make_topic, make_warning

pytestmark = pytest.mark.django_db


def hide(client, *warnings):
    """Give the test client a reading-preferences cookie that hides these warnings."""
    from django.http import HttpResponse

    response = HttpResponse()
    ReadingPreferences(hide=frozenset(w.pk for w in warnings)).save(response)
    for name, morsel in response.cookies.items():
        client.cookies[name] = morsel.value


def cards(html: str) -> list[str]:
    return re.findall(r'<h2 class="card-title"><a href="[^"]+">([^<]+)</a>', html)


# -- topics ------------------------------------------------------------------------------


def test_a_topic_page_lists_its_essays_and_its_sub_topics_essays_newest_first(client):
    family = make_topic("Family", description="Parents, siblings and partners.")
    siblings = make_topic("Siblings", parent=family)
    other = make_topic("Policing")
    older = make_essay("About a mother", topics=[family], days_ago=9)
    newer = make_essay("About a brother", topics=[siblings], days_ago=2)
    make_essay("About the police", topics=[other])
    make_essay("A draft about family", topics=[family], status="draft")

    html = client.get(family.get_absolute_url()).content.decode()
    assert cards(html) == [newer.title, older.title]
    assert "Parents, siblings and partners." in html
    assert f'<a href="{siblings.get_absolute_url()}">Siblings</a>' in html
    sub = client.get(siblings.get_absolute_url()).content.decode()
    assert cards(sub) == [newer.title]
    assert f'<a href="{family.get_absolute_url()}">Family</a>' in sub  # breadcrumb


def test_an_essay_in_two_sub_topics_is_listed_once(client):
    family = make_topic("Family")
    essay = make_essay(
        "Twice tagged", topics=[make_topic(parent=family), make_topic(parent=family)]
    )
    assert cards(client.get(family.get_absolute_url()).content.decode()) == [essay.title]


def test_topic_pages_hide_what_the_reader_hides_and_say_how_many(client, settings):
    settings.ESSAYS_PER_PAGE = 10
    abuse = make_warning("Domestic abuse")
    topic = make_topic("Family")
    make_essay("Kept", topics=[topic])
    for i in range(2):
        make_essay(f"Hidden {i}", topics=[topic], warnings=[abuse])
    hide(client, abuse)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert cards(html) == ["Kept"]
    assert "2 essays are hidden here by your reading preferences" in html
    assert 'href="/preferences/"' in html


def test_the_topic_list_counts_what_each_topic_page_lists(client):
    recovery = make_topic("Recovery", description="Life after harm.")
    sleep = make_topic("Sleep", parent=recovery)
    make_essay(topics=[recovery])
    make_essay(topics=[recovery, sleep])  # counted once under Recovery
    make_essay(topics=[sleep])
    make_essay(topics=[recovery], status="draft")
    html = client.get("/topics/").content.decode()
    assert 'Recovery</a> <span class="topic-count">(3 essays)</span>' in html
    assert 'Sleep</a> <span class="topic-count">(2 essays)</span>' in html
    assert "Life after harm." in html
    abuse = make_warning("Abuse")
    make_essay(topics=[sleep], warnings=[abuse])
    hide(client, abuse)  # the counts are of what this reader's topic pages list
    html = client.get("/topics/").content.decode()
    assert 'Sleep</a> <span class="topic-count">(2 essays)</span>' in html


def test_a_topic_cannot_sit_inside_itself():
    from django.core.exceptions import ValidationError

    top = make_topic("Top")
    middle = make_topic("Middle", parent=top)
    top.parent = middle
    with pytest.raises(ValidationError, match="cannot sit inside itself"):
        top.full_clean()


@pytest.mark.parametrize("path", ["/topics/no-such/", "/series/no-such/", "/authors/no-such/",
                                  "/topics/no-such/feed/", "/authors/no-such/feed/"])  # fmt: skip
def test_unknown_slugs_get_the_sites_404_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode() or "not found" in response.content.decode()


@pytest.mark.parametrize("n_essays", [2, 40])
def test_topic_and_author_pages_query_counts_do_not_grow(
    n_essays, client, django_assert_max_num_queries
):
    warning = make_warning()
    topic = make_topic("Counted")
    author = make_author("Counted Writer")
    for _ in range(n_essays):
        make_essay(topics=[topic], authors=[author, "Second Writer"], warnings=[warning])
    hide(client, make_warning())  # a reader who hides something: private pages, a count more
    # topic, topic tree, freshness, all count, shown count, essays, warnings, authors,
    # sub-topics, comment counts
    with django_assert_max_num_queries(10):
        assert client.get(topic.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(author.get_absolute_url()).status_code == 200


# -- authors -----------------------------------------------------------------------------


def test_co_authored_essays_name_every_author_in_order_with_links(client):
    ana, sam = make_author("Ana Ruiz"), make_author("Sam Lee")
    essay = make_essay("Written together", authors=[sam, ana])
    html = client.get(essay.get_absolute_url()).content.decode()
    assert (
        f'By <a href="{sam.get_absolute_url()}">Sam Lee</a> and '
        f'<a href="{ana.get_absolute_url()}">Ana Ruiz</a>'
    ) in html
    assert essay.author_names() == "Sam Lee and Ana Ruiz"
    three = make_essay(authors=[ana, sam, "Kim Oh"])
    assert three.author_names() == "Ana Ruiz, Sam Lee and Kim Oh"


def test_an_author_page_has_the_bio_the_pseudonym_note_and_their_essays(client):
    author = make_author("Nadia R.", bio="Writes about the year after.", is_pseudonym=True)
    mine = make_essay("Mine", authors=[author])
    shared = make_essay("Shared", authors=["Someone Else", author], days_ago=3)
    make_essay("Not mine")
    html = client.get(author.get_absolute_url()).content.decode()
    assert cards(html) == [mine.title, shared.title]
    assert "Writes about the year after." in html
    assert "Writes here under a pseudonym." in html
    plain = make_author("Real Name")
    assert "pseudonym" not in client.get(plain.get_absolute_url()).content.decode()


# -- series ------------------------------------------------------------------------------


def make_series(*essays, title="Afterwards"):
    series = Series.objects.create(title=title, slug=title.lower(), description="In order.")
    for position, essay in enumerate(essays, start=1):
        SeriesPart.objects.create(series=series, essay=essay, position=position)
    return series


def test_an_essay_in_a_series_says_which_part_and_links_its_neighbours(client):
    grief = make_warning("Grief")
    one, two = make_essay("One", days_ago=9), make_essay("Two", days_ago=5, warnings=[grief])
    draft = make_essay("Unpublished", status="draft")
    three = make_essay("Three", days_ago=1)
    series = make_series(one, two, draft, three)

    middle = client.get(two.get_absolute_url()).content.decode()
    assert "Part 2 of 3 in" in middle  # the draft is no part yet
    assert f'<a href="{series.get_absolute_url()}">Afterwards</a>' in middle
    assert re.search(rf'rel="prev" href="{one.get_absolute_url()}".*One</a>', middle)
    assert re.search(rf'rel="next" href="{three.get_absolute_url()}".*Three</a>', middle)
    first = client.get(one.get_absolute_url()).content.decode()
    assert "Part 1 of 3" in first and 'rel="prev"' not in first
    # The next part's warnings are named beside its link.
    assert re.search(r'Next part</span> Two</a><ul class="cw-labels"[^>]*><li[^>]*>Grief', first)


def test_a_neighbour_the_reader_hides_is_linked_without_its_title(client):
    abuse = make_warning("Domestic abuse")
    first, second = make_essay("Open part", days_ago=3), make_essay("Hard part", warnings=[abuse])
    make_series(first, second)
    hide(client, abuse)
    html = client.get(first.get_absolute_url()).content.decode()
    assert "Next part</span> Hidden by your reading preferences</a>" in html
    assert "Hard part" not in html


def test_an_essay_page_changes_when_a_scheduled_part_of_its_series_comes_out(client, monkeypatch):
    from django.core.cache import cache

    from blog import caching

    comments_closed = {"comments_open": False}  # no form stamp to move the ETag by itself
    first = make_essay("First", days_ago=2, **comments_closed)
    later = make_essay("Later", published_at=timezone.now() + timedelta(hours=1))
    make_series(first, later)
    before = client.get(first.get_absolute_url())
    assert "Part 1 of 1" in before.content.decode()

    soon = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr("blog.models.timezone.now", lambda: soon)
    cache.delete(caching.NEWEST_PUBLIC_KEY)  # as CACHE_SHARED_SECONDS passing does
    after = client.get(first.get_absolute_url(), HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert "Part 1 of 2" in after.content.decode() and 'rel="next"' in after.content.decode()


def test_the_series_page_lists_its_parts_in_order_with_warnings_and_numbers(client):
    grief = make_warning("Grief")
    first = make_essay("First written last", days_ago=1)
    second = make_essay("Second", days_ago=20, warnings=[grief])
    series = make_series(first, second)
    html = client.get(series.get_absolute_url()).content.decode()
    assert cards(html) == [first.title, second.title]
    assert "A series in 2 parts" in html and "Part 2" in html
    assert '<li class="cw-label">Grief</li>' in html


def test_the_series_page_honours_hidden_warnings(client):
    grief = make_warning("Grief")
    series = make_series(make_essay("Shown"), make_essay("Hidden", warnings=[grief]))
    hide(client, grief)
    html = client.get(series.get_absolute_url()).content.decode()
    assert cards(html) == ["Shown"] and "One essay is hidden here" in html


# -- related essays ----------------------------------------------------------------------


def test_related_essays_share_topics_most_first_and_leave_out_hidden_warnings(client):
    a, b, c = make_topic("A"), make_topic("B"), make_topic("C")
    essay = make_essay("This one", topics=[a, b, c])
    make_essay("Shares two", topics=[a, b], days_ago=9)
    make_essay("Shares one, newer", topics=[c], days_ago=1)
    abuse = make_warning("Abuse")
    make_essay("Shares three but hidden", topics=[a, b, c], warnings=[abuse])
    make_essay("Shares none", topics=[make_topic()])
    make_essay("Draft", topics=[a, b, c], status="draft")

    hide(client, abuse)
    html = client.get(essay.get_absolute_url()).content.decode()
    related = html[html.index('id="related-title"') :]
    titles = re.findall(r'<li><a href="[^"]+">([^<]+)</a>', related)
    assert titles == ["Shares two", "Shares one, newer"]


def test_an_essay_without_topics_shows_no_related_section(client):
    essay = make_essay("Alone")
    make_essay("Other")
    assert 'id="related-title"' not in client.get(essay.get_absolute_url()).content.decode()


@pytest.mark.parametrize("n_essays", [2, 30])
def test_essay_page_query_count_with_topics_series_and_related_is_constant(
    n_essays, client, django_assert_max_num_queries
):
    topic, warning = make_topic(), make_warning()
    essays = [make_essay(topics=[topic], warnings=[warning]) for _ in range(n_essays)]
    make_series(*essays)
    # essay (+ series), warnings, authors, topics, the newest public essay, comment count,
    # threads (2), series parts, their warnings, related, their warnings
    with django_assert_max_num_queries(12):
        assert client.get(essays[0].get_absolute_url()).status_code == 200


# -- feeds, sitemap, structured data -----------------------------------------------------


def test_topic_and_author_feeds_lead_with_warnings_and_leave_gated_bodies_out(client):
    gating = make_warning("Sexual violence", gates=True)
    topic, author = make_topic("Recovery"), make_author("Ana Ruiz")
    make_essay("Gated", topics=[topic], authors=[author], warnings=[gating],
               body="Secret body words.")  # fmt: skip
    make_essay("Open", topics=[topic], authors=[author], body="Open body words.", days_ago=3)
    make_essay("Elsewhere")
    for url in (f"/topics/{topic.slug}/feed/", f"/authors/{author.slug}/feed/"):
        response = client.get(url)
        assert response.status_code == 200
        feed = feedparser.parse(response.content)
        assert [e.title for e in feed.entries] == ["Gated", "Open"]
        gated = feed.entries[0].summary
        assert gated.index("Sexual violence") < gated.index("Summary")
        assert "Secret body words" not in response.content.decode()
        assert feed.entries[1].author == "Ana Ruiz"
    assert (
        "Recovery" in feedparser.parse(client.get(f"/topics/{topic.slug}/feed/").content).feed.title
    )


def test_the_sitemap_lists_topic_series_and_author_pages_that_have_published_essays(client):
    topic, empty_topic = make_topic("Listed"), make_topic("Empty")
    author = make_author("Listed Writer")
    essay = make_essay(topics=[topic], authors=[author])
    make_essay(topics=[empty_topic], status="draft")
    series = make_series(essay)
    xml = client.get("/sitemap.xml").content.decode()
    for url in (topic.get_absolute_url(), author.get_absolute_url(), series.get_absolute_url(),
                "/topics/"):  # fmt: skip
        assert f"{url}</loc>" in xml
    assert f"{empty_topic.get_absolute_url()}</loc>" not in xml


def test_essay_pages_carry_a_json_ld_article_without_the_body(client, settings):
    settings.SITE_URL = "https://essays.example"
    topic = make_topic("Recovery")
    essay = make_essay("A </script> title", topics=[topic], authors=["Ana Ruiz", "Sam Lee"],
                       body="Body words stay out.")  # fmt: skip
    html = client.get(essay.get_absolute_url()).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "</script" not in block  # escaped inside the element
    data = json.loads(block)
    assert data["@type"] == "Article" and data["headline"] == "A </script> title"
    assert [a["name"] for a in data["author"]] == ["Ana Ruiz", "Sam Lee"]
    assert data["author"][0]["url"].startswith("https://essays.example/authors/")
    assert data["keywords"] == ["Recovery"]
    assert data["datePublished"] == essay.published_at.isoformat()
    assert "Body words" not in block


def test_renaming_a_topic_or_author_shows_on_the_cached_essay_page_at_once(client):
    topic, author = make_topic("Old topic"), make_author("Old Name")
    essay = make_essay(topics=[topic], authors=[author])
    assert "Old topic" in client.get(essay.get_absolute_url()).content.decode()
    topic.name, author.name = "New topic", "New Name"
    topic.save()
    author.save()
    html = client.get(essay.get_absolute_url()).content.decode()
    assert "New topic" in html and "New Name" in html


def test_an_essay_with_no_author_is_by_the_editors(client):
    essay = make_essay("Unsigned")
    EssayAuthor.objects.filter(essay=essay).delete()
    assert "By the editors" in client.get(essay.get_absolute_url()).content.decode()


def test_scheduled_essays_stay_off_topic_and_author_pages(client):
    topic, author = make_topic(), make_author("Future Writer")
    make_essay("Tomorrow", topics=[topic], authors=[author],
               published_at=timezone.now() + timedelta(days=1))  # fmt: skip
    assert "Tomorrow" not in client.get(topic.get_absolute_url()).content.decode()
    assert "Tomorrow" not in client.get(author.get_absolute_url()).content.decode()
    assert Author.objects.get(pk=author.pk).essays.count() == 1
