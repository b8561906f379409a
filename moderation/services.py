"""Moderator actions: the one implementation the queue, the admin and commands all call.

Each action moves a comment from the statuses it expects to a new one with comments'
change_status() (a conditional UPDATE), so when two moderators act on the same comment at
once the second is told who acted first instead of silently overwriting them.
"""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from comments.models import Comment
from comments.services import change_status
from moderation import akismet
from moderation.models import Decision
from moderation.reports import open_reports, resolve_reports

logger = logging.getLogger(__name__)

Status = Comment.Status
Step, Outcome = Decision.Step, Decision.Outcome


class AlreadyActed(Exception):
    """The comment was no longer in a state this action applies to."""

    def __init__(self, comment: Comment, last: Decision | None):
        self.comment = comment
        self.last = last
        status = comment.get_status_display().lower()
        if last is not None and last.step == Step.MODERATOR:
            when = timezone.localtime(last.created_at).strftime("%-d %b %Y %H:%M")
            done = "kept" if last.outcome == Outcome.KEEP else status
            message = f"Already {done} by {last.actor_name} at {when}."
        else:
            message = f"This comment is already {status}."
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    from_statuses: tuple[str, ...]
    to_status: str
    outcome: str
    feedback: str | None = None  # "spam" or "ham" when the action may correct Akismet


ACTIONS = {
    a.name: a
    for a in [
        Action("approve", "Approve", (Status.PENDING,), Status.APPROVED, Outcome.APPROVE),
        Action("spam", "Spam", (Status.PENDING, Status.APPROVED), Status.SPAM, Outcome.SPAM,
               feedback="spam"),
        Action("ham", "Not spam", (Status.SPAM,), Status.APPROVED, Outcome.APPROVE,
               feedback="ham"),
        Action("remove", "Remove", (Status.PENDING, Status.APPROVED), Status.REMOVED,
               Outcome.REMOVE),
        Action("restore", "Restore", (Status.REMOVED,), Status.APPROVED, Outcome.RESTORE),
        # For reported comments: the reports are dismissed and the comment stays (or is
        # again, if its reports hid it) published.
        Action("keep", "Keep", (Status.APPROVED, Status.PENDING), Status.APPROVED, Outcome.KEEP),
    ]
}  # fmt: skip


def _was_public(comment: Comment) -> bool:
    """Whether a person or the policy ever published this comment."""
    return Decision.objects.filter(
        comment=comment, outcome__in=[Outcome.APPROVE, Outcome.RESTORE]
    ).exists()


def _akismet_verdict(comment: Comment) -> Decision | None:
    return (
        Decision.objects.filter(comment=comment, step=Step.AKISMET)
        .exclude(outcome__in=[Outcome.ERROR, Outcome.SKIPPED])
        .order_by("-created_at", "-id")
        .first()
    )


@transaction.atomic
def moderate(
    *,
    comment: Comment,
    action: str,
    moderator,
    reason: str = "",
    seen_status: str = "",
    on_reports: bool = False,
    reports_up_to: int | None = None,
) -> Decision:
    """Apply one moderator action to a comment and record it; AlreadyActed if too late.

    The UPDATE only matches the status the moderator saw (`seen_status`, or the status of
    the `comment` passed in), so an action decided on a pending comment never lands on one
    that another moderator approved in the meantime. Likewise an action taken on a
    comment's reports (`on_reports`, and always Keep) needs reports still open; it deals
    with those up to `reports_up_to` (the newest the moderator saw), or all of them.
    """
    act = ACTIONS[action]
    seen = seen_status or comment.status
    to_status, reason = act.to_status, reason or f"{act.label} by {moderator.get_username()}"
    if act.name == "restore" and not _was_public(comment):
        # Removed before anyone approved it: back to the queue, not straight to readers.
        to_status = Status.PENDING
        reason = f"Restored to the queue by {moderator.get_username()} (never approved)"
    updated = False
    if (on_reports or act.name == "keep") and not open_reports(
        comment, up_to=reports_up_to
    ).exists():
        seen = ""  # nothing left to keep it from: another moderator dealt with the reports
    if seen in act.from_statuses:
        updated = change_status(comment=comment, to=to_status, expected=(seen,))
    if not updated:
        comment.refresh_from_db(fields=["status"])
        last = (
            Decision.objects.filter(comment=comment, step=Step.MODERATOR)
            .select_related("actor")
            .order_by("-created_at", "-id")
            .first()
        )
        raise AlreadyActed(comment, last)
    resolved = resolve_reports(comment, kept=to_status == Status.APPROVED, up_to=reports_up_to)
    if resolved:
        verdict = "dismissed" if to_status == Status.APPROVED else "upheld"
        reason += f" ({resolved} report{'s' if resolved != 1 else ''} {verdict})"
    decision = Decision.objects.create(
        comment=comment, step=Step.MODERATOR, outcome=act.outcome, actor=moderator,
        reason=reason,
    )  # fmt: skip
    logger.info("comment %s moderated: action=%s user=%s", comment.pk, action, moderator.pk)
    if act.feedback:
        _queue_feedback(comment, act.feedback)
    return decision


def _queue_feedback(comment: Comment, kind: str) -> None:
    """Tell Akismet when a moderator overrules its verdict, with the values it was sent."""
    verdict = _akismet_verdict(comment)
    if verdict is None:
        return
    said_spam = verdict.outcome == Outcome.SPAM
    if (kind == "spam") == said_spam:
        return  # Akismet already agreed
    feedback = Decision.objects.create(
        comment=comment, step=Step.FEEDBACK, outcome=Outcome.QUEUED,
        reason=f"submit-{kind} queued", details={"kind": kind, "params": verdict.details},
    )  # fmt: skip
    from moderation.tasks import send_feedback

    transaction.on_commit(lambda: send_feedback.enqueue(feedback.pk))


def deliver_feedback(decision_id: int) -> None:
    """Send one queued submit-spam/submit-ham; the Decision records how it went."""
    feedback = Decision.objects.filter(pk=decision_id, step=Step.FEEDBACK).first()
    if feedback is None or feedback.outcome == Outcome.SENT:
        return
    if not isinstance(feedback.details.get("params"), dict):
        # The comment was deleted by its writer or erased before this went out.
        Decision.objects.filter(pk=feedback.pk).update(
            outcome=Outcome.SKIPPED, reason="not sent: the comment was deleted or erased"
        )
        return
    kind = feedback.details["kind"]
    params = {k: v for k, v in feedback.details["params"].items() if k != "verdict"}
    try:
        (akismet.submit_spam if kind == "spam" else akismet.submit_ham)(params)
    except akismet.AkismetUnavailable as exc:
        Decision.objects.filter(pk=feedback.pk).update(
            outcome=Outcome.ERROR, reason=f"submit-{kind} failed: {exc}"
        )
        return
    Decision.objects.filter(pk=feedback.pk).update(
        outcome=Outcome.SENT, reason=f"submit-{kind} sent"
    )


def approve_comment(*, comment: Comment, moderator) -> Decision:
    """Publish a pending comment."""
    return moderate(comment=comment, action="approve", moderator=moderator)


def mark_spam(*, comment: Comment, moderator) -> Decision:
    """Move a comment to spam (telling Akismet if it had said otherwise)."""
    return moderate(comment=comment, action="spam", moderator=moderator)


def mark_ham(*, comment: Comment, moderator) -> Decision:
    """Publish a comment from the spam folder (telling Akismet if it had called it spam)."""
    return moderate(comment=comment, action="ham", moderator=moderator)


def remove_comment(*, comment: Comment, moderator) -> Decision:
    """Take a comment down (kept, never deleted; replies keep a placeholder)."""
    return moderate(comment=comment, action="remove", moderator=moderator)


def restore_comment(*, comment: Comment, moderator) -> Decision:
    """Publish a removed comment again."""
    return moderate(comment=comment, action="restore", moderator=moderator)
