"""Keeping what we store about commenters to what the site needs, for as long as it needs it."""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from comments.models import Comment
from comments.services import erase
from moderation.models import Decision, Report

# What Akismet was sent that identifies the sender (the verdict and the text stay).
PERSONAL_PARAMS = ("user_ip", "user_agent", "referrer", "comment_author_email")


def purge_personal_data(
    *, batch_size: int = 500, progress: Callable[[int, int], None] | None = None
) -> int:
    """Clear request data of comments older than PRIVACY_RETENTION_DAYS; return how many."""
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
    return len(ids)


def _without_personal(details: dict) -> dict:
    cleaned = {k: v for k, v in details.items() if k not in PERSONAL_PARAMS}
    if isinstance(details.get("params"), dict):  # a queued feedback keeps a copy too
        cleaned["params"] = _without_personal(details["params"])
    return cleaned


def comments_by_email(email: str):
    """Every comment written with this email address (case-insensitive), oldest first."""
    email = (email or "").strip()
    if not email:
        return Comment.objects.none()
    return Comment.objects.filter(author_email__iexact=email).order_by("created_at", "pk")


def export_comments(email: str) -> list[dict]:
    """What the site holds for an email address, as JSON-ready data (a data-access request)."""
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
        }
        for c in comments_by_email(email).select_related("essay")
    ]


def erase_comments(email: str, *, actor) -> int:
    """Erase every comment written with this email: words, name, contact and request data.

    The rows stay, removed, so replies keep "This comment was removed." for context; each
    erase is recorded as a Decision with who asked for it.
    """
    with transaction.atomic():
        comments = list(comments_by_email(email))
        Decision.objects.filter(comment__in=comments).update(details={})
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
