"""Django's Redis cache, with one redis client per pool and exact local copies of versions.

One client per pool: Django's RedisCacheClient builds a new redis.Redis object on every
cache call; with redis-py 8 that construction (its table of response callbacks) costs
close to a millisecond, more than the network round trip. A redis.Redis client is safe to
share between threads (it takes connections from its pool), so one per pool is kept.

Local copies: keys under the MIRRORED_PREFIX option (the site's versions, read on every
page view) are kept in process memory and dropped the moment Redis says they changed, by
Redis's own client-side caching protocol (CLIENT TRACKING in broadcast mode, Redis 6 or
later). See KeyMirror for why a copy is never stale on one host, and what holds across
hosts.
"""

import contextlib
import logging
import os
import select
import threading
import time
import uuid

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError, NoPermissionError, ResponseError  # noqa: A004
from redis.retry import Retry

logger = logging.getLogger(__name__)

INVALIDATE_CHANNEL = b"__redis__:invalidate"
HEARTBEAT_KEY_MS = 10_000  # heartbeat keys expire by themselves


class KeyMirror:
    """Process-local copies of the Redis keys under one prefix, exact at every read.

    One connection per process asks Redis to announce every change to a key under the
    prefix (`CLIENT TRACKING ON REDIRECT <itself> BCAST PREFIX <prefix>`, then `SUBSCRIBE
    __redis__:invalidate`). Before answering from its copies, the mirror reads whatever
    announcements have arrived (a non-blocking poll of that socket, about a microsecond)
    and drops the keys they name.

    Why a copy cannot be stale on one host: Redis queues the broadcast announcements of a
    turn of its event loop after running that turn's commands and before writing any reply,
    and a connection with nothing else to send goes to the front of the write queue. So
    the announcement is written to every mirror's socket before the writer hears "OK". That
    holds only while the mirror's connection is never sent a command after it is set up
    (a reply of its own would put it behind the writer's), so liveness is proved without
    one: every HEARTBEAT seconds the process writes a key of its own, under a second
    tracked prefix, through its ordinary connection, and the announcement of that write
    proves that every change made before it has been read. Copies are trusted only while
    that proof is younger than LEASE seconds, so a connection that hangs costs a round trip
    per read, never a stale page.

    Across hosts the writer's "OK" and the announcement travel different TCP connections;
    normally microseconds apart, but a network that delays the announcement delays it for
    that long, never longer than LEASE (docs/SCALING.md). Deployments that cannot accept
    that turn the mirror off (VERSION_MIRROR=false): one round trip per page instead.

    The copies are dropped when the connection breaks or the process forks; reads then go
    to Redis until a new connection is tracking. A fetch that races with an announcement
    (another thread drained one while it was in flight) is not kept: every announcement and
    every local write moves `changes`. A Redis that refuses tracking (older than 6, or
    `CLIENT`/`SUBSCRIBE` not allowed) is asked once; every read then goes to Redis.
    """

    HEARTBEAT = 0.25
    LEASE = 1.0
    TIMEOUT = 0.5  # the tracking connection's own socket timeouts
    RETRY_FIRST, RETRY_MAX = 1.0, 60.0

    def __init__(self, prefix: str, heartbeat_prefix: str, new_connection, write_heartbeat):
        self.prefix = prefix
        # Each heartbeat writes a new key under a prefix of this mirror's own, so only the
        # announcement of that very write (not an older one, nor its expiry) is its proof.
        self.heartbeat_base = heartbeat_prefix
        self.heartbeat_prefix = f"{heartbeat_prefix}{uuid.uuid4().hex}:"
        self.heartbeats = 0
        self._new_connection = new_connection
        self._write_heartbeat = write_heartbeat
        self.values: dict[str, object] = {}
        self.lock = threading.Lock()
        self.conn = self.sock = self.poller = None
        self.pid = os.getpid()
        self.changes = 0
        self.refused = False
        self.retry_at, self.retry_wait = 0.0, self.RETRY_FIRST
        self.proven_at = 0.0  # when the heartbeat last announced was written
        self.heartbeat_at: float | None = None  # a heartbeat written, not yet announced
        self.heartbeat_key = ""

    def tracks(self, key: str) -> bool:
        return key.startswith(self.prefix)

    # -- reads --------------------------------------------------------------------------

    def get_many(self, keys: list[str], fetch) -> dict:
        """The values of these keys: the copies when they can be trusted, the rest (or
        all) from `fetch(keys, heartbeat) -> dict`, which are kept when nothing changed
        meanwhile. A heartbeat that is due goes with the fetch, in the same round trip, so
        the mirror never costs a read more round trips than reading Redis would."""
        with self.lock:
            trusted, heartbeat = self._sync()
            found = {k: self.values[k] for k in keys if k in self.values} if trusted else {}
            conn, changes = self.conn, self.changes
        missing = [k for k in keys if k not in found]
        if not missing:
            if heartbeat:
                self._beat(heartbeat)
            return found
        fetched = fetch(missing, heartbeat)
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

    def _sync(self) -> tuple[bool, str]:
        """Read the announcements that have arrived. Returns whether the copies can be
        trusted, and the key of a heartbeat to write now ("" for none); called with the
        lock held."""
        now = time.monotonic()
        if self.pid != os.getpid():  # a fork that _after_fork did not see
            self._forked()
        if self.conn is None and not self.refused and now >= self.retry_at:
            self._open(now)
        if self.conn is None:
            return False, ""
        try:
            if self.conn._sock is not self.sock:
                raise ConnectionError("the tracking connection was replaced")
            # A poll of the socket is the cheap check; once anything arrives, redis-py's own
            # can_read() also looks at what it has buffered, until nothing is left.
            if self.poller.poll(0):
                while self.conn.can_read(timeout=0):
                    self._handle(self.conn.read_response())
            if self.heartbeat_at is not None and now - self.heartbeat_at > 2 * self.LEASE:
                raise ConnectionError("no announcement of the heartbeat came back")
        except Exception as error:  # noqa: BLE001 - any failure means: trust nothing
            self._broken(now, error)
            return False, ""
        now = time.monotonic()  # reading may have waited (a message half arrived)
        heartbeat = ""
        if self.heartbeat_at is None and now - self.proven_at >= self.HEARTBEAT:
            self.heartbeats += 1
            self.heartbeat_at = now
            heartbeat = self.heartbeat_key = f"{self.heartbeat_prefix}{self.heartbeats}"
        return now - self.proven_at < self.LEASE, heartbeat

    def _beat(self, key: str) -> None:
        """Write a heartbeat key (outside the lock: it is a round trip). If it fails, no
        announcement comes back and the connection is retired after a while."""
        try:
            self._write_heartbeat(key)
        except Exception as error:  # noqa: BLE001 - the lease covers it
            logger.debug("Heartbeat not written: %s", error)

    def _handle(self, message) -> None:
        kind = message[0] if isinstance(message, list) and message else None
        if kind != b"message" or message[1] != INVALIDATE_CHANNEL:
            return
        if message[2] is None:  # FLUSHDB, FLUSHALL, or Redis dropping its table
            self.changes += 1
            self.values.clear()
            return
        for raw in message[2]:
            key = raw.decode("utf-8", "replace")  # (a key that is not UTF-8 is not ours)
            if not key.startswith(self.heartbeat_prefix):
                self.changes += 1
                self.values.pop(key, None)
            elif key == self.heartbeat_key and self.heartbeat_at is not None:
                self.proven_at, self.heartbeat_at = self.heartbeat_at, None
                self.retry_wait = self.RETRY_FIRST  # working again: the next outage is news

    def _open(self, now: float) -> None:
        conn = None
        try:
            conn = self._new_connection()
            conn.connect()
            conn.send_command("CLIENT", "ID")
            client_id = conn.read_response()
            conn.send_command(
                "CLIENT", "TRACKING", "ON", "REDIRECT", client_id, "BCAST",
                "PREFIX", self.prefix, "PREFIX", self.heartbeat_prefix,
            )  # fmt: skip
            conn.read_response()
            conn.send_command("SUBSCRIBE", INVALIDATE_CHANNEL)
            conn.read_response()
        except Exception as error:  # noqa: BLE001 - Redis down, too old, or CLIENT refused
            if conn is not None:
                conn.disconnect()
            if _refusal(error):  # asking again will not help
                self.refused = True
                logger.warning("Redis refused client-side caching (%s): versions are read "
                               "from Redis every time", error)  # fmt: skip
            else:
                self._retry_later(now, error)
            return
        self.conn, self.sock = conn, conn._sock
        self.poller = select.poll()
        self.poller.register(self.sock, select.POLLIN)
        self._reset()

    def _broken(self, now: float, error: Exception) -> None:
        with contextlib.suppress(Exception):  # it is being thrown away
            self.conn.disconnect()
        self.conn = self.sock = self.poller = None
        self._reset()
        self._retry_later(now, error)

    def _retry_later(self, now: float, error: Exception) -> None:
        """Try again after 1 s, then 2, 4, ... up to a minute; say so once per outage."""
        if self.retry_wait == self.RETRY_FIRST:
            logger.warning("Versions are read from Redis every time until the tracking "
                           "connection is back: %s", error)  # fmt: skip
        self.retry_at = now + self.retry_wait
        self.retry_wait = min(self.retry_wait * 2, self.RETRY_MAX)

    def _forked(self) -> None:
        """In a new child process: the parent's socket, lock and heartbeat names are not
        this process's (two processes writing the same heartbeat key could take each
        other's writes for their own proof)."""
        self.pid, self.conn, self.sock, self.poller = os.getpid(), None, None, None
        self.lock = threading.Lock()
        self.heartbeat_prefix = f"{self.heartbeat_base}{uuid.uuid4().hex}:"
        self.retry_at, self.retry_wait = 0.0, self.RETRY_FIRST
        self._reset()

    def _reset(self) -> None:
        """No copy survives a change of connection, and none is trusted until the first
        heartbeat written on the new one has come back."""
        self.values.clear()
        self.changes += 1
        self.proven_at, self.heartbeat_at = 0.0, None


def _refusal(error: Exception) -> bool:
    """Whether Redis refuses tracking for good (too old, or not allowed), as opposed to a
    passing state (BUSY running a script, LOADING, MASTERDOWN, ...) worth asking again."""
    message = str(error).lower()
    return isinstance(error, NoPermissionError) or (
        isinstance(error, ResponseError) and ("unknown" in message or "noperm" in message)
    )


_mirrors: dict[tuple, KeyMirror] = {}
_mirrors_lock = threading.Lock()


def _after_fork() -> None:
    global _mirrors_lock
    _mirrors_lock = threading.Lock()
    for mirror in _mirrors.values():
        mirror._forked()


os.register_at_fork(after_in_child=_after_fork)


def shared_mirror(key: tuple, make) -> KeyMirror:
    """One mirror per process and prefix: Django gives each thread its own cache object."""
    with _mirrors_lock:
        mirror = _mirrors.get(key)
        if mirror is None:
            mirror = _mirrors[key] = make()
        return mirror


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, mirrored_prefix=None, heartbeat_prefix=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self.mirror = None
        if mirrored_prefix:
            self.mirror = shared_mirror(
                (tuple(self._servers), mirrored_prefix),
                lambda: KeyMirror(
                    mirrored_prefix, heartbeat_prefix, self._tracking_connection, self._beat
                ),
            )

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
        replaced = ("protocol", "socket_timeout", "socket_connect_timeout", "socket_keepalive",
                    "health_check_interval", "retry")  # fmt: skip
        options = {
            name: value
            for name, value in pool.connection_kwargs.items()
            if not name.startswith(("maint_notifications", "orig_")) and name not in replaced
        }
        return pool.connection_class(
            **options,
            protocol=2,  # plain pub/sub replies, whatever the pool speaks
            socket_timeout=KeyMirror.TIMEOUT,
            socket_connect_timeout=KeyMirror.TIMEOUT,
            socket_keepalive=True,
            health_check_interval=0,  # a PING would be a command on this connection
            retry=Retry(NoBackoff(), 0),  # never swap the socket behind the mirror's back
        )

    def _beat(self, key: str, on=None) -> None:
        """Write a heartbeat key (on a pipeline, when given)."""
        (on or self.get_client(write=True)).set(key, b"1", px=HEARTBEAT_KEY_MS)

    def _fetch(self, keys: list[str], heartbeat: str = "") -> dict:
        """Mirrored keys are read from the primary, which the tracking connection watches
        (a replica could still be behind it); a due heartbeat is written in the same trip."""
        client = self.get_client(write=True)
        if heartbeat:
            pipe = client.pipeline(transaction=False)
            self._beat(heartbeat, on=pipe)
            pipe.mget(keys)
            written, values = pipe.execute(raise_on_error=False)
            if isinstance(values, Exception):
                raise values
            if isinstance(written, Exception):  # the lease covers it
                logger.debug("Heartbeat not written: %s", written)
        else:
            values = client.mget(keys)
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
            self._options = {
                **self._options,
                "mirrored_prefix": self.make_key(mirrored),
                "heartbeat_prefix": self.make_key("mirror-heartbeat:"),
            }
