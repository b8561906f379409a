"""Keeping what we store about commenters to what the site needs, for as long as it needs it."""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from comments.models import Comment
from moderation.models import Decision

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
    return len(ids)


def _without_personal(details: dict) -> dict:
    cleaned = {k: v for k, v in details.items() if k not in PERSONAL_PARAMS}
    if isinstance(details.get("params"), dict):  # a queued feedback keeps a copy too
        cleaned["params"] = _without_personal(details["params"])
    return cleaned
