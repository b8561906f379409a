"""The moderator queue: tabs by status, filters, search, and actions that work without JS."""

import contextlib
import ipaddress

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
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


def _int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


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
    page = Paginator(comments, settings.MODERATION_QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = Comment.objects.aggregate(**{tab: Count("id", filter=Q(status=tab)) for tab in TABS})
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "status": status,
        "tabs": [(tab, Status(tab).label, counts[tab]) for tab in TABS],
        "actions": [ACTIONS[name] for name in TAB_ACTIONS[status]],
        "essays": Essay.objects.order_by("title").only("id", "title"),
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
    if name not in ACTIONS or not ids:
        messages.error(request, "Choose an action and at least one comment.")
        return HttpResponseRedirect(back)

    done, refused = 0, []
    for comment in Comment.objects.filter(pk__in=ids[:500]):
        try:
            moderate(comment=comment, action=name, moderator=request.user)
            done += 1
        except AlreadyActed as exc:
            refused.append(f"{comment.author_name}: {exc.message}")
    label = ACTIONS[name].label
    if done:
        messages.success(request, f"{label}: {done} comment{'s' if done != 1 else ''}.")
    for line in refused:
        messages.warning(request, line)
    if not done and not refused:
        messages.error(request, "Those comments no longer exist.")
    return HttpResponseRedirect(back)
