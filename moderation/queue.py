"""The moderator queue: tabs by status, filters, search, and actions that work without JS."""

import contextlib
import ipaddress

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import (
    Count,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    prefetch_related_objects,
)
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from blog.http import positive_id, strip_control
from blog.models import Essay
from comments.models import Comment
from moderation import akismet, bans
from moderation.bans import commenter_key
from moderation.counts import REPORTED_STATUSES, TABS, forget_tab_counts, tab_counts
from moderation.history import attach_history
from moderation.models import CommenterNote, Decision, Report
from moderation.services import ACTIONS, AlreadyActed, moderate
from moderation.tools import commenter_query, tool_context

Status = Comment.Status
TAB_LABELS = {"reported": "Reported"} | {status: Status(status).label for status in Status}
# Which actions each tab offers, in button order.
TAB_ACTIONS = {
    "reported": ["remove", "keep", "spam"],
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


def _reported(comments):
    """Comments with reports no moderator has dealt with: most reported first, then those
    waiting longest. The page's comments are picked through the open reports' index."""
    open_reports = Report.objects.filter(state=Report.State.OPEN)
    per_comment = open_reports.filter(comment=OuterRef("pk")).order_by()
    return (
        comments.filter(status__in=REPORTED_STATUSES)
        .filter(pk__in=Subquery(open_reports.values("comment_id")))
        .annotate(
            open_reports=Subquery(
                per_comment.values("comment").annotate(n=Count("id")).values("n")
            ),
            first_reported=Subquery(per_comment.order_by("created_at").values("created_at")[:1]),
        )
        .order_by("-open_reports", "first_reported", "id")
    )


NOTES_SHOWN = 10
NOTES_ON_ROW = 3
# The list counts at most this many of its rows, so a page costs the same with a hundred
# pending comments or a hundred thousand; past it, filters reach the rest.
LISTED_AT_MOST = 2500


class CappedPaginator(Paginator):
    """Pages through the first LISTED_AT_MOST rows; `capped` says whether there are more."""

    @cached_property
    def count(self) -> int:
        counted = self.object_list[: LISTED_AT_MOST + 1].count()
        self.capped = counted > LISTED_AT_MOST
        return min(counted, LISTED_AT_MOST)


def _attach_reports(comments: list[Comment]) -> None:
    """Counts per reason and the latest notes of each comment's open reports (2 queries)."""
    ids = [c.pk for c in comments]
    rows = (
        Report.objects.filter(comment__in=ids, state=Report.State.OPEN)
        .values_list("comment", "reason")
        .annotate(n=Count("id"), last=Max("id"))
        .order_by("comment", "-n", "reason")
    )
    reasons: dict[int, list] = {}
    newest: dict[int, int] = {}
    for comment_id, reason, n, last in rows:
        reasons.setdefault(comment_id, []).append((Report.Reason(reason).label, n))
        newest[comment_id] = max(last, newest.get(comment_id, 0))
    notes = Prefetch(
        "reports",
        queryset=Report.objects.filter(state=Report.State.OPEN)
        .exclude(note="")
        .only("id", "comment_id", "reason", "note", "created_at")
        .order_by("-created_at", "-id")[:NOTES_SHOWN],
        to_attr="report_notes",
    )
    prefetch_related_objects(comments, notes)
    for comment in comments:
        comment.report_reasons = reasons.get(comment.pk, [])
        comment.newest_report = newest.get(comment.pk)


def _listing(request, status: str, *, essay_id, q, counts, besides_reported=False) -> dict:
    """One tab's list: its page of comments with everything a row shows. `besides_reported`
    leaves out comments with open reports (listed above it, on the landing page)."""
    comments = Comment.objects.all()
    if besides_reported:
        open_reports = Report.objects.filter(state=Report.State.OPEN)
        comments = comments.exclude(pk__in=Subquery(open_reports.values("comment_id")))
    if status != "reported":  # reported comments are approved or pending: see _reported
        comments = comments.filter(status=status)
    if essay_id:
        comments = comments.filter(essay_id=essay_id)
    comments = _search(comments, q)
    if status == "reported":
        comments = _reported(comments)
    else:
        order = ["created_at", "id"] if status == Status.PENDING else ["-created_at", "-id"]
        comments = comments.order_by(*order)
    # Each report is a Decision too; the reports section sums them up instead of listing
    # every one (a much-reported comment would otherwise list hundreds).
    decisions = Decision.objects.exclude(outcome=Decision.Outcome.REPORTED)
    comments = comments.select_related("essay", "parent").prefetch_related(
        Prefetch("decisions", queryset=decisions.select_related("actor"))
    )
    # The list is paginated by a count of its own rows, never by the cached tab counts: a
    # comment that arrived since they were taken is listed (issue 13).
    paginator = CappedPaginator(comments, settings.MODERATION_QUEUE_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    if status == "reported":
        _attach_reports(page.object_list)
    attach_people(page.object_list)
    attach_history(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    query["status"] = status
    return {
        "status": status,
        "label": TAB_LABELS[status],
        "page": page,
        "count": max(counts[status], paginator.count) if paginator.capped else paginator.count,
        "listed_at_most": LISTED_AT_MOST if paginator.capped else None,
        "actions": [ACTIONS[name] for name in TAB_ACTIONS[status]],
        "page_query": query.urlencode(),
    }


def attach_people(comments: list[Comment]) -> None:
    """Each row's commenter: link, notes and any ban in force (2 queries for the page)."""
    keys = {c.pk: commenter_key(c.author_email, c.author_name) for c in comments}
    notes: dict[str, list] = {}
    if comments:
        for note in CommenterNote.objects.filter(commenter__in=set(keys.values())).select_related(
            "author"
        ):
            notes.setdefault(note.commenter, []).append(note)
    in_force = bans.active_bans_for(comments)
    for comment in comments:
        found = notes.get(keys[comment.pk], [])
        comment.notes, comment.more_notes = found[:NOTES_ON_ROW], len(found) - NOTES_ON_ROW
        comment.ban = in_force.get(comment.pk)
        comment.commenter_query = commenter_query(comment)
        comment.ban_choices = bans.choices_for(comment)


@login_required
@permission_required(MODERATE, raise_exception=True)
def queue(request):
    counts = tab_counts()
    status = request.GET.get("status")
    essay_id = positive_id(request.GET.get("essay"))
    q = strip_control(request.GET.get("q", ""))
    if status in TABS:
        shown = [status]
    elif counts["reported"] and counts[Status.PENDING]:
        # The landing page: nothing waiting is a tab away unseen.
        shown = ["reported", Status.PENDING]
    else:
        shown = ["reported" if counts["reported"] else Status.PENDING]
    landing = len(shown) > 1
    listings = [
        _listing(request, s, essay_id=essay_id, q=q, counts=counts,
                 besides_reported=landing and s == Status.PENDING)
        for s in shown
    ]  # fmt: skip
    if not essay_id and not q and not landing:  # the tab's label agrees with its list
        counts = counts | {listing["status"]: listing["count"] for listing in listings}
    status = shown[0]
    context = {
        "listings": listings,
        "landing": landing,
        "status": "" if landing else status,
        "status_label": "Waiting" if landing else TAB_LABELS[status],
        "tabs": [(tab, TAB_LABELS[tab], counts[tab]) for tab in TABS],
        "essays": _essay_choices(essay_id),
        "essay_id": essay_id,
        "q": q,
        "akismet_configured": akismet.is_configured(),
    } | tool_context()
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
        ids = [i for i in [positive_id(raw_id)] if i]
    else:
        name = request.POST.get("bulk", "")
        ids = [i for i in (positive_id(v) for v in request.POST.getlist("ids")) if i]
    # The tab the moderator was looking at: what they decided on.
    seen_status = request.POST.get("seen_status", "")
    on_reports = seen_status == "reported"
    seen_status = seen_status if seen_status in Status.values else ""
    if name not in ACTIONS or not ids:
        messages.error(request, "Choose an action and at least one comment.")
        return HttpResponseRedirect(back)

    done, refused = 0, []
    for comment in Comment.objects.filter(pk__in=ids[:500]):
        # On the Reported tab: only the reports the moderator saw (newer ones stay open).
        seen_reports = None
        if on_reports:
            seen_reports = positive_id(request.POST.get(f"reports_seen_{comment.pk}"))
        try:
            moderate(
                comment=comment, action=name, moderator=request.user, seen_status=seen_status,
                on_reports=on_reports, reports_up_to=seen_reports,
            )  # fmt: skip
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
