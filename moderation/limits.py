"""The flood limit shared by comments and reports: at most MODERATION_RATE sends per IP
address per MODERATION_RATE_WINDOW seconds, counted in the shared cache so every web
process sees the same count."""

from django.conf import settings
from django.core.cache import cache


def over_rate_limit(ip: str | None) -> bool:
    """Count one send from this address; True when it is over the limit."""
    if not ip or settings.MODERATION_RATE <= 0:
        return False
    key = f"moderation:rate:{ip}"
    if cache.add(key, 1, timeout=settings.MODERATION_RATE_WINDOW):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=settings.MODERATION_RATE_WINDOW)
        return False
    return count > settings.MODERATION_RATE
