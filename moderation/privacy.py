"""Keeping what we store about commenters to what the site needs, for as long as it needs it."""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from comments.models import Comment
from comments.services import erase
from moderation.models import CommentEdit, Decision, Report

# Apps above moderation add what they hold about an email address to an export, and erase
# it with the comments, by answering these (subscriptions does). Receivers return a dict:
# exporting, the sections to add; erasing (kwargs email, dry_run), {section: count}.
exporting = Signal()  # kwargs: email
erasing = Signal()  # kwargs: email, dry_run

# What Akismet was sent that identifies the sender (the verdict and the text stay).
PERSONAL_PARAMS = ("user_ip", "user_agent", "referrer", "comment_author_email")


def purge_personal_data(
    *, batch_size: int = 500, progress: Callable[[int, int], None] | None = None
) -> int:
    """Clear request data of comments older than PRIVACY_RETENTION_DAYS, and forget earlier
    words kept for moderators as long; return how many comments were cleared."""
    cutoff = timezone.now() - timedelta(days=settings.PRIVACY_RETENTION_DAYS)
    has_data = ~Q(ip_address=None) | ~Q(user_agent="") | ~Q(referrer="")
    ids = list(
        Comment.objects.filter(has_data, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        with transaction.atomic():
            Comment.objects.filter(pk__in=batch).update(ip_address=None, user_agent="", referrer="")
            for decision in Decision.objects.filter(comment__in=batch).exclude(details={}):
                decision.details = _without_personal(decision.details)
                decision.save(update_fields=["details"])
        if progress:
            progress(min(start + batch_size, len(ids)), len(ids))
    # Reporters' addresses, kept only to limit reports per address, go on the same schedule.
    Report.objects.filter(created_at__lt=cutoff).exclude(ip_address=None).update(ip_address=None)
    # So do the words an edit replaced and the words a report was made on (even an open
    # report's: the comment itself, if its writer kept it, still says what it says now).
    CommentEdit.objects.filter(replaced_at__lt=cutoff).delete()
    Report.objects.filter(created_at__lt=cutoff).exclude(comment_text="").update(comment_text="")
    return len(ids)


def _without_personal(details: dict) -> dict:
    cleaned = {k: v for k, v in details.items() if k not in PERSONAL_PARAMS}
    if isinstance(details.get("params"), dict):  # a queued feedback keeps a copy too
        cleaned["params"] = _without_personal(details["params"])
    return cleaned


def comments_by_email(email: str):
    """Every comment written with this email address (case-insensitive), oldest first."""
    return comments_of(email=email)


def comments_of(*, email: str = "", comment_ids: Iterable[int] = ()):
    """The comments a request is about: every one written with `email` (case-insensitive),
    and the ones named by id (how a writer who gave no email is found), oldest first."""
    email, ids = (email or "").strip(), list(comment_ids)
    if not email and not ids:
        return Comment.objects.none()
    match = Q(pk__in=ids)
    if email:
        match |= Q(author_email__iexact=email)
    return Comment.objects.filter(match).order_by("created_at", "pk")


def replace_stored_copies(comment: Comment) -> int:
    """After a comment's words or name change, make the copies kept for Akismet feedback
    say what the comment says now (the old words must not outlive the edit); how many."""
    current = {
        "comment_content": comment.body, "comment_author": comment.author_name,
        "comment_author_email": comment.author_email, "comment_author_url": comment.author_url,
    }  # fmt: skip
    changed = 0
    for decision in Decision.objects.filter(comment=comment).exclude(details={}):
        details = _with_current_words(decision.details, current)
        if details != decision.details:
            decision.details = details
            decision.save(update_fields=["details"])
            changed += 1
    return changed


def _with_current_words(details: dict, current: dict) -> dict:
    updated = {k: current.get(k, v) for k, v in details.items()}
    if isinstance(details.get("params"), dict):  # a queued feedback keeps a copy too
        updated["params"] = _with_current_words(details["params"], current)
    return updated


def _when(moment) -> str | None:
    return moment.isoformat() if moment else None


def export_comments(email: str = "", *, comment_ids: Iterable[int] = ()) -> list[dict]:
    """Everything the site holds about a writer, found by email and/or comment ids, as
    JSON-ready data (a data-access request): each comment with its request data, the
    words its writer edited out, every screening and moderation step with what was sent
    to Akismet, the reports about it (with the words they were made on), and what the
    admin's history says of it.

    Reports give their reason and outcome but not the reporter's note: the note is another
    reader's words, written in confidence, and can tell who wrote it (often someone the
    comment was about). Who reported, and from where, is never stored in a form we could
    give out (a hash, an address cleared after the retention period).
    """
    comments = list(comments_of(email=email, comment_ids=comment_ids).select_related("essay"))
    ids = [c.pk for c in comments]
    decisions, reports, history = defaultdict(list), defaultdict(list), defaultdict(list)
    edits = defaultdict(list)
    for e in CommentEdit.objects.filter(comment__in=ids).order_by("replaced_at", "pk"):
        edits[e.comment_id].append({
            "comment": e.body, "content_warning": e.content_warning,
            "shown_from": _when(e.written_at), "replaced_at": _when(e.replaced_at),
        })  # fmt: skip
    for d in Decision.objects.filter(comment__in=ids).order_by("created_at", "pk"):
        decisions[d.comment_id].append({
            "at": _when(d.created_at), "step": d.get_step_display(),
            "outcome": d.get_outcome_display(), "reason": d.reason,
            "by": "a moderator" if d.actor_id else "the site", "data_kept": d.details,
        })  # fmt: skip
    for r in Report.objects.filter(comment__in=ids).order_by("created_at", "pk"):
        reports[r.comment_id].append({
            "at": _when(r.created_at), "reason": r.get_reason_display(),
            "state": r.get_state_display(), "resolved_at": _when(r.resolved_at),
            "comment_when_reported": r.comment_text,
        })  # fmt: skip
    for entry in _admin_history(ids):
        history[int(entry.object_id)].append({
            "at": _when(entry.action_time), "what": entry.object_repr,
            "change": entry.get_change_message(),
        })  # fmt: skip
    return [
        {
            "id": c.pk,
            "essay": c.essay.title,
            "essay_url": settings.SITE_URL + c.essay.get_absolute_url(),
            "in_reply_to": c.parent_id,
            "name": c.author_name,
            "email": c.author_email,
            "website": c.author_url,
            "content_warning": c.content_warning,
            "comment": c.body,
            "status": c.status,
            "written_at": c.created_at.isoformat(),
            "ip_address": c.ip_address,
            "user_agent": c.user_agent,
            "referrer": c.referrer,
            "browser_key": c.writer_key,
            "edited_at": _when(c.edited_at),
            "earlier_versions": edits[c.pk],
            "decisions": decisions[c.pk],
            "reports": reports[c.pk],
            "admin_history": history[c.pk],
        }
        for c in comments
    ]


def export_personal_data(email: str = "", *, comment_ids: Iterable[int] = ()) -> dict:
    """A data-access request's answer: the comments (export_comments), and what other
    apps hold about the email address (its subscriptions), as JSON-ready data."""
    data = {"comments": export_comments(email, comment_ids=comment_ids)}
    if email:
        for _, sections in exporting.send(sender=None, email=email):
            data.update(sections)
    return data


def erase_personal_data(
    email: str = "", *, comment_ids: Iterable[int] = (), actor, dry_run: bool = False
) -> dict:
    """Erase (or, with dry_run, count) the comments and what other apps hold about the
    email address: {"comments": n, "subscriptions": n, ...}."""
    with transaction.atomic():
        if dry_run:
            counts = {"comments": comments_of(email=email, comment_ids=comment_ids).count()}
        else:
            counts = {"comments": erase_comments(email, comment_ids=comment_ids, actor=actor)}
        if email:
            for _, erased in erasing.send(sender=None, email=email, dry_run=dry_run):
                counts.update(erased)
    return counts


def _admin_history(comment_ids: list[int]):
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Comment),
        object_id__in=[str(i) for i in comment_ids],
    ).order_by("action_time", "pk")


def erase_comments(email: str = "", *, comment_ids: Iterable[int] = (), actor) -> int:
    """Erase the comments found by email and/or id: words, name, contact and request data,
    the copies kept for Akismet, the words it had before edits, the notes of reports on
    them and the words they were reported for, and their name and words in the admin's
    history.

    The rows stay, removed, so replies keep "This comment was removed." for context; each
    erase is recorded as a Decision with who asked for it.
    """
    with transaction.atomic():
        comments = list(comments_of(email=email, comment_ids=comment_ids))
        ids = [c.pk for c in comments]
        emails = {c.author_email for c in comments if c.author_email}
        Decision.objects.filter(comment__in=ids).update(details={})
        for decision in Decision.objects.filter(comment__in=ids).exclude(reason=""):
            reason = decision.reason
            for address in emails:  # a list entry quoted in a reason can be their address
                reason = re.sub(re.escape(address), "[erased]", reason, flags=re.IGNORECASE)
            if reason != decision.reason:
                decision.reason = reason
                decision.save(update_fields=["reason"])
        CommentEdit.objects.filter(comment__in=ids).delete()
        Report.objects.filter(comment__in=ids).exclude(note="", comment_text="").update(
            note="", comment_text=""
        )
        for entry in _admin_history(ids):
            entry.object_repr = f"Comment {entry.object_id} (erased)"
            entry.change_message = ""
            entry.save(update_fields=["object_repr", "change_message"])
        erase(comments=comments, request_data=True)
        Decision.objects.bulk_create(
            Decision(
                comment=comment,
                step=Decision.Step.ERASED,
                outcome=Decision.Outcome.REMOVE,
                reason="erased on request",
                actor=actor,
            )
            for comment in comments
        )
    return len(comments)


COMMENT_IN_URL = re.compile(r"/comments/(\d+)/|#comment-(\d+)$")


def comment_id_from(value: str) -> int | None:
    """The comment id in "123", a permalink (/comments/123/) or an anchor (#comment-123)."""
    value = (value or "").strip()
    if value.isdigit():
        return int(value)
    match = COMMENT_IN_URL.search(value)
    return int(match.group(1) or match.group(2)) if match else None
