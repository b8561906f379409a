"""/search/: what it finds, what it never shows, and every odd query answered clearly.

The same tests run on SQLite (the plain fallback) and on PostgreSQL (full-text search)."""

import re

import pytest
from django.db import connection

from blog.search import refresh_search_vectors
from tests.blog.test_discovery import cards, hide
from tests.factories import make_author, make_essay, make_topic, make_warning

pytestmark = pytest.mark.django_db
SEARCH = "/search/"


def search(client, q, **params):
    return client.get(SEARCH, {"q": q, **params})


def test_the_empty_search_page_shows_the_box_and_no_results(client):
    response = client.get(SEARCH)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<input type="search" name="q"' in html and "search-count" not in html
    assert response["Cache-Control"].startswith("private") or "private" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("lighthouse", "title"), ("paperwork", "summary"), ("kettle", "body"),
     ("policing", "topic"), ("Adeyemi", "author")],
)  # fmt: skip
def test_search_finds_words_in_titles_summaries_bodies_topics_and_authors(client, query, field):
    make_essay(
        "The lighthouse keeper",
        summary="On the paperwork after.",
        body="She put the kettle on and waited.",
        topics=[make_topic("Policing")],
        authors=["Priya Adeyemi"],
    )
    make_essay("Unrelated", summary="Nothing here.", body="Other words entirely.")
    html = search(client, query).content.decode()
    assert cards(html) == ["The lighthouse keeper"], field
    assert "1 essay matches" in html


def test_every_word_must_match_and_results_keep_their_warnings(client):
    grief = make_warning("Grief")
    make_essay("Winter garden", body="Snow on the garden wall.", warnings=[grief])
    make_essay("Summer garden", body="Bees in the garden.")
    html = search(client, "garden snow").content.decode()
    assert cards(html) == ["Winter garden"]
    assert '<li class="cw-label">Grief</li>' in html


def test_search_leaves_out_hidden_warnings_and_says_how_many(client):
    abuse = make_warning("Domestic abuse")
    make_essay("Kitchen radio", body="The kitchen radio was always on.")
    make_essay("Kitchen door", body="The kitchen door was locked.", warnings=[abuse])
    hide(client, abuse)
    html = search(client, "kitchen").content.decode()
    assert cards(html) == ["Kitchen radio"]
    assert "One essay is hidden here by your reading preferences" in html


def test_a_gated_essays_result_never_shows_its_body(client):
    gating = make_warning("Sexual violence", gates=True)
    make_essay(
        "Behind the screen",
        summary="A summary readers may see.",
        body="The hallway detail zqxbody that the warning screen protects.",
        warnings=[gating],
    )
    make_essay("Open essay", body="An open hallway with nothing behind it.")
    html = search(client, "hallway").content.decode()
    assert sorted(cards(html)) == ["Behind the screen", "Open essay"]
    assert "zqxbody" not in html and "warning screen protects" not in html
    assert "A summary readers may see." in html
    # The open essay's snippet shows its matching words, marked.
    assert re.search(r'class="card-snippet">.*<mark>hallway</mark>', html)


def test_passages_stay_short_in_scripts_without_spaces_and_control_characters_vanish(client):
    make_essay("Long", body="字" * 3000 + "針" + "字" * 3000)
    make_essay("Pasted", body="alpha \x02 beta \x03 needle here")
    long_html = search(client, "針").content.decode()
    if "card-snippet" in long_html:  # SQLite finds 針 inside the run; PostgreSQL may not
        snippet = re.search(r'class="card-snippet">(.*?)</p>', long_html, re.S).group(1)
        assert len(snippet) < 400 and "<mark>針</mark>" in snippet
    pasted = search(client, "needle").content.decode()
    snippet = re.search(r'class="card-snippet">(.*?)</p>', pasted, re.S).group(1)
    assert snippet.count("<mark>") == snippet.count("</mark>") == 1


def test_the_refresh_command_rebuilds_vectors_or_says_why_not():
    from io import StringIO

    from django.core.management import call_command

    make_essay("Vectorised")
    out = StringIO()
    call_command("refresh_search_vectors", stdout=out)
    if connection.vendor == "postgresql":
        assert "rebuilt for 1 essays" in out.getvalue()
    else:
        assert "Nothing to do" in out.getvalue()


def test_snippets_are_escaped(client):
    make_essay("Markup", body="Writing `<b>bold</b>` and <i>tags</i> near the marker word.")
    html = search(client, "marker").content.decode()
    snippet = re.search(r'class="card-snippet">(.*?)</p>', html, re.S).group(1)
    assert "<b>" not in snippet and "<i>" not in snippet and "<mark>marker</mark>" in snippet


def test_the_query_is_escaped_and_kept_in_the_box_and_in_page_links(client, settings):
    settings.ESSAYS_PER_PAGE = 1
    for i in range(3):
        make_essay(f"Lantern {i}", days_ago=i + 1)
    html = search(client, 'lantern "<script>x</script>').content.decode()
    assert "<script>x</script>" not in html
    assert 'value="lantern &quot;&lt;script&gt;x&lt;/script&gt;"' in html
    page_two = search(client, "lantern", page=2).content.decode()
    assert "Page 2 of 3" in page_two and 'href="?q=lantern&amp;page=3"' in page_two


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("x" * 10_000, "Searches are limited to 200 characters; this one has 10000."),
        ("a\x00b", "cannot be searched for (a null byte)"),
        ("tab\x07bell", "control characters"),
        ("?!... ---", "at least one letter or number"),
        ("   ", "Type a word or two to search for."),
    ],
)
def test_bad_queries_get_a_clear_message_and_keep_what_was_typed(client, query, message):
    response = search(client, query)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert 'aria-invalid="true"' in html
    if query.strip() and "\x00" not in query and "\x07" not in query:
        assert f'value="{query.strip()[:50]}' in html


@pytest.mark.parametrize("query", ["насилие", "暴力", "ḥuzn", "'; DROP TABLE blog_essay; --"])
def test_non_latin_and_hostile_queries_are_answered(client, query):
    make_essay("Про насилие", body="Текст о насилие и восстановлении.")
    response = search(client, query)
    assert response.status_code == 200
    if query == "насилие":
        assert cards(response.content.decode()) == ["Про насилие"]


def test_a_query_that_matches_nothing_says_so(client):
    make_essay("Something")
    html = search(client, "xylophonist").content.decode()
    assert "No essays match “xylophonist”" in html


@pytest.mark.parametrize("n_essays", [2, 40])
def test_search_query_count_does_not_grow(n_essays, client, django_assert_max_num_queries):
    warning = make_warning()
    topic = make_topic("Rivers")
    for i in range(n_essays):
        make_essay(f"River {i}", body="By the river.", warnings=[warning], topics=[topic],
                   authors=[make_author(f"Writer {i}")])  # fmt: skip
    hide(client, make_warning())
    # all matches (for the hidden count), shown count, page, warnings, authors, snippets
    with django_assert_max_num_queries(6):
        response = search(client, "river")
    assert response.status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking is PostgreSQL's")
def test_on_postgresql_title_matches_rank_first_and_stems_match(client):
    make_essay("Notes on other things", body="Policing appears once in this body.", days_ago=1)
    make_essay("Policing and me", body="Nothing else.", days_ago=30)
    html = search(client, "police").content.decode()
    assert cards(html) == ["Policing and me", "Notes on other things"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="search vectors are PostgreSQL's")
def test_on_postgresql_the_stored_vector_follows_topic_and_author_changes(client):
    topic = make_topic("Harbour")
    essay = make_essay("Plain title", topics=[topic])
    assert cards(search(client, "harbour").content.decode()) == ["Plain title"]
    topic.name = "Lighthouse"
    topic.save()
    assert cards(search(client, "harbour").content.decode()) == []
    assert cards(search(client, "lighthouse").content.decode()) == ["Plain title"]
    essay.topics.clear()
    assert cards(search(client, "lighthouse").content.decode()) == []
    author = make_author("Quillon Vey")
    essay.essayauthor_set.create(author=author, position=1)
    assert cards(search(client, "quillon").content.decode()) == ["Plain title"]
    assert refresh_search_vectors() >= 1
