"""Writing comments: the one way a comment comes into being, and the one way it changes.

A new comment is saved as pending (nobody else sees it yet). Every later change to a
comment's status or words goes through change_status(), change_body(), correct_comment()
or erase() here: a conditional UPDATE that says whether it matched, then, once that commits,
comments_changed() retires the cached fragments of the essay's comments. Comment.save()
touches no cache, and no other module calls comments_changed().
"""

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, Q
from django.utils import timezone

from blog import markup
from blog.http import client_address, strip_control
from blog.models import CommentPolicy, Essay
from comments.caching import comments_changed
from comments.models import SEGMENT_LENGTH, Comment
from comments.signals import (
    CommentRefused,
    comment_edited,
    comment_published,
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
    writer_key: str = ""  # a hash of the sending browser's writer token (reader_state)

    @classmethod
    def from_request(cls, request, *, permalink: str, **form_facts) -> "RequestMeta":
        return cls(
            ip_address=client_address(request),
            user_agent=strip_control(request.headers.get("user-agent", ""))[:500],
            referrer=strip_control(request.headers.get("referer", ""))[:1000],
            permalink=permalink[:1000],
            **form_facts,
        )


class ReplyNotAllowed(Exception):
    """The comment being replied to cannot take replies (missing, not public, elsewhere)."""


@dataclass(frozen=True)
class Submission:
    comment: Comment
    created: bool  # False when this was a repeat of a comment already saved


LIVE = (Comment.Status.PENDING, Comment.Status.APPROVED)
REPEAT_WINDOW = timedelta(hours=1)


def repeat_key(*, essay: Essay, ip_address: str | None, author_name: str, body: str, now):
    """The same for every sending of one comment (essay, address, name, text) within a
    clock hour: stored as the comment's submission_key, its unique constraint lets only
    one of two identical POSTs arriving together be saved."""
    hour = int(now.timestamp() // REPEAT_WINDOW.total_seconds())
    text = "\x1f".join([str(essay.pk), ip_address or "", author_name, body, str(hour)])
    return uuid.UUID(bytes=hashlib.blake2b(text.encode(), digest_size=16).digest())


def comments_are_open(essay: Essay, *, now=None) -> bool:
    """Whether readers may still reply to an essay (its switch, its moderators' policy and
    the site's closing age)."""
    if not essay.comments_open or not essay.is_public:
        return False
    if essay.comment_policy_now(now=now) == CommentPolicy.CLOSED:
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
    submission_key: uuid.UUID | None = None,
    notify: str = "",
) -> Submission:
    """Save a reader's comment as pending, once, and announce it when committed.

    The same text under the same name on the same essay from the same address within the
    hour is a repeat (a double click, a resent POST): it returns the comment already saved
    (`created=False`) instead of a second one, even when both arrive at once. Callers that
    have their own idempotency key (the demo seed) pass it as `submission_key`.
    `notify` is what the writer asked to be emailed about (Comment.Notify), kept only
    with an email address.
    """
    if submission_key is not None:
        earlier = Comment.objects.filter(submission_key=submission_key).first()
        if earlier is not None:
            return Submission(comment=earlier, created=False)
    now = timezone.now()
    # Scoped to the sender's address, so nobody learns of someone else's hidden comment.
    earlier = (
        Comment.objects.filter(
            essay=essay,
            ip_address=request_meta.ip_address,
            author_name=author_name,
            body=body,
            status__in=LIVE,
            created_at__gte=now - REPEAT_WINDOW,
        )
        .order_by("created_at")
        .first()
    )
    if earlier is not None:
        return Submission(comment=earlier, created=False)

    comment_will_be_posted.send(
        sender=Comment,
        essay=essay,
        parent=parent,
        author_name=author_name,
        author_email=author_email,
        request_meta=request_meta,
    )
    key = submission_key or repeat_key(
        essay=essay, ip_address=request_meta.ip_address, author_name=author_name, body=body,
        now=now,
    )  # fmt: skip
    comment = Comment(
        essay=essay,
        parent=parent,
        author_name=author_name,
        author_email=author_email,
        author_url=author_url,
        body=body,
        content_warning=content_warning,
        notify=notify if author_email else "",
        ip_address=request_meta.ip_address,
        user_agent=request_meta.user_agent,
        referrer=request_meta.referrer,
        permalink=request_meta.permalink,
        form_honeypot=request_meta.form_honeypot[:200],
        form_seconds=request_meta.form_seconds,
        writer_key=request_meta.writer_key,
        submission_key=key,
    )
    try:
        _save_new(comment)
    except IntegrityError:
        # The same comment raced us (two POSTs at once): the first one won.
        earlier = Comment.objects.filter(submission_key=key).first()
        if earlier is None:
            raise
        if submission_key is not None or earlier.status in LIVE:
            return Submission(comment=earlier, created=False)
        # The key's earlier owner was marked spam or removed this hour, which does not make
        # this a repeat: saved without a key, like any comment sent again after the hour.
        comment.submission_key = None
        _save_new(comment)
    return Submission(comment=comment, created=True)


def _save_new(comment: Comment) -> None:
    with transaction.atomic():
        comment.save()
        # robust: the comment is committed, so a receiver failing (the screening enqueue with
        # the database gone) must not turn the reader's answer into an error; an unscreened
        # comment stays pending, in the moderators' queue.
        transaction.on_commit(
            lambda: comment_submitted.send(sender=Comment, comment=comment), robust=True
        )


def can_change_own(comment: Comment, own_ids, *, now=None) -> bool:
    """Whether this browser's writer may still edit or delete the comment."""
    window = timedelta(minutes=settings.COMMENTS_EDIT_WINDOW_MINUTES)
    return (
        comment.pk in own_ids
        and comment.status in WRITER_CHANGEABLE
        and (now or timezone.now()) < comment.created_at + window
    )


Status = Comment.Status
# What a writer may still change, and what an editor's correction or an erase applies to.
CHANGEABLE = (Status.PENDING, Status.APPROVED)
# What a writer may edit or delete in the window: spam too, since to its writer spam looks
# held (moderation.bans), and a held comment can be changed. An edit is screened again.
WRITER_CHANGEABLE = (*CHANGEABLE, Status.SPAM)
EVERY_STATUS = tuple(Status.values)


def _changed(*essay_ids: int) -> None:
    """Retire the cached comment fragments of these essays once the change commits."""
    ids = sorted(set(essay_ids))
    transaction.on_commit(lambda: comments_changed(*ids))


def _write(
    comments: Sequence[Comment],
    *,
    expected: Iterable[str],
    unless: Q | Exists | None = None,
    **values,
) -> int:
    """Set `values` on those of `comments` still in an `expected` status (and not matching
    `unless`), in one UPDATE; return how many rows matched.

    Only rows that matched are changed in memory too; the others keep what they had.
    """
    rows = Comment.objects.filter(pk__in=[c.pk for c in comments], status__in=list(expected))
    if unless is not None:
        rows = rows.exclude(unless)
    values["updated_at"] = timezone.now()
    if len(comments) == 1:
        matched = {comments[0].pk} if rows.update(**values) else set()
    else:  # several: find out which ones, in the same transaction as the UPDATE
        with transaction.atomic():
            matched = set(rows.select_for_update().values_list("pk", flat=True))
            Comment.objects.filter(pk__in=matched).update(**values)
    changed = [c for c in comments if c.pk in matched]
    for comment in changed:
        for name, value in values.items():
            setattr(comment, name, value)
    if changed:
        _changed(*(c.essay_id for c in changed))
        if values.get("status") == Status.APPROVED:
            _announce_published(changed)
    return len(changed)


def _announce_published(comments: Sequence[Comment]) -> None:
    """Send comment_published for each comment once the change commits. Robust: the status
    is committed; a receiver failing (say, email queued with the database gone) must not
    turn a moderator's approval into an error."""
    for comment in comments:
        transaction.on_commit(
            lambda c=comment: comment_published.send(sender=Comment, comment=c), robust=True
        )


def change_status(
    *, comment: Comment, to: str, expected: Iterable[str], unless: Q | Exists | None = None
) -> bool:
    """Move a comment to status `to` if it is still in an `expected` one; whether it was.

    `unless` excludes the row on a further condition (screening passes "a moderator has
    decided"), checked in the same UPDATE, so no one overwrites a decision made meanwhile.
    """
    return bool(_write([comment], expected=expected, unless=unless, status=to))


def change_body(
    *,
    comment: Comment,
    body: str,
    content_warning: str,
    status: str | None = None,
    expected: Iterable[str] = CHANGEABLE,
    edited_at=None,
) -> bool:
    """Replace a comment's words (and its status, if given) while it is in an `expected`
    status; whether it was. `edited_at` marks the change as its writer's (readers see it)."""
    values = {
        "body": body, "body_html": markup.render_comment(body), "content_warning": content_warning
    }  # fmt: skip
    if status is not None:
        values["status"] = status
    if edited_at is not None:
        values["edited_at"] = edited_at
    return bool(_write([comment], expected=expected, **values))


def correct_comment(
    *,
    comment: Comment,
    author_name: str,
    author_email: str,
    author_url: str,
    body: str,
    content_warning: str,
) -> bool:
    """An editor's correction (the admin): the name and words as given, the status kept."""
    return bool(
        _write(
            [comment], expected=EVERY_STATUS, author_name=author_name,
            author_email=author_email, author_url=author_url, body=body,
            body_html=markup.render_comment(body), content_warning=content_warning,
        )
    )  # fmt: skip


def erase(*, comments: Sequence[Comment], request_data: bool = False) -> int:
    """Remove comments' words, name and contact details (and, with `request_data`, what the
    request told us and the writer's browser key); the rows stay, removed, so replies keep
    a placeholder. How many."""
    values = {
        "body": "", "body_html": markup.render_comment(""), "content_warning": "",
        "author_name": "", "author_email": "", "author_url": "", "status": Status.REMOVED,
    }  # fmt: skip
    if request_data:
        values.update(ip_address=None, user_agent="", referrer="", writer_key="")
    return _write(comments, expected=EVERY_STATUS, **values)


def imported_segment(created_at, number: int) -> str:
    """A path segment for a comment brought from elsewhere: its own date's microseconds (so
    imported siblings sort oldest first, as new ones do) and 3 hex digits of its old id."""
    micros = max(0, int(created_at.timestamp() * 1_000_000))
    return f"{micros:013x}"[-13:] + f"{number % 4096:03x}"


def insert_imported_comments(*, essay: Essay, comments: Sequence[Comment]) -> None:
    """Save comments brought from another system, parents before replies, without announcing
    them: nobody submitted them here, so they are not screened (nor sent to Akismet).

    Each comment has its parent set (another of `comments`, or one saved before), its
    created_at, and a path segment in `path`; the full path, thread and depth are worked
    out here. One INSERT per depth and one UPDATE for the dates, however many there are.
    """
    by_depth: dict[int, list[Comment]] = {}
    for comment in comments:  # parents come first in `comments`
        segment = comment.path
        parent = comment.parent
        comment.essay = essay
        comment.path = (parent.path if parent else "") + segment
        comment.thread = comment.path[:SEGMENT_LENGTH]
        comment.depth = parent.depth + 1 if parent else 0
        comment.body_html = markup.render_comment(comment.body)
        by_depth.setdefault(comment.depth, []).append(comment)
    dates = {id(c): c.created_at for c in comments}
    with transaction.atomic():
        for depth in sorted(by_depth):
            for comment in by_depth[depth]:
                comment.parent_id = comment.parent.pk if comment.parent else None
            Comment.objects.bulk_create(by_depth[depth], batch_size=500)
        for comment in comments:  # created_at is auto_now_add: the INSERT set it to now
            comment.created_at = dates[id(comment)]
        Comment.objects.bulk_update(comments, ["created_at"], batch_size=500)
        _changed(essay.pk)


def comment_deleted(sender, instance: Comment, **kwargs) -> None:
    """post_delete receiver (connected in CommentsConfig.ready): a deleted comment, one at a
    time or in bulk (the admin, purge_spam), leaves its essay's threads too."""
    _changed(instance.essay_id)


def edit_own_comment(*, comment: Comment, body: str, content_warning: str) -> bool:
    """Change a comment at its writer's request: it waits for screening again.

    False when it could no longer be changed (a moderator removed it meanwhile). Readers
    see when it was edited; comment_edited carries the words it replaced, for whoever
    keeps them (moderation does, for moderators).
    """
    previous = {
        "previous_body": comment.body,
        "previous_warning": comment.content_warning,
        "previous_written_at": comment.edited_at or comment.created_at,
    }
    with transaction.atomic():
        edited = change_body(
            comment=comment, body=body, content_warning=content_warning,
            status=Status.PENDING, expected=WRITER_CHANGEABLE, edited_at=timezone.now(),
        )  # fmt: skip
        if edited:
            transaction.on_commit(
                lambda: comment_edited.send(sender=Comment, comment=comment, **previous)
            )
    return edited


def withdraw_own_comment(*, comment: Comment) -> None:
    """Delete a comment at its writer's request: its words, their name and what their
    request told us are gone at once; the row stays (as "This comment was removed." if
    others replied to it)."""
    with transaction.atomic():
        if erase(comments=[comment], request_data=True):
            transaction.on_commit(lambda: comment_withdrawn.send(sender=Comment, comment=comment))


__all__ = [
    "CommentRefused",
    "ReplyNotAllowed",
    "RequestMeta",
    "Submission",
    "WRITER_CHANGEABLE",
    "can_change_own",
    "change_body",
    "change_status",
    "comments_are_open",
    "correct_comment",
    "edit_own_comment",
    "erase",
    "imported_segment",
    "insert_imported_comments",
    "withdraw_own_comment",
    "reply_parent",
    "submit_comment",
]
