"""Search over published essays: titles, summaries, topics, authors and bodies.

On PostgreSQL, full-text search: a stored, weighted search vector kept current whenever an
essay, its topics or its authors change (refresh_search_vectors), a GIN index, ranking and
highlighted snippets. Elsewhere (SQLite, for `make run`), every word must appear somewhere in
those fields; slower and unranked, but it finds the same essays for plain words.

Both honour the reader's hidden warnings as the essay list does, and a snippet is never
taken from the body of an essay behind a warning screen: its card shows only its title,
summary and warnings, so search cannot get around the screen.
"""

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import F, OuterRef, Q, StringAgg, Subquery, TextField, Value
from django.db.models.functions import Coalesce
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from blog.models import Author, Essay, Topic

CONFIG = "english"
MAX_TERMS = 8
SNIPPET_CHARS = 220
# Around each match in a snippet; the snippet is escaped first, then these become <mark>.
START, STOP = "\x02", "\x03"
WORD = re.compile(r"\w+")


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def terms(query: str) -> list[str]:
    """The words of a query (letters and digits in any script), at most MAX_TERMS."""
    return WORD.findall(query)[:MAX_TERMS]


def _names(model, essay_field: str):
    """All names of an essay's topics or authors, as one string (a correlated subquery)."""
    names = (
        model.objects.filter(**{essay_field: OuterRef("pk")})
        .order_by()
        .values(essay_field)
        .annotate(names=StringAgg("name", Value(" ")))
        .values("names")
    )
    return Coalesce(Subquery(names), Value(""), output_field=TextField())


def refresh_search_vectors(essay_ids=None) -> int:
    """Rebuild the stored search vector of these essays (all when None). PostgreSQL only."""
    if not uses_full_text():
        return 0
    vector = (
        SearchVector("title", weight="A", config=CONFIG)
        + SearchVector("summary", weight="B", config=CONFIG)
        + SearchVector(_names(Topic, "essays"), weight="B", config=CONFIG)
        + SearchVector(_names(Author, "essays"), weight="B", config=CONFIG)
        + SearchVector("body_text", weight="D", config=CONFIG)
    )
    essays = Essay.objects.all() if essay_ids is None else Essay.objects.filter(pk__in=essay_ids)
    return essays.update(search_vector=vector)


@dataclass
class Results:
    page: Page
    hidden: int = 0  # matches left out because of the reader's hidden warnings
    snippets: dict[int, SafeString] = field(default_factory=dict)


def search(query: str, *, hide, page_number, per_page: int) -> Results:
    """One page of published essays matching `query`, best first, with their warnings."""
    words = terms(query)
    if uses_full_text():
        ts_query = SearchQuery(query, search_type="websearch", config=CONFIG)
        matches = Essay.objects.published().filter(search_vector=ts_query)
        ranked = matches.annotate(rank=SearchRank(F("search_vector"), ts_query))
        ordering = ["-rank", "-published_at", "-pk"]
    else:
        ts_query = None
        every_word = Q()
        for word in words:
            every_word &= Q(pk__in=_containing(word))
        matches = ranked = Essay.objects.published().filter(every_word)
        ordering = ["-published_at", "-pk"]
    visible = ranked.without_warnings(hide).order_by(*ordering).for_cards()
    page = Paginator(visible, per_page).get_page(page_number)
    hidden = matches.count() - page.paginator.count if hide else 0
    open_ids = [essay.pk for essay in page.object_list if not essay.gating_warnings()]
    return Results(page=page, hidden=hidden, snippets=_snippets(open_ids, ts_query, words))


def _containing(word: str):
    """Ids of essays with `word` in a title, summary, body, topic or author name."""
    return Essay.objects.filter(
        Q(title__icontains=word)
        | Q(summary__icontains=word)
        | Q(body_text__icontains=word)
        | Q(topics__name__icontains=word)
        | Q(authors__name__icontains=word)
    ).values("pk")


def _snippets(essay_ids: list[int], ts_query, words: list[str]) -> dict[int, SafeString]:
    """Passages of these (ungated) essays' bodies around the matches, matches marked."""
    if not essay_ids:
        return {}
    if ts_query is not None:
        headline = SearchHeadline(
            "body_text", ts_query, config=CONFIG, start_sel=START, stop_sel=STOP,
            max_words=40, min_words=20,  # one passage, with the words before the match
        )  # fmt: skip
        rows = Essay.objects.filter(pk__in=essay_ids).annotate(snippet=headline)
        found = dict(rows.values_list("pk", "snippet"))
    else:
        rows = Essay.objects.filter(pk__in=essay_ids).values_list("pk", "body_text")
        found = {pk: _passage(text, words) for pk, text in rows}
    return {pk: _marked(text) for pk, text in found.items() if text and START in text}


def _passage(text: str, words: list[str]) -> str:
    """About SNIPPET_CHARS of `text` around the first word found, every word marked; cut
    at a space when there is one nearby (never more than SNIPPET_CHARS, in any script)."""
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    first = pattern.search(text)
    if first is None:
        return ""
    start = max(0, first.start() - SNIPPET_CHARS // 3)
    end = min(len(text), start + SNIPPET_CHARS)
    if start and (space := text.find(" ", start, first.start())) != -1:
        start = space + 1
    if end < len(text) and (space := text.rfind(" ", first.end(), end)) != -1:
        end = space
    passage = pattern.sub(lambda m: START + m.group(0) + STOP, text[start:end])
    return ("\u2026 " if start else "") + passage + (" \u2026" if end < len(text) else "")


def _marked(text: str) -> SafeString:
    """Escaped text with its matches in <mark>."""
    html = escape(text).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped above; only our own markers become tags
