"""Bylines become authors with nothing lost, and the migration runs backwards too."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("blog", "0004_topics_series_authors")]
AFTER = [("blog", "0006_remove_essay_byline")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_every_byline_becomes_an_author_and_comes_back_on_the_way_down():
    old = migrate(BEFORE)
    Essay = old.get_model("blog", "Essay")
    rows = [
        ("one", "Nadia Rowe"),
        ("two", "Nadia Rowe"),
        ("three", "Ana Ruiz & Sam Lee"),
        ("four", "Żaneta Kowalska"),
        ("five", "  "),
        ("six", "Анна Петрова"),
    ]
    for slug, byline in rows:
        Essay.objects.create(
            title=slug, slug=slug, byline=byline, summary="s", body="Body **words**.",
            body_html="<p>Body <strong>words</strong>.</p>",
        )  # fmt: skip
    try:
        new = migrate(AFTER)
        Essay, Author = new.get_model("blog", "Essay"), new.get_model("blog", "Author")
        names = {e.slug: [a.name for a in e.authors.all()] for e in Essay.objects.all()}
        assert names == {
            "one": ["Nadia Rowe"], "two": ["Nadia Rowe"], "three": ["Ana Ruiz & Sam Lee"],
            "four": ["Żaneta Kowalska"], "five": [], "six": ["Анна Петрова"],
        }  # fmt: skip
        assert Author.objects.count() == 4  # one per distinct name
        slugs = set(Author.objects.values_list("slug", flat=True))
        # ASCII slugs only, as the URLs take: a name with no Latin letters gets "author".
        assert slugs == {"nadia-rowe", "ana-ruiz-sam-lee", "zaneta-kowalska", "author"}
        assert Essay.objects.get(slug="one").body_text == "Body words."

        back = migrate(BEFORE)
        Essay = back.get_model("blog", "Essay")
        assert Essay.objects.get(slug="three").byline == "Ana Ruiz & Sam Lee"
        assert Essay.objects.get(slug="one").byline == "Nadia Rowe"
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'essay_search_vector_gin'")
            assert cursor.fetchone() is not None
