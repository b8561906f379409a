"""Writing comments: the one way a comment comes into being."""

import ipaddress
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from blog.http import strip_control
from blog.models import Essay
from comments.models import Comment
from comments.signals import (
    CommentRefused,
    comment_edited,
    comment_submitted,
    comment_will_be_posted,
    comment_withdrawn,
)


@dataclass(frozen=True)
class RequestMeta:
    """The request details spam checks need, taken once from the HTTP request."""

    ip_address: str | None
    user_agent: str
    referrer: str
    permalink: str
    form_honeypot: str = ""
    form_seconds: float | None = None

    @classmethod
    def from_request(cls, request, *, permalink: str, **form_facts) -> "RequestMeta":
        return cls(
            ip_address=_valid_ip(request.META.get("REMOTE_ADDR")),
            user_agent=strip_control(request.headers.get("user-agent", ""))[:500],
            referrer=strip_control(request.headers.get("referer", ""))[:1000],
            permalink=permalink[:1000],
            **form_facts,
        )


def _valid_ip(value) -> str | None:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


class ReplyNotAllowed(Exception):
    """The comment being replied to cannot take replies (missing, not public, elsewhere)."""


class DuplicateComment(Exception):
    """The same name already posted the same text on this essay within the hour."""


@dataclass(frozen=True)
class Submission:
    comment: Comment
    created: bool  # False when this was a repeat of a comment already saved


def comments_are_open(essay: Essay, *, now=None) -> bool:
    """Whether readers may still reply to an essay (its switch and the site's closing age)."""
    if not essay.comments_open or not essay.is_public:
        return False
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    return not days or (now or timezone.now()) < essay.published_at + timedelta(days=days)


def reply_parent(*, essay: Essay, parent_id: int | None) -> Comment | None:
    """The comment a reply attaches to, or ReplyNotAllowed with the reason.

    A reply to a comment at the deepest level is attached beside it, to that comment's own
    parent, so the thread never grows deeper than COMMENTS_MAX_DEPTH levels.
    """
    if parent_id is None:
        return None
    parent = (
        Comment.objects.public().filter(pk=parent_id, essay=essay).select_related("parent").first()
    )
    if parent is None:
        raise ReplyNotAllowed
    while parent.depth >= settings.COMMENTS_MAX_DEPTH - 1 and parent.parent is not None:
        parent = parent.parent
    if not parent.is_public:
        raise ReplyNotAllowed
    return parent


def submit_comment(
    *,
    essay: Essay,
    parent: Comment | None,
    author_name: str,
    author_email: str,
    author_url: str,
    body: str,
    content_warning: str,
    request_meta: RequestMeta,
    submission_key: uuid.UUID,
) -> Submission:
    """Save a reader's comment as pending, once, and announce it when committed.

    A repeat of the same form (double click, resent POST) returns the comment already
    saved; the same text under the same name on the same essay within the hour, sent from
    a fresh form from the same address, raises DuplicateComment.
    """
    earlier = Comment.objects.filter(submission_key=submission_key).first()
    if earlier is not None:
        return Submission(comment=earlier, created=False)
    # Scoped to the sender's address, so nobody learns of someone else's hidden comment.
    if Comment.objects.filter(
        essay=essay,
        ip_address=request_meta.ip_address,
        author_name=author_name,
        body=body,
        status__in=[Comment.Status.PENDING, Comment.Status.APPROVED],
        created_at__gte=timezone.now() - timedelta(hours=1),
    ).exists():
        raise DuplicateComment

    comment_will_be_posted.send(
        sender=Comment,
        essay=essay,
        parent=parent,
        author_name=author_name,
        author_email=author_email,
        request_meta=request_meta,
    )
    comment = Comment(
        essay=essay,
        parent=parent,
        author_name=author_name,
        author_email=author_email,
        author_url=author_url,
        body=body,
        content_warning=content_warning,
        ip_address=request_meta.ip_address,
        user_agent=request_meta.user_agent,
        referrer=request_meta.referrer,
        permalink=request_meta.permalink,
        form_honeypot=request_meta.form_honeypot[:200],
        form_seconds=request_meta.form_seconds,
        submission_key=submission_key,
    )
    try:
        with transaction.atomic():
            comment.save()
            transaction.on_commit(lambda: comment_submitted.send(sender=Comment, comment=comment))
    except IntegrityError:
        # The same form raced us (a double click); the first one won.
        earlier = Comment.objects.filter(submission_key=submission_key).first()
        if earlier is None:
            raise
        return Submission(comment=earlier, created=False)
    return Submission(comment=comment, created=True)


def can_change_own(comment: Comment, own_ids, *, now=None) -> bool:
    """Whether this browser's writer may still edit or delete the comment."""
    window = timedelta(minutes=settings.COMMENTS_EDIT_WINDOW_MINUTES)
    return (
        comment.pk in own_ids
        and comment.status in (Comment.Status.PENDING, Comment.Status.APPROVED)
        and (now or timezone.now()) < comment.created_at + window
    )


def edit_own_comment(*, comment: Comment, body: str, content_warning: str) -> Comment:
    """Change a comment at its writer's request: it waits for screening again."""
    with transaction.atomic():
        comment.body = body
        comment.content_warning = content_warning
        comment.status = Comment.Status.PENDING
        comment.save(update_fields=["body", "content_warning", "status", "updated_at"])
        transaction.on_commit(lambda: comment_edited.send(sender=Comment, comment=comment))
    return comment


def withdraw_own_comment(*, comment: Comment) -> None:
    """Delete a comment at its writer's request: its words and their name are gone; the
    row stays (as "This comment was removed." if others replied to it)."""
    with transaction.atomic():
        comment.body = ""
        comment.content_warning = ""
        comment.author_name = ""
        comment.author_email = ""
        comment.author_url = ""
        comment.status = Comment.Status.REMOVED
        comment.save()
        transaction.on_commit(lambda: comment_withdrawn.send(sender=Comment, comment=comment))


__all__ = [
    "CommentRefused",
    "DuplicateComment",
    "ReplyNotAllowed",
    "RequestMeta",
    "Submission",
    "can_change_own",
    "comments_are_open",
    "edit_own_comment",
    "withdraw_own_comment",
    "reply_parent",
    "submit_comment",
]
