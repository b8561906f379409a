"""Reader-facing pages: the essay list, an essay with its warning gate, preferences."""

import functools
import logging
import re
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.http import http_date, quote_etag, url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import ListView, TemplateView

from blog import caching
from blog.cross_origin import cross_origin_protect
from blog.forms import GateForm, PreferencesForm
from blog.models import ContentWarning, Essay
from blog.preferences import ReadingPreferences

logger = logging.getLogger(__name__)


class EssayListView(ListView):
    template_name = "blog/essay_list.html"
    context_object_name = "essays"

    def get(self, request, *args, **kwargs):
        def render_page():
            return super(EssayListView, self).get(request, *args, **kwargs).render()

        return conditional(
            request,
            lambda: caching.listing_validators(request, "home"),
            lambda: from_page_cache(
                request, lambda: caching.listing_page_key(request), render_page
            ),
        )

    def get_paginate_by(self, queryset):
        return settings.ESSAYS_PER_PAGE

    def get_queryset(self):
        self.preferences = ReadingPreferences.from_request(self.request)
        return Essay.objects.published().without_warnings(self.preferences.hide).with_warnings()

    def paginate_queryset(self, queryset, page_size):
        # get_page() turns page=-1, page=abc or page=9999 into a real page instead of a 404.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["hiding_some"] = bool(self.preferences.hide)
        return context


BACK_TO_LIST = re.compile(r"^/(\?page=\d{1,4})?$")


def _safe_back_url(request) -> str:
    """Where "Go back" leads: the essay list page the reader came from, else the essays.

    Only list pages are kept (not any same-site address), so the warning screen has few
    variants to cache and a crafted Referer cannot send a reader anywhere odd.
    """
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if BACK_TO_LIST.match(path):
            return path
    return "/"


def _render_essay(request, essay: Essay, *, preview: bool = False, gate: bool | None = None):
    """The essay page, or its warning screen when the reader has not chosen to read on.

    `gate` forces the choice either way (staff previews); None asks the reader's cookie.
    """
    to_confirm = ReadingPreferences.from_request(request).warnings_to_confirm(essay)
    if gate is False:
        to_confirm = []
    elif gate and not to_confirm:
        to_confirm = essay.gating_warnings() or essay.warning_list()
    context = {"essay": essay, "preview": preview}
    if to_confirm:
        context |= {
            "gate_warnings": to_confirm,
            "gate_form": GateForm(),
            "back_url": _safe_back_url(request),
        }
        return render(request, "blog/essay_gate.html", context)
    context["article_html"] = mark_safe(caching.article_html(essay))  # rendered by us
    return render(request, "blog/essay_detail.html", context)


def from_page_cache(request, page_key, render_page):
    """An anonymous reader's page from the whole-page cache, rendered and stored if absent.

    Readers whose page is their own (see caching.is_personal) always get `render_page()`.
    """
    if caching.is_personal(request):
        return render_page()
    key = page_key()
    html = caching.cached_page(request, key)
    if html is not None:
        return HttpResponse(html)
    response = render_page()
    if response.status_code == 200:
        caching.store_page(key, response.content.decode())
    return response


def conditional(request, validators, render_page):
    """Answer 304 Not Modified when an anonymous reader's copy is current.

    `validators` is a function returning (ETag, Last-Modified); it only runs for anonymous
    GETs, so commenters and staff always get a fresh page.
    """
    if request.method not in ("GET", "HEAD") or caching.is_personal(request):
        return render_page()
    etag, modified = validators()
    etag = quote_etag(etag)
    # A time cannot say which cookies a page was made for, so pages shaped by the reader's
    # cookies are validated by their ETag alone.
    shaped = any(request.COOKIES.get(n) for n in caching.reader_cookies())
    last_modified = None if shaped else int(modified.timestamp())
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        return not_modified
    response = render_page()
    if response.status_code == 200:
        response.headers["ETag"] = etag
        if last_modified is not None:
            response.headers["Last-Modified"] = _http_date(last_modified)
        if "Cache-Control" in response.headers:
            patch_cache_control(response, private=True, no_cache=True)
        else:
            response.headers["Cache-Control"] = "private, no-cache"
    return response


# The same few Last-Modified times are formatted for request after request.
_http_date = functools.lru_cache(maxsize=1024)(http_date)


def essay_detail(request, slug):
    with caching.essay_page_versions(slug):
        essay = caching.published_essay(slug, request)
        if essay is None:
            raise Http404("No such essay")
        return conditional(
            request,
            lambda: caching.essay_validators(request, essay),
            lambda: from_page_cache(
                request,
                lambda: caching.page_key(request, essay, _safe_back_url(request)),
                lambda: _render_essay(request, essay),
            ),
        )


@staff_member_required
def essay_preview(request, pk):
    """A draft or scheduled essay exactly as readers will see it (staff only)."""
    essay = get_object_or_404(Essay.objects.with_warnings(), pk=pk)
    gate = False if "read" in request.GET else ("gate" in request.GET) or None
    return _render_essay(request, essay, preview=True, gate=gate)


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
        }


class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"


def csrf_failure(request, reason=""):
    """A friendly page when a form arrives without its security token (cookies off, stale)."""
    return render(request, "403_csrf.html", status=403)


@never_cache
def healthz(request):
    """200 when the database and the cache answer, 503 otherwise; no details either way."""
    ok = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "not healthy"; details go to the log only
        logger.exception("health check: database unavailable")
        ok = False
    try:
        probe = f"healthz:{time.time_ns()}"
        cache.set(probe, "1", 10)
        if cache.get(probe) != "1":
            raise RuntimeError("cache did not return what was stored")
        cache.delete(probe)
    except Exception:
        logger.exception("health check: cache unavailable")
        ok = False
    body, status = (b"ok\n", 200) if ok else (b"unavailable\n", 503)
    return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")
