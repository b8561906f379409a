"""Comments per queue tab, for the tabs' labels; kept briefly in the shared cache."""

from django.core.cache import cache
from django.db.models import Count

from comments.models import Comment
from moderation.models import Report

Status = Comment.Status
TABS = ["reported", Status.PENDING, Status.SPAM, Status.APPROVED, Status.REMOVED]
# A reported comment is one with reports no moderator has dealt with yet, still published
# or hidden by its reports (a removed comment's leftover reports need nobody).
REPORTED_STATUSES = [Status.APPROVED, Status.PENDING]

COUNTS_KEY = "moderation:tab-counts"
COUNTS_SECONDS = 15


def tab_counts() -> dict[str, int]:
    """Comments per status and reported comments, for the tabs' labels only.

    Counting every status of a large table costs more than the rest of the page, so the
    counts are kept for COUNTS_SECONDS in the shared cache and moderator actions drop them.
    They may lag behind by comments that arrived in those seconds, so nothing but a label
    may rely on them: the queue's list counts its own rows.
    """
    counts = cache.get(COUNTS_KEY)
    if counts is None:
        rows = Comment.objects.values_list("status").annotate(n=Count("id")).order_by()
        counts = dict.fromkeys(TABS, 0) | dict(rows)
        counts["reported"] = (
            Report.objects.filter(state=Report.State.OPEN, comment__status__in=REPORTED_STATUSES)
            .values("comment")
            .distinct()
            .count()
        )
        cache.set(COUNTS_KEY, counts, COUNTS_SECONDS)
    return counts


def forget_tab_counts() -> None:
    cache.delete(COUNTS_KEY)
