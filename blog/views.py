"""Reader-facing pages: the essay list, an essay with its warning gate, preferences."""

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import condition, require_POST
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

    @method_decorator(condition(etag_func=lambda request: caching.listing_etag(request, "home")))
    def get(self, request, *args, **kwargs):
        return caching.cached_response(request, lambda: super(EssayListView, self).get(
            request, *args, **kwargs).render())  # fmt: skip

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
        }
        return render(request, "blog/essay_gate.html", context)
    context["article_html"] = mark_safe(caching.article_html(essay))  # rendered by us
    return render(request, "blog/essay_detail.html", context)


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
