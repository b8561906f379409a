"""Every essay's byline becomes an author (one author per distinct name, nothing dropped);
bodies get their plain text; on PostgreSQL, the search vectors and their GIN index."""

from django.db import migrations
from django.utils.text import slugify

INDEX = "essay_search_vector_gin"


def unique_slug(name: str, taken: set[str]) -> str:
    # ASCII only, as the <slug:...> URLs need: "Анна Петрова" becomes "author", "author-2".
    base = (slugify(name) or "author")[:100]
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def bylines_to_authors(apps, schema_editor):
    Essay = apps.get_model("blog", "Essay")
    Author = apps.get_model("blog", "Author")
    EssayAuthor = apps.get_model("blog", "EssayAuthor")
    taken = set(Author.objects.values_list("slug", flat=True))
    authors = {a.name: a for a in Author.objects.all()}
    for essay in Essay.objects.all().only("pk", "byline"):
        name = essay.byline.strip()
        if not name:
            continue
        if name not in authors:
            authors[name] = Author.objects.create(name=name, slug=unique_slug(name, taken))
        EssayAuthor.objects.get_or_create(essay=essay, author=authors[name])


def authors_to_bylines(apps, schema_editor):
    Essay = apps.get_model("blog", "Essay")
    for essay in Essay.objects.prefetch_related("authors"):
        names = [a.name for a in essay.authors.order_by("essayauthor__position", "pk")]
        essay.byline = " and ".join(names)[:120]
        essay.save(update_fields=["byline"])


def fill_body_text(apps, schema_editor):
    from blog.markup import searchable_text

    Essay = apps.get_model("blog", "Essay")
    for essay in Essay.objects.all().only("pk", "body_html").iterator():
        Essay.objects.filter(pk=essay.pk).update(body_text=searchable_text(essay.body_html))


# The vector blog.search keeps, written in SQL here so that this migration never depends
# on what the models look like later.
VECTORS = """
UPDATE blog_essay AS e SET search_vector =
    setweight(to_tsvector('english', e.title), 'A')
    || setweight(to_tsvector('english', e.summary), 'B')
    || setweight(to_tsvector('english', coalesce((
        SELECT string_agg(a.name, ' ') FROM blog_author a
        JOIN blog_essayauthor ea ON ea.author_id = a.id WHERE ea.essay_id = e.id), '')), 'B')
    || setweight(to_tsvector('english', e.body_text), 'D')
"""


def search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON blog_essay USING gin (search_vector) "
        "WITH (fastupdate = off)"
    )
    schema_editor.execute(VECTORS)  # no topics exist yet


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("blog", "0004_topics_series_authors")]

    operations = [
        migrations.RunPython(bylines_to_authors, authors_to_bylines),
        migrations.RunPython(fill_body_text, migrations.RunPython.noop),
        migrations.RunPython(search_index, drop_search_index),
    ]
