"""What a comment said before: the words its writer edited out, and its words when reported.

Moderators only. Readers see just that a comment was edited, and when (comments'
edited_at). The earlier words are forgotten when the writer deletes the comment (except
what an open report needs to be decided), when its words are erased on request, and after
PRIVACY_RETENTION_DAYS (moderation.privacy).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Min, Window
from django.db.models.functions import RowNumber

from comments.models import Comment
from moderation.models import CommentEdit, Report

# A writer may edit many times within the edit window; a moderator's page lists the newest
# of them and says how many there were.
LISTED_EDITS = 20


@dataclass(frozen=True)
class ReportedText:
    """Words a comment had when readers reported it, no longer what it says."""

    text: str
    first_reported_at: datetime
    reports: int


def keep_earlier_text(*, comment: Comment, body: str, content_warning: str, written_at) -> None:
    """Keep the words a writer's edit replaced (unless the edit changed nothing)."""
    if body == comment.body and content_warning == comment.content_warning:
        return
    CommentEdit.objects.create(
        comment=comment, body=body, content_warning=content_warning, written_at=written_at
    )


def forget_withdrawn(comment: Comment) -> None:
    """Its writer deleted the comment: drop the earlier words, and the words kept with
    reports that are settled. Open reports keep theirs until a moderator decides them."""
    CommentEdit.objects.filter(comment=comment).delete()
    Report.objects.filter(comment=comment).exclude(state=Report.State.OPEN).exclude(
        comment_text=""
    ).update(comment_text="")


def attach_history(comments: Sequence[Comment]) -> None:
    """Set `edit_list` (earlier words, newest first, at most LISTED_EDITS), `edit_count`,
    `edits_not_listed` and `reported_texts` (words reported that differ from the comment's
    current ones, newest first) on each comment, in two queries however many there are."""
    for comment in comments:
        comment.edit_list, comment.edit_count, comment.reported_texts = [], 0, []
        comment.edits_not_listed = 0
    by_id = {comment.pk: comment for comment in comments}
    if not by_id:
        return
    newest_first = ("-replaced_at", "-id")
    edits = (
        CommentEdit.objects.filter(comment_id__in=list(by_id))
        .annotate(
            position=Window(RowNumber(), partition_by=F("comment_id"), order_by=newest_first),
            total=Window(Count("id"), partition_by=F("comment_id")),
        )
        .filter(position__lte=LISTED_EDITS)
        .order_by("comment_id", *newest_first)
    )
    for edit in edits:
        comment = by_id[edit.comment_id]
        comment.edit_list.append(edit)
        comment.edit_count = edit.total
        comment.edits_not_listed = edit.total - len(comment.edit_list)
    reported = (
        Report.objects.filter(comment_id__in=list(by_id))
        .exclude(comment_text="")
        .exclude(comment_text=F("comment__body"))
        .values("comment_id", "comment_text")
        .annotate(first_reported_at=Min("created_at"), reports=Count("id"))
        .order_by("comment_id", "-first_reported_at")
    )
    for row in reported:
        by_id[row["comment_id"]].reported_texts.append(
            ReportedText(
                text=row["comment_text"],
                first_reported_at=row["first_reported_at"],
                reports=row["reports"],
            )
        )
