"""Each test run keeps its cache keys apart, so runs sharing one Redis leave each other alone.

config/settings_test.py gives every run (and every xdist worker in it) a KEY_PREFIX of its
own; clearing the cache deletes that prefix's keys only. `cache.clear()` on Redis is
FLUSHDB: it would wipe every other run's rate limits and versions in the same database.
"""

import functools

from django.conf import settings
from django.core.cache import cache

REDIS_BACKENDS = ("RedisCache",)  # Django's backend and config.cache's subclass of it


def clear_this_runs_cache() -> None:
    """Empty the default cache for this run: its own keys on Redis, everything elsewhere."""
    config = settings.CACHES["default"]
    if not config["BACKEND"].endswith(REDIS_BACKENDS):
        cache.clear()  # a per-process cache (LocMemCache): nobody else's to clear
        return
    # Django's RedisCache offers no public client or pattern delete, so a client of
    # redis-py's own, on the same server, finds this run's keys (prefix:version:key).
    client = _redis_client(_primary_location(config["LOCATION"]))
    pattern = f"{_glob_escape(cache.key_prefix)}:*"
    keys = list(client.scan_iter(match=pattern, count=1000))
    for start in range(0, len(keys), 1000):
        client.unlink(*keys[start : start + 1000])


def _primary_location(location) -> str:
    """The server Django's RedisCache writes to: the first of the ones configured."""
    if isinstance(location, str):
        location = location.split(",")
    return location[0].strip()


@functools.cache
def _redis_client(url: str):
    import redis

    return redis.Redis.from_url(url)


def _glob_escape(text: str) -> str:
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)
