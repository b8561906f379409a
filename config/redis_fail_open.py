"""django-redis with Redis treated as an accelerator: when it fails, the site carries on.

A Redis error (refused, reset, timed out) starts an outage for this process: for the next
OUTAGE_RETRY_SECONDS no call goes to Redis at all, so a Redis that hangs costs one socket
timeout per process every few seconds instead of one per cache call. During an outage

- reads are misses and writes are dropped, so pages are rendered from the database;
- `add`, `incr`, `decr`, `touch` and reads of what they made go to a per-process
  LocMemCache, so counters (the flood limit, django-axes' login failures) still count,
  per process, instead of failing or letting everything through;
- the outage is logged once when it starts and once when Redis answers again.

When Redis answers again after this process dropped writes, the keys matching
OPTIONS["RETIRE_AFTER_OUTAGE"] (the page versions) are deleted: a version bump that never
reached Redis must not let a fragment made before it be read again.

Why not django-redis' IGNORE_EXCEPTIONS alone: it waits a full socket timeout on every call
while Redis hangs, and answers None from `add` and `incr`, which django-axes' cache handler
then compares with a number (a 500 on a failed login) and a counter cannot count.
"""

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What django-redis raises when it is not told to ignore errors: redis-py's errors, and the
# socket's own timeout (an OSError) when a read runs out of time.
REDIS_DOWN = (RedisError, OSError)


class Outage:
    """Whether Redis at one address is being left alone, shared by this process's threads."""

    def __init__(self, location: str, retry_seconds: float):
        self.location = location
        self.retry_seconds = retry_seconds
        self.lock = threading.Lock()
        self.started: float | None = None
        self.retry_at = 0.0
        self.dropped_writes = False
        self.local = LocMemCache(f"fail-open:{location}", {"OPTIONS": {"MAX_ENTRIES": 10_000}})

    def skipping(self) -> bool:
        return self.started is not None and time.monotonic() < self.retry_at

    def begin(self, error: BaseException) -> None:
        with self.lock:
            now = time.monotonic()
            self.retry_at = now + self.retry_seconds
            if self.started is None:
                self.started = now
                logger.warning(
                    "cache unavailable (%s: %s); serving without it, counting per process, "
                    "trying again every %s s",
                    type(error).__name__, error, self.retry_seconds,
                )  # fmt: skip

    def end(self) -> bool:
        """Redis answered: end the outage; True when writes were dropped during it."""
        if self.started is None:
            return False
        with self.lock:
            if self.started is None:
                return False
            logger.warning("cache answering again after %.1f s", time.monotonic() - self.started)
            dropped, self.started, self.dropped_writes = self.dropped_writes, None, False
            self.local.clear()
            return dropped


_outages: dict[str, Outage] = {}
_outages_lock = threading.Lock()


def outage_for(location: str, retry_seconds: float) -> Outage:
    with _outages_lock:
        return _outages.setdefault(location, Outage(location, retry_seconds))


# What dropped writes answer during an outage; every other call goes to the per-process store.
DROPPED = {"set": False, "set_many": [], "delete_pattern": 0, "clear": None, "expire": False}


class FailOpenRedisCache(RedisCache):
    """django-redis' RedisCache whose errors read as misses (see the module's docstring)."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        retry_seconds = float(options.pop("OUTAGE_RETRY_SECONDS", 2))
        self.retire_after_outage = options.pop("RETIRE_AFTER_OUTAGE", "")
        options.pop("IGNORE_EXCEPTIONS", None)  # errors must reach the outage logic below
        super().__init__(server, {**params, "OPTIONS": options})
        self.outage = outage_for(str(server), retry_seconds)

    def _call(self, name: str, *args, **kwargs):
        if not self.outage.skipping():
            try:
                result = getattr(super(), name)(*args, **kwargs)
            except REDIS_DOWN as error:
                self.outage.begin(error)
            else:
                if self.outage.end() and self.retire_after_outage:
                    self._retire()
                return result
        if name in DROPPED:
            self.outage.dropped_writes = True
            return DROPPED[name]
        if name in ("delete", "delete_many"):
            self.outage.dropped_writes = True
        kwargs.pop("client", None)
        return getattr(self.outage.local, name)(*args, **kwargs)

    def _retire(self) -> None:
        try:
            deleted = super().delete_pattern(self.retire_after_outage)
        except REDIS_DOWN as error:
            self.outage.begin(error)
            self.outage.dropped_writes = True  # try again when it answers
        else:
            logger.warning("retired %s cached versions written before the outage", deleted)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def decr(self, *args, **kwargs):
        return self._call("decr", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def delete_pattern(self, *args, **kwargs):
        return self._call("delete_pattern", *args, **kwargs)

    def expire(self, *args, **kwargs):
        return self._call("expire", *args, **kwargs)

    def clear(self):
        return self._call("clear")
