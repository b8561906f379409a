"""Moderation's answers to what comments announces (connected in ModerationConfig.ready)."""

from django.conf import settings
from django.core.cache import cache
from django.dispatch import receiver

from comments.signals import CommentRefused, comment_submitted, comment_will_be_posted

TOO_QUICK = (
    "You are commenting too quickly. Please wait a few minutes and send it again; your "
    "comment is below, so nothing is lost."
)


@receiver(comment_will_be_posted, dispatch_uid="moderation.flood_limit")
def flood_limit(sender, request_meta, **kwargs):
    """Refuse more than MODERATION_RATE comments per IP per window, before anything is saved.

    Counted in the shared cache, so every web process sees the same count.
    """
    ip = request_meta.ip_address
    if not ip or settings.MODERATION_RATE <= 0:
        return
    key = f"moderation:rate:{ip}"
    if cache.add(key, 1, timeout=settings.MODERATION_RATE_WINDOW):
        return
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=settings.MODERATION_RATE_WINDOW)
        return
    if count > settings.MODERATION_RATE:
        raise CommentRefused(TOO_QUICK, status=429)


@receiver(comment_submitted, dispatch_uid="moderation.screen_new_comment")
def screen_new_comment(sender, comment, **kwargs):
    from moderation.tasks import screen_comment

    screen_comment.enqueue(comment.pk)
