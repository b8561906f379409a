"""Each test run keeps its cache keys apart, so runs sharing one Redis leave each other alone.

config/settings_test.py gives every run (and every xdist worker in it) a KEY_PREFIX of its
own; clearing the cache deletes that prefix's keys only. `cache.clear()` on Redis is
FLUSHDB: it would wipe every other run's rate limits and versions in the same database.
"""

from django.core.cache import cache


def clear_this_runs_cache() -> None:
    """Empty the default cache for this run: its own keys on Redis, everything elsewhere."""
    if hasattr(cache, "delete_pattern"):  # django-redis: the pattern is under KEY_PREFIX
        cache.delete_pattern("*")
        outage = getattr(cache, "outage", None)  # config/redis_fail_open.py
        if outage is not None:
            outage.local.clear()  # what an outage counted in this process
    else:
        cache.clear()  # a per-process cache (LocMemCache): nobody else's to clear
