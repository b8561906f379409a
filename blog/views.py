"""Reader-facing pages: the essay list, an essay with its warning gate, preferences."""

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import condition, require_POST
from django.views.generic import ListView, TemplateView

from blog import caching, search
from blog.cross_origin import cross_origin_protect
from blog.forms import GateForm, PreferencesForm, SearchForm
from blog.models import Author, ContentWarning, Essay, Series, SeriesPart, Topic
from blog.preferences import ReadingPreferences

logger = logging.getLogger(__name__)


class EssayListView(ListView):
    """Published essays, newest first, less those with warnings the reader hides (and how
    many were left out). Topic, author and series pages are this list narrowed down."""

    template_name = "blog/essay_list.html"
    context_object_name = "essays"
    ordering = ["-published_at", "-id"]

    def etag_kind(self) -> str:
        return "home"

    def get(self, request, *args, **kwargs):
        render = lambda request: caching.cached_response(  # noqa: E731
            request, lambda: super(EssayListView, self).get(request, *args, **kwargs).render()
        )
        etag = lambda request: caching.listing_etag(request, self.etag_kind())  # noqa: E731
        return condition(etag_func=etag)(render)(request)

    def get_paginate_by(self, queryset):
        return settings.ESSAYS_PER_PAGE

    def essays(self):
        """The essays this page lists, before hidden warnings are taken out."""
        return Essay.objects.published()

    def get_queryset(self):
        self.preferences = ReadingPreferences.from_request(self.request)
        self.all_essays = self.essays()
        shown = self.all_essays.without_warnings(self.preferences.hide)
        return shown.order_by(*self.ordering).for_cards()

    def paginate_queryset(self, queryset, page_size):
        # get_page() turns page=-1, page=abc or page=9999 into a real page instead of a 404.
        paginator = self.get_paginator(queryset, page_size)
        hide = sorted(self.preferences.hide)
        paginator.count = caching.listing_count(
            self.request, f"{self.etag_kind()}:{hide}", queryset.count
        )
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        hidden = 0
        if self.preferences.hide:
            every = caching.listing_count(self.request, self.etag_kind(), self.all_essays.count)
            hidden = every - context["paginator"].count
        return context | {"hiding_some": bool(self.preferences.hide), "hidden_count": hidden}


class TopicView(EssayListView):
    """A topic's essays, its sub-topics' included."""

    template_name = "blog/topic_detail.html"

    def get(self, request, *args, **kwargs):
        self.topic = get_object_or_404(Topic.objects.select_related("parent"), slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def etag_kind(self) -> str:
        return f"topic:{self.topic.pk}"

    def essays(self):
        return Essay.objects.published().in_topic(self.topic)

    def get_context_data(self, **kwargs):
        children = list(self.topic.children.all())
        return super().get_context_data(**kwargs) | {"topic": self.topic, "subtopics": children}


class AuthorView(EssayListView):
    template_name = "blog/author_detail.html"

    def get(self, request, *args, **kwargs):
        self.author = get_object_or_404(Author, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def etag_kind(self) -> str:
        return f"author:{self.author.pk}"

    def essays(self):
        return Essay.objects.published().filter(authors=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"author": self.author}


class SeriesView(EssayListView):
    """A series' published parts in reading order."""

    template_name = "blog/series_detail.html"
    ordering = ["series_part__position", "published_at", "id"]

    def get(self, request, *args, **kwargs):
        self.series = get_object_or_404(Series, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def etag_kind(self) -> str:
        return f"series:{self.series.pk}"

    def essays(self):
        return Essay.objects.published().filter(series_part__series=self.series)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        numbers = {e.pk: n for n, e in enumerate(self.series.published_parts(), start=1)}
        for essay in context["essays"]:
            essay.part_number = numbers.get(essay.pk)
        return context | {"series": self.series, "part_count": len(numbers)}


class TopicListView(TemplateView):
    """Every topic, broader topics first, each with how many published essays its page
    lists for this reader (its sub-topics' included, each essay once; hidden ones not)."""

    template_name = "blog/topic_list.html"

    def get_context_data(self, **kwargs):
        topics = list(Topic.objects.all())
        tagged: dict[int, set[int]] = {}
        hide = ReadingPreferences.from_request(self.request).hide
        shown = Essay.objects.published().without_warnings(hide)
        pairs = Essay.topics.through.objects.filter(essay__in=shown)
        for topic_id, essay_id in pairs.values_list("topic_id", "essay_id"):
            tagged.setdefault(topic_id, set()).add(essay_id)
        by_parent: dict[int | None, list[Topic]] = {}
        for topic in topics:
            by_parent.setdefault(topic.parent_id, []).append(topic)

        def essays_under(topic, seen) -> set[int]:
            found = set(tagged.get(topic.pk, ()))
            for child in by_parent.get(topic.pk, ()):
                if child.pk not in seen:
                    found |= essays_under(child, seen | {child.pk})
            return found

        for topic in topics:
            topic.subtopics = by_parent.get(topic.pk, [])
            topic.essay_count = len(essays_under(topic, {topic.pk}))
        known = {t.pk for t in topics}
        roots = [t for t in topics if t.parent_id is None or t.parent_id not in known]
        return super().get_context_data(**kwargs) | {"topics": roots}


def search_view(request):
    """/search/?q=: matching essays, warnings first, hidden warnings honoured."""
    form = SearchForm(request.GET if "q" in request.GET else None)
    context = {"form": form, "query": ""}
    status = 200
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["q"]
        preferences = ReadingPreferences.from_request(request)
        found = search.search(
            query,
            hide=preferences.hide,
            page_number=request.GET.get("page"),
            per_page=settings.ESSAYS_PER_PAGE,
        )
        for essay in found.page.object_list:
            essay.snippet = found.snippets.get(essay.pk)
        context |= {"query": query, "page_obj": found.page, "hidden_count": found.hidden}
    elif form.is_bound:
        status = 400
    response = render(request, "blog/search.html", context, status=status)
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response


def _render_essay(request, essay: Essay, *, preview: bool = False, gate: bool | None = None):
    """The essay page, or its warning screen when the reader has not chosen to read on.

    `gate` forces the choice either way (staff previews); None asks the reader's cookie.
    """
    preferences = ReadingPreferences.from_request(request)
    to_confirm = preferences.warnings_to_confirm(essay)
    if gate is False:
        to_confirm = []
    elif gate and not to_confirm:
        to_confirm = essay.gating_warnings() or essay.warning_list()
    context = {"essay": essay, "preview": preview}
    if to_confirm:
        context |= {
            "gate_warnings": to_confirm,
            "gate_form": GateForm(),
        }
        return render(request, "blog/essay_gate.html", context)
    context |= {
        "article_html": mark_safe(caching.article_html(essay)),  # rendered by us
        "series_nav": series_navigation(essay, preferences.hide),
        "related": related_essays(essay, preferences.hide),
    }
    return render(request, "blog/essay_detail.html", context)


def series_navigation(essay: Essay, hide=frozenset()) -> dict | None:
    """ "Part 2 of 4 in <series>" with the parts before and after (None outside a series).
    A neighbour with a warning the reader hides is linked without its title."""
    entry = essay.series_entry()
    if entry is None:
        return None
    parts = entry.series.published_parts()
    for part in parts:
        part.hidden_for_reader = any(w.pk in hide for w in part.warning_list())
    index = next((i for i, part in enumerate(parts) if part.pk == essay.pk), None)
    if index is None:  # a draft previewed by an editor: not yet a numbered part
        return {"series": entry.series, "total": len(parts)}
    return {
        "series": entry.series,
        "number": index + 1,
        "total": len(parts),
        "previous": parts[index - 1] if index > 0 else None,
        "next": parts[index + 1] if index + 1 < len(parts) else None,
    }


RELATED_ESSAYS = 3


def related_essays(essay: Essay, hide) -> list[Essay]:
    """Up to three other essays sharing the most topics with this one, newest first among
    equals, leaving out essays with warnings the reader hides."""
    topic_ids = [topic.pk for topic in essay.topic_list()]
    if not topic_ids:
        return []
    candidates = (
        Essay.objects.published()
        .filter(topics__in=topic_ids)
        .exclude(pk=essay.pk)
        .without_warnings(hide)
        .annotate(shared=Count("topics"))  # the topics the filter above kept: shared ones
        .order_by("-shared", "-published_at", "-pk")
    )
    return list(candidates.for_links()[:RELATED_ESSAYS])


def _essay_etag(request, slug):
    essay = caching.published_essay(request, slug)
    return caching.essay_etag(request, essay) if essay is not None else None


@condition(etag_func=_essay_etag)
def essay_detail(request, slug):
    essay = caching.published_essay(request, slug)
    if essay is None:
        raise Http404("No such essay")
    return caching.cached_response(request, lambda: _render_essay(request, essay))


# Signed-out and non-staff visitors go to the admin login; staff without the editors'
# permission (moderators, say) get a 403: being staff is not being allowed to read drafts.
@staff_member_required
@permission_required("blog.change_essay", raise_exception=True)
def essay_preview(request, pk):
    """A draft or scheduled essay exactly as readers will see it (editors only)."""
    essay = get_object_or_404(Essay.objects.with_reader_facts(), pk=pk)
    gate = False if "read" in request.GET else ("gate" in request.GET) or None
    return _render_essay(request, essay, preview=True, gate=gate)


def unsaved_essay_page(
    request,
    essay: Essay,
    *,
    authors: list[Author],
    topics: list[Topic],
    warnings: list[ContentWarning],
    series_part: SeriesPart | None,
    gate: bool,
    notes: list[str],
):
    """An essay built in memory from the editors' form, as readers would see it once saved.

    Nothing here is read from or put in the cache (the article fragment is keyed by a
    saved essay's id and date), and nothing is saved: the derived fields are worked out
    as Essay.save would, the relations are handed in as the prefetch the page reads.
    The comments are left out: an unsaved essay has none, a saved one's are not what
    the preview is for. The caller checks who may see it.
    """
    essay.derive_from_body()
    now = timezone.now()
    essay.updated_at = now  # as the save would set it
    essay.created_at = essay.created_at or now
    essay._prefetched_objects_cache = {"authors": authors, "topics": topics, "warnings": warnings}
    hide = ReadingPreferences.from_request(request).hide
    to_confirm = (essay.gating_warnings() or essay.warning_list()) if gate else []
    if gate and not to_confirm:
        notes = [*notes, "The essay has no content warnings, so readers see no warning screen."]
    context = {"essay": essay, "notes": notes}
    if to_confirm:
        # Continue posts the form again (its files aside) to the preview without the screen.
        posted = [
            (name, value)
            for name, values in request.POST.lists()
            if name != "csrfmiddlewaretoken"
            for value in values
        ]
        context |= {
            "gate_warnings": to_confirm,
            "gate_form": GateForm(),
            "continue_url": request.path,
            "posted": posted,
        }
        template = "admin/blog/essay/unsaved_gate.html"
    else:
        series_nav = None
        if series_part is not None:
            series_part.essay = essay  # the essay's series_entry() is now this part
            series_nav = series_navigation(essay, hide)
        context |= {"series_nav": series_nav, "related": related_essays(essay, hide)}
        template = "admin/blog/essay/unsaved_essay.html"
    response = render(request, template, context)
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex"
    return response


@cross_origin_protect
@require_POST
def essay_continue(request, slug):
    """The reader chose to read past the warnings: remember it and show the essay."""
    essay = get_object_or_404(Essay.objects.published().with_warnings(), slug=slug)
    form = GateForm(request.POST)
    remember = form.is_valid() and form.cleaned_data["remember_topics"]
    preferences = ReadingPreferences.from_request(request)
    gating = [w.pk for w in essay.warning_list() if w.gates or w.pk in preferences.hide]
    response = HttpResponseRedirect(essay.get_absolute_url())
    preferences.with_essay_passed(essay.pk, gating, remember_topics=remember).save(response)
    return response


@method_decorator(cross_origin_protect, name="dispatch")
class PreferencesView(View):
    template_name = "blog/preferences.html"

    def get(self, request):
        preferences = ReadingPreferences.from_request(request)
        form = PreferencesForm(
            initial={"skip_gate": list(preferences.skip_gate), "hide": list(preferences.hide)}
        )
        return self._render(request, form, preferences)

    def post(self, request):
        preferences = ReadingPreferences.from_request(request)
        form = PreferencesForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, preferences, status=400)
        updated = preferences.with_choices(
            skip_gate=[w.pk for w in form.cleaned_data["skip_gate"]],
            hide=[w.pk for w in form.cleaned_data["hide"]],
            forget_essays=form.cleaned_data["forget_essays"],
        )
        messages.success(request, "Your reading preferences are saved in this browser.")
        response = redirect("blog:preferences")
        updated.save(response)
        return response

    def _render(self, request, form, preferences, status=200):
        context = {
            "form": form,
            "warnings": ContentWarning.objects.all(),
            "remembered_essays": len(preferences.passed),
        }
        return render(request, self.template_name, context, status=status)


class PrivacyView(TemplateView):
    template_name = "pages/privacy.html"

    def get_context_data(self, **kwargs):
        # The figures the site really uses, so the page never promises what it does not do.
        return super().get_context_data(**kwargs) | {
            "retention_days": settings.PRIVACY_RETENTION_DAYS,
            "spam_days": settings.MODERATION_SPAM_RETENTION_DAYS,
            "confirm_days": settings.SUBSCRIPTIONS_CONFIRM_DAYS,
        }


class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"


def csrf_failure(request, reason=""):
    """A friendly page when a form arrives without its security token (cookies off, stale)."""
    return render(request, "403_csrf.html", status=403)


@never_cache
def healthz(request):
    """200 "ok" when the database and the cache answer; 200 "degraded: cache" when only the
    cache fails (pages are served without it); 503 when the database fails. Details only in
    the log."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "not healthy"; details go to the log only
        logger.exception("health check: database unavailable")
        return HttpResponse(b"unavailable\n", status=503, content_type="text/plain; charset=utf-8")
    body = b"ok\n"
    try:
        probe = f"healthz:{time.time_ns()}"
        cache.set(probe, "1", 10)
        if cache.get(probe) != "1":
            raise RuntimeError("cache did not return what was stored")
        cache.delete(probe)
    except Exception:
        logger.exception("health check: cache unavailable")
        body = b"degraded: cache\n"
    return HttpResponse(body, content_type="text/plain; charset=utf-8")
