"""One commenter, as moderators see them: every comment, decision, report, ban and note.

A commenter is their email address or, where a comment has none, their name (the same
key as notes: moderation.bans.commenter_key). The page costs the same few queries whether
they wrote three comments or a hundred thousand: counts in one aggregate, one page of
comments, and bounded lists of the rest.
"""

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.functional import cached_property

from blog.http import strip_control
from comments.models import Comment
from moderation import bans
from moderation.history import attach_history
from moderation.models import Ban, CommenterNote, Decision, Report
from moderation.tools import add_note_to, moderator_view

Status = Comment.Status
PAGE_SIZE = 20
LISTED = 50


class KnownCountPaginator(Paginator):
    """A paginator told its count (already in the page's aggregate): no second count."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known = count

    @cached_property
    def count(self) -> int:
        return self._known


def _who(request) -> tuple[str, str, Q] | None:
    """(commenter key, shown as, filter on comments) from ?email= or ?name=."""
    email = strip_control(request.GET.get("email", "")).strip()[:254]
    name = strip_control(request.GET.get("name", "")).strip()[:100]
    if email:
        return bans.commenter_key(email, ""), email.casefold(), Q(author_email__iexact=email)
    if name:
        return bans.commenter_key("", name), name, Q(author_name=name, author_email="")
    return None


def _without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@moderator_view
def commenter(request):
    who = _who(request)
    if who is None:
        return render(request, "moderation/commenter.html", {"missing": True}, status=400)
    key, shown, match = who
    note_error, note_text = "", ""
    if request.method == "POST":
        note_text = request.POST.get("note", "")
        note_error = add_note_to(request, commenter=key, text=note_text)
        if not note_error:
            return HttpResponseRedirect(request.get_full_path())
    comments = Comment.objects.filter(match)
    counts = comments.aggregate(
        total=Count("id"),
        **{status: Count("id", filter=Q(status=status)) for status in Status.values},
    )
    reports = Report.objects.filter(comment__in=comments.values("pk"))
    reported = reports.aggregate(reports=Count("id"), comments=Count("comment", distinct=True))
    decisions = Decision.objects.exclude(outcome=Decision.Outcome.REPORTED).select_related("actor")
    listed = (
        comments.select_related("essay")
        .prefetch_related(Prefetch("decisions", queryset=decisions))
        .order_by("-created_at", "-id")
    )
    page = KnownCountPaginator(listed, PAGE_SIZE, count=counts["total"]).get_page(
        request.GET.get("page")
    )
    page.object_list = list(page.object_list)
    attach_history(page.object_list)
    email = shown if "@" in shown else ""
    ban_match = Q(comment__in=comments.values("pk"))
    if email:
        ban_match |= Q(kind=Ban.Kind.EMAIL, value=email)
        ban_match |= Q(kind=Ban.Kind.DOMAIN, value=email.rpartition("@")[2])
    ban_rows = list(
        Ban.objects.filter(ban_match).select_related("created_by", "lifted_by")[:LISTED]
    )
    context = {
        "shown": shown,
        "key": key,
        "is_email": bool(email),
        "counts": counts,
        "reported": reported,
        "page": page,
        "bans": ban_rows,
        "names": list(comments.order_by().values_list("author_name", flat=True).distinct()[:10])
        if email
        else [],  # fmt: skip
        "notes": list(
            CommenterNote.objects.filter(commenter=key).select_related("author")[:LISTED]
        ),
        "recent_reports": list(
            reports.select_related("comment").order_by("-created_at", "-id")[:LISTED]
        ),
        "note_error": note_error,
        "note_text": note_text,
        "note_limit": CommenterNote.MAX_LENGTH,
        "page_query": _without_page(request),
    }
    return render(request, "moderation/commenter.html", context, status=400 if note_error else 200)
