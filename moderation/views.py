"""The moderator queue: tabs by status, filters, search, and actions that work without JS."""

import contextlib
import ipaddress

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from blog.models import Essay
from comments.forms import strip_control
from comments.models import Comment
from moderation import akismet
from moderation.models import Decision
from moderation.services import ACTIONS, AlreadyActed, moderate

Status = Comment.Status
TABS = [Status.PENDING, Status.SPAM, Status.APPROVED, Status.REMOVED]
# Which actions each tab offers, in button order.
TAB_ACTIONS = {
    Status.PENDING: ["approve", "spam", "remove"],
    Status.SPAM: ["ham", "remove"],
    Status.APPROVED: ["spam", "remove"],
    Status.REMOVED: ["restore"],
}
MODERATE = "comments.moderate_comment"


def _search(queryset, q: str):
    q = strip_control(q).strip()[:200]
    if not q:
        return queryset
    match = Q(author_name__icontains=q) | Q(author_email__icontains=q) | Q(body__icontains=q)
    with contextlib.suppress(ValueError):  # only search the IP column for a real address
        match |= Q(ip_address=str(ipaddress.ip_address(q)))
    return queryset.filter(match)


ESSAY_CHOICES = 100


def _essay_choices(selected: int | None) -> list[Essay]:
    """The newest essays for the filter (and the one filtered on): a fixed-size list."""
    essays = list(
        Essay.objects.order_by("-published_at", "-id").only("id", "title")[:ESSAY_CHOICES]
    )
    if selected and all(e.pk != selected for e in essays):
        essays += list(Essay.objects.filter(pk=selected).only("id", "title"))
    return sorted(essays, key=lambda e: e.title.casefold())


def _int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


COUNTS_KEY = "moderation:tab-counts"
COUNTS_SECONDS = 15


def tab_counts() -> dict[str, int]:
    """Comments per status, for the tabs.

    Counting a table of a million comments takes longer than the rest of the page, so the
    counts are kept for COUNTS_SECONDS in the shared cache; moderator actions drop them, so
    only comments that arrived in those seconds can be missing from a count.
    """
    counts = cache.get(COUNTS_KEY)
    if counts is None:
        rows = Comment.objects.values_list("status").annotate(n=Count("id")).order_by()
        counts = dict.fromkeys(TABS, 0) | dict(rows)
        cache.set(COUNTS_KEY, counts, COUNTS_SECONDS)
    return counts


def forget_tab_counts() -> None:
    cache.delete(COUNTS_KEY)


@login_required
@permission_required(MODERATE, raise_exception=True)
def queue(request):
    status = request.GET.get("status")
    status = status if status in TABS else Status.PENDING
    essay_id = _int(request.GET.get("essay"))
    q = strip_control(request.GET.get("q", ""))

    comments = Comment.objects.filter(status=status)
    if essay_id:
        comments = comments.filter(essay_id=essay_id)
    comments = _search(comments, q)
    order = ["created_at", "id"] if status == Status.PENDING else ["-created_at", "-id"]
    comments = (
        comments.select_related("essay", "parent")
        .prefetch_related(Prefetch("decisions", queryset=Decision.objects.select_related("actor")))
        .order_by(*order)
    )
    counts = tab_counts()
    paginator = Paginator(comments, settings.MODERATION_QUEUE_PAGE_SIZE)
    if not essay_id and not q:
        paginator.count = counts[status]  # the tab's count: no second count of the table
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "status": status,
        "tabs": [(tab, Status(tab).label, counts[tab]) for tab in TABS],
        "actions": [ACTIONS[name] for name in TAB_ACTIONS[status]],
        "essays": _essay_choices(essay_id),
        "essay_id": essay_id,
        "q": q,
        "page_query": query.urlencode(),
        "akismet_configured": akismet.is_configured(),
    }
    return render(request, "moderation/queue.html", context)


@require_POST
@login_required
@permission_required(MODERATE, raise_exception=True)
def act(request):
    """One action on one comment (`do=approve:12`) or on the ticked ones (`bulk=approve`)."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("moderation:queue")

    if request.POST.get("do"):
        name, _, raw_id = request.POST["do"].partition(":")
        ids = [i for i in [_int(raw_id)] if i]
    else:
        name = request.POST.get("bulk", "")
        ids = [i for i in (_int(v) for v in request.POST.getlist("ids")) if i]
    # The tab the moderator was looking at: what they decided on.
    seen_status = request.POST.get("seen_status", "")
    seen_status = seen_status if seen_status in TABS else ""
    if name not in ACTIONS or not ids:
        messages.error(request, "Choose an action and at least one comment.")
        return HttpResponseRedirect(back)

    done, refused = 0, []
    for comment in Comment.objects.filter(pk__in=ids[:500]):
        try:
            moderate(comment=comment, action=name, moderator=request.user, seen_status=seen_status)
            done += 1
        except AlreadyActed as exc:
            refused.append(f"{comment.author_name}: {exc.message}")
    label = ACTIONS[name].label
    forget_tab_counts()
    if done:
        messages.success(request, f"{label}: {done} comment{'s' if done != 1 else ''}.")
    for line in refused:
        messages.warning(request, line)
    if not done and not refused:
        messages.error(request, "Those comments no longer exist.")
    return HttpResponseRedirect(back)
