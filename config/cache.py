"""Django's Redis cache, with one redis client per pool and exact local copies of versions.

One client per pool: Django's RedisCacheClient builds a new redis.Redis object on every
cache call; with redis-py 8 that construction (its table of response callbacks) costs
close to a millisecond, more than the network round trip. A redis.Redis client is safe to
share between threads (it takes connections from its pool), so one per pool is kept.

Local copies: keys under the MIRRORED_PREFIX option (the site's versions, read on every
page view) are kept in process memory and dropped the moment Redis says they changed, by
Redis's own client-side caching protocol (CLIENT TRACKING in broadcast mode, Redis 6 or
later). See KeyMirror for why a copy can never be stale.
"""

import contextlib
import logging
import os
import select
import threading
import time

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient

logger = logging.getLogger(__name__)

INVALIDATE_CHANNEL = b"__redis__:invalidate"


class KeyMirror:
    """Process-local copies of the Redis keys under one prefix, exact at every read.

    One connection per process asks Redis to announce every change to a key under the
    prefix (`CLIENT TRACKING ON REDIRECT <itself> BCAST PREFIX <prefix>`, then `SUBSCRIBE
    __redis__:invalidate`). Before answering from its copies, the mirror reads whatever
    announcements have arrived (a non-blocking poll of that socket, a few microseconds) and
    drops the keys they name. Redis queues the announcements of a turn of its event loop
    before it writes any reply of that turn, so by the time a writer has heard "OK" for a
    new version, the announcement is already in every mirror's socket: a page built after a
    change was acknowledged can never use the version from before it.

    Two things could still make a copy stale, and both are guarded against:
    - *The connection breaks* (Redis restarts, the network fails, a fork): every copy is
      dropped, reads go to Redis until a new connection is tracking, and values read
      across a reconnection are never kept.
    - *The connection hangs without breaking* (a network partition): announcements would
      stop arriving. So the mirror PINGs on the same connection every HEARTBEAT seconds; a
      PONG proves that every announcement sent before it has been read. Copies are trusted
      only while the last proof is younger than LEASE seconds; otherwise reads go to Redis.

    A fetch that races with an announcement (another thread drained one while the fetch
    was in flight) is not kept: every announcement and every local write moves `changes`.
    """

    HEARTBEAT = 0.5
    LEASE = 1.5
    RETRY = 1.0

    def __init__(self, prefix: str, new_connection):
        self.prefix = prefix
        self._new_connection = new_connection
        self.values: dict[str, object] = {}
        self.lock = threading.Lock()
        self.conn = None
        self.pid = os.getpid()
        self.changes = 0
        self.retry_at = 0.0
        self.proven_at = 0.0  # when the last answered PING was sent
        self.ping_sent_at: float | None = None

    def tracks(self, key: str) -> bool:
        return key.startswith(self.prefix)

    # -- reads --------------------------------------------------------------------------

    def get_many(self, keys: list[str], fetch) -> dict:
        """The values of these keys: the copies when they can be trusted, the rest (or
        all) from `fetch(keys) -> dict`, which are kept when nothing changed meanwhile."""
        with self.lock:
            trusted = self._sync()
            found = {k: self.values[k] for k in keys if k in self.values} if trusted else {}
            conn, changes = self.conn, self.changes
        missing = [k for k in keys if k not in found]
        if missing:
            fetched = fetch(missing)
            with self.lock:
                if conn is not None and self.conn is conn and self.changes == changes:
                    self.values.update(fetched)
            found.update(fetched)
        return found

    # -- local writes -------------------------------------------------------------------

    def forget(self, keys) -> None:
        """This process changed these keys: drop its copies now (the announcement of the
        change will come too), and keep no value a concurrent fetch read before it."""
        with self.lock:
            self.changes += 1
            for key in keys:
                if self.tracks(key):
                    self.values.pop(key, None)

    def forget_all(self) -> None:
        with self.lock:
            self.changes += 1
            self.values.clear()

    # -- the tracking connection --------------------------------------------------------

    def _sync(self) -> bool:
        """Read the announcements that have arrived; True if the copies can be trusted."""
        now = time.monotonic()
        if self.pid != os.getpid():  # a forked child must not read its parent's socket
            self.pid, self.conn = os.getpid(), None  # (opening a new one drops the copies)
        if self.conn is None and now >= self.retry_at:
            self._open(now)
        if self.conn is None:
            return False
        try:
            # A poll of the socket is the cheap check; once anything arrives, redis-py's own
            # can_read() also looks at what it has buffered, until nothing is left.
            if self._buffered or self.poller.poll(0):
                while self.conn.can_read(timeout=0):
                    self._handle(self.conn.read_response())
                self._buffered = False
            if self.ping_sent_at is None and now - self.proven_at >= self.HEARTBEAT:
                self.conn.send_command("PING")
                self.ping_sent_at = now
        except Exception as error:  # noqa: BLE001 - any failure means: trust nothing
            self._broken(now, error)
            return False
        return now - self.proven_at < self.LEASE

    def _handle(self, message) -> None:
        kind = message[0] if isinstance(message, list) and message else None
        if kind == b"message" and message[1] == INVALIDATE_CHANNEL:
            self.changes += 1
            if message[2] is None:  # FLUSHDB, FLUSHALL, or Redis dropping its table
                self.values.clear()
            else:
                for key in message[2]:
                    self.values.pop(key.decode(), None)
        elif kind == b"pong":
            self.proven_at = self.ping_sent_at or self.proven_at
            self.ping_sent_at = None

    def _open(self, now: float) -> None:
        conn = None
        try:
            conn = self._new_connection()
            conn.connect()
            conn.send_command("CLIENT", "ID")
            client_id = conn.read_response()
            conn.send_command(
                "CLIENT", "TRACKING", "ON", "REDIRECT", client_id, "BCAST", "PREFIX", self.prefix
            )
            conn.read_response()
            conn.send_command("SUBSCRIBE", INVALIDATE_CHANNEL)
            conn.read_response()
        except Exception as error:  # noqa: BLE001 - Redis down, too old, or CLIENT refused
            if conn is not None:
                conn.disconnect()
            self.retry_at = now + self.RETRY
            logger.warning("Versions are read from Redis every time: %s", error)
            return
        self.conn = conn
        self.poller = select.poll()
        self.poller.register(conn._sock, select.POLLIN)
        self._buffered = True  # announcements may have come in with the replies above
        self._reset()
        # Announcements flow from now on; copies are trusted once a PONG has proved it.
        self.proven_at, self.ping_sent_at = 0.0, None

    def _broken(self, now: float, error: Exception) -> None:
        logger.warning("Lost the Redis connection that keeps versions exact: %s", error)
        with contextlib.suppress(Exception):  # it is being thrown away
            self.conn.disconnect()
        self.conn = None
        self.retry_at = now + self.RETRY
        self._reset()

    def _reset(self) -> None:
        self.values.clear()
        self.changes += 1
        self.ping_sent_at = None


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, mirrored_prefix: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self.mirror = None
        if mirrored_prefix:
            self.mirror = KeyMirror(mirrored_prefix, self._tracking_connection)

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client

    def _tracking_connection(self):
        """A plain RESP2 connection to the primary, outside the pool (it will subscribe)."""
        pool = self._get_connection_pool(write=True)
        options = {
            name: value
            for name, value in pool.connection_kwargs.items()
            if not name.startswith(("maint_notifications", "orig_"))
        }
        return pool.connection_class(**{**options, "protocol": 2})

    def _fetch(self, keys: list[str]) -> dict:
        """Mirrored keys are read from the primary, which the tracking connection watches
        (a replica could still be behind it)."""
        values = self.get_client(write=True).mget(keys)
        pairs = zip(keys, values, strict=True)
        return {k: self._serializer.loads(v) for k, v in pairs if v is not None}

    # -- reads: mirrored keys through the mirror ----------------------------------------

    def get(self, key, default):
        if self.mirror and self.mirror.tracks(key):
            return self.mirror.get_many([key], self._fetch).get(key, default)
        return super().get(key, default)

    def get_many(self, keys):
        keys = list(keys)
        if not self.mirror or not any(map(self.mirror.tracks, keys)):
            return super().get_many(keys)
        mirrored = [k for k in keys if self.mirror.tracks(k)]
        found = self.mirror.get_many(mirrored, self._fetch)
        others = [k for k in keys if not self.mirror.tracks(k)]
        if others:
            found.update(super().get_many(others))
        return found

    # -- writes: this process's copies go at once ---------------------------------------

    def _forget(self, *keys) -> None:
        if self.mirror:
            self.mirror.forget(keys)

    def add(self, key, value, timeout):
        added = super().add(key, value, timeout)
        self._forget(key)
        return added

    def set(self, key, value, timeout):
        super().set(key, value, timeout)
        self._forget(key)

    def touch(self, key, timeout):
        touched = super().touch(key, timeout)
        self._forget(key)
        return touched

    def delete(self, key):
        deleted = super().delete(key)
        self._forget(key)
        return deleted

    def incr(self, key, delta):
        value = super().incr(key, delta)
        self._forget(key)
        return value

    def set_many(self, data, timeout):
        super().set_many(data, timeout)
        self._forget(*data)

    def delete_many(self, keys):
        super().delete_many(keys)
        self._forget(*keys)

    def clear(self):
        cleared = super().clear()
        if self.mirror:
            self.mirror.forget_all()
        return cleared


class RedisCache(DjangoRedisCache):
    """OPTIONS may name MIRRORED_PREFIX: keys under it are kept by a KeyMirror."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        mirrored = options.pop("MIRRORED_PREFIX", None)
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = RedisCacheClient
        if mirrored:
            self._options = {**self._options, "mirrored_prefix": self.make_key(mirrored)}
