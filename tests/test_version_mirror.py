"""The Redis cache's local copies of versions (config/cache.py) are never stale.

These run against the Redis on 127.0.0.1 (REDIS_TEST_URL), in a database of their own.
Without a Redis they skip, saying so; with REDIS_REQUIRED=1 (as CI sets) they fail instead.
A second redis client stands for another process (another worker, another web node).
"""

import os
import threading
import time

import pytest
import redis

from config import cache as cache_module
from config.cache import RedisCache

URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def other_process():
    client = redis.Redis.from_url(URL)
    try:
        client.ping()
    except redis.ConnectionError as error:
        reason = f"no Redis at {URL} ({error}); start one, or set REDIS_TEST_URL"
        if os.environ.get("REDIS_REQUIRED") == "1":
            pytest.fail(f"REDIS_REQUIRED=1 but {reason}")
        pytest.skip(reason)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def cache(other_process, monkeypatch):
    """A cache as a fresh process would have it (mirrors are kept per process)."""
    monkeypatch.setattr(cache_module, "_mirrors", {})
    backend = RedisCache(URL, {"OPTIONS": {"MIRRORED_PREFIX": "versions:"}})
    yield backend
    if backend._cache.mirror.conn is not None:
        backend._cache.mirror.conn.disconnect()


class Trips:
    """Counts the reads of mirrored keys that went to Redis."""

    def __init__(self, client, monkeypatch):
        self.keys = []
        fetch = client._fetch

        def counted(keys, heartbeat=""):
            self.keys.append(list(keys))
            return fetch(keys, heartbeat)

        monkeypatch.setattr(client, "_fetch", counted)


@pytest.fixture
def trips(cache, monkeypatch):
    return Trips(cache._cache, monkeypatch)


def warm(cache, *keys):
    """Read until the mirror trusts its copies (its first heartbeat announced), as a worker
    serving pages would within a request or two."""
    mirror = cache._cache.mirror
    for _ in range(200):
        cache.get_many(list(keys))
        if time.monotonic() - mirror.proven_at < mirror.LEASE:
            return
        time.sleep(0.001)
    pytest.fail("the mirror never trusted its copies")


def other_set(client, key, value):
    """Another process sets a version, through Django's key format and serializer."""
    client.set(f":1:{key}", value)


def test_versions_are_served_from_memory_once_tracked(cache, trips):
    cache.set("versions:a", "1", None)
    cache.set("versions:b", "2", None)
    warm(cache, "versions:a", "versions:b")
    trips.keys.clear()
    for _ in range(5):
        both = cache.get_many(["versions:a", "versions:b"])
        assert both == {"versions:a": "1", "versions:b": "2"}
        assert cache.get("versions:a") == "1"
    assert trips.keys == []


def test_other_keys_are_never_kept(cache, other_process):
    cache.set("page", "old", None)
    assert cache.get("page") == "old"
    other_set(other_process, "page", b"new")  # not even valid pickle: proves it was read
    with pytest.raises(Exception):  # noqa: B017, PT011 - Django's serializer refuses it
        cache.get("page")


def test_a_version_changed_by_another_process_is_seen_on_the_next_read(cache, other_process):
    cache.set("versions:essay", "1", None)
    warm(cache, "versions:essay")
    # Django pickles values; write the new one exactly as another worker's cache would.
    from django.core.cache.backends.redis import RedisSerializer

    for n in range(2, 40):
        other_set(other_process, "versions:essay", RedisSerializer().dumps(str(n)))
        assert cache.get("versions:essay") == str(n)  # at once: no waiting, no retry


def test_a_version_this_process_changes_is_seen_at_once(cache, trips):
    cache.set("versions:essay", "1", None)
    warm(cache, "versions:essay")
    cache.set("versions:essay", "2", None)
    assert cache.get("versions:essay") == "2"
    cache.set_many({"versions:essay": "3"}, None)
    assert cache.get("versions:essay") == "3"
    cache.delete("versions:essay")
    assert cache.get("versions:essay") is None
    assert cache.add("versions:essay", "4", None)
    assert cache.get("versions:essay") == "4"


def test_flushing_the_database_drops_every_copy(cache, other_process):
    cache.set("versions:a", "1", None)
    warm(cache, "versions:a")
    other_process.flushdb()
    assert cache.get("versions:a") is None


def test_a_lost_connection_drops_the_copies_and_reads_go_to_redis(cache, other_process, trips):
    from django.core.cache.backends.redis import RedisSerializer

    cache.set("versions:a", "1", None)
    warm(cache, "versions:a")
    mirror = cache._cache.mirror
    # Redis drops the mirror's connection (as on a restart or a failover).
    db = str(other_process.connection_pool.connection_kwargs["db"])
    ids = [c["id"] for c in other_process.client_list() if c["sub"] == "1" and c["db"] == db]
    assert len(ids) == 1
    other_process.client_kill_filter(_id=ids[0])
    other_set(other_process, "versions:a", RedisSerializer().dumps("2"))
    trips.keys.clear()
    assert cache.get("versions:a") == "2"
    assert trips.keys == [[":1:versions:a"]]
    assert mirror.values == {}


def test_copies_are_not_trusted_when_nothing_proves_the_connection(cache, monkeypatch, trips):
    cache.set("versions:a", "1", None)
    warm(cache, "versions:a")
    mirror = cache._cache.mirror

    # The connection hangs: nothing arrives any more, not even the heartbeats' announcements.
    class Silent:
        def poll(self, timeout=0):
            return []

    monkeypatch.setattr(mirror, "poller", Silent())
    now = time.monotonic()
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: now + mirror.LEASE)
    trips.keys.clear()
    assert cache.get("versions:a") == "1"
    assert trips.keys == [[":1:versions:a"]]  # read from Redis, not the copy
    assert mirror.conn is not None
    # Still nothing long after: the connection is retired, to be opened again later.
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: now + 4 * mirror.LEASE)
    assert cache.get("versions:a") == "1"
    assert mirror.conn is None and mirror.values == {}


def test_nothing_is_ever_sent_on_the_tracking_connection_after_it_is_set_up(cache, monkeypatch):
    """A reply of its own would let a writer's "OK" overtake an announcement."""
    cache.set("versions:a", "1", None)
    warm(cache, "versions:a")
    sent = []
    monkeypatch.setattr(cache._cache.mirror.conn, "send_command", lambda *a, **k: sent.append(a))
    deadline = time.monotonic() + 4 * cache._cache.mirror.HEARTBEAT
    while time.monotonic() < deadline:  # several heartbeats' worth of reads
        assert cache.get("versions:a") == "1"
        time.sleep(0.01)
    assert sent == []


def test_a_heartbeat_in_the_same_turn_as_another_write_does_not_hide_it(cache, other_process):
    """Redis runs a busy script while a heartbeat and another process's write queue up, so
    it takes both in one turn of its event loop; the write's announcement still arrives
    before that process hears "OK"."""
    from django.core.cache.backends.redis import RedisSerializer
    from redis.connection import Connection

    kwargs = other_process.connection_pool.connection_kwargs
    blocker = Connection(host=kwargs["host"], port=kwargs["port"], db=kwargs["db"])
    writer = Connection(host=kwargs["host"], port=kwargs["port"], db=kwargs["db"])
    mirror = cache._cache.mirror
    stale = 0
    for n in range(10):
        cache.set("versions:a", f"old{n}", None)
        warm(cache, "versions:a")
        mirror.proven_at -= mirror.HEARTBEAT  # the next read writes a heartbeat
        blocker.send_command("EVAL", "local i=0 while i<1500000 do i=i+1 end return 1", 0)
        time.sleep(0.002)
        reader = threading.Thread(target=cache.get, args=("versions:a",))
        reader.start()  # its heartbeat waits behind the script
        time.sleep(0.001)
        writer.send_command("SET", ":1:versions:a", RedisSerializer().dumps(f"new{n}"))
        writer.read_response()  # the other process: write acknowledged
        stale += cache.get("versions:a") != f"new{n}"
        reader.join()
        blocker.read_response()
    blocker.disconnect()
    writer.disconnect()
    assert stale == 0


def test_a_fetch_that_raced_with_a_change_is_not_kept(cache, other_process, monkeypatch):
    from django.core.cache.backends.redis import RedisSerializer

    cache.set("versions:a", "1", None)
    warm(cache, "versions:a", "versions:b")
    client = cache._cache
    client.mirror.forget([":1:versions:a"])  # not held: the next read fetches it
    fetch = client._fetch

    def slow_fetch(keys, heartbeat=""):
        values = fetch(keys, heartbeat)  # reads "1"
        # Meanwhile another process writes "2", and another thread of this process reads
        # the announcement of it.
        other_set(other_process, "versions:a", RedisSerializer().dumps("2"))
        client.mirror.get_many([":1:versions:b"], fetch)
        return values

    monkeypatch.setattr(client, "_fetch", slow_fetch)
    assert cache.get("versions:a") == "1"  # what it read, before the change
    monkeypatch.setattr(client, "_fetch", fetch)
    assert cache.get("versions:a") == "2"  # the stale value was not kept


def test_a_forked_process_does_not_use_its_parents_copies(cache, trips, monkeypatch):
    cache.set("versions:a", "1", None)
    warm(cache, "versions:a")
    parent_conn = cache._cache.mirror.conn
    monkeypatch.setattr(cache_module.os, "getpid", lambda: -1)
    trips.keys.clear()
    assert cache.get("versions:a") == "1"
    assert trips.keys == [[":1:versions:a"]]
    assert cache._cache.mirror.conn is not parent_conn


def test_without_tracking_every_read_goes_to_redis(cache, trips, monkeypatch, caplog):
    """A Redis that refuses CLIENT TRACKING (older than 6, or CLIENT not allowed) is asked
    once, and says so once."""
    attempts = []

    def refuse():
        attempts.append(1)
        raise redis.ResponseError("unknown command 'CLIENT'")

    monkeypatch.setattr(cache._cache.mirror, "_new_connection", refuse)
    cache.set("versions:a", "1", None)
    for _ in range(3):
        assert cache.get("versions:a") == "1"
    assert len(trips.keys) == 3
    assert len(attempts) == 1
    assert caplog.text.count("read from Redis every time") == 1


def test_one_mirror_per_process_whatever_the_threads(cache):
    """Django gives each thread its own cache object; they share the process's mirror."""
    other_thread = RedisCache(URL, {"OPTIONS": {"MIRRORED_PREFIX": "versions:"}})
    assert other_thread._cache.mirror is cache._cache.mirror


def test_a_passing_error_at_set_up_is_asked_again(cache, monkeypatch):
    """BUSY (a long script), LOADING or MASTERDOWN pass: the mirror tries again later."""
    mirror = cache._cache.mirror
    real = mirror._new_connection

    def busy_once():
        monkeypatch.setattr(mirror, "_new_connection", real)
        raise redis.ResponseError("BUSY Redis is busy running a script")

    monkeypatch.setattr(mirror, "_new_connection", busy_once)
    cache.set("versions:a", "1", None)
    assert cache.get("versions:a") == "1"
    assert not mirror.refused and mirror.conn is None
    mirror.retry_at = 0.0  # the back-off has passed
    warm(cache, "versions:a")
    assert mirror.conn is not None


def test_a_due_heartbeat_rides_with_the_read_that_goes_to_redis(cache, trips, monkeypatch):
    """After a quiet spell a read fetches the versions and writes the heartbeat in one
    round trip, never two."""
    cache.set("versions:a", "1", None)
    warm(cache, "versions:a")
    mirror = cache._cache.mirror
    alone = []
    monkeypatch.setattr(mirror, "_write_heartbeat", lambda key: alone.append(key))
    mirror.proven_at -= 2 * mirror.LEASE  # quiet for a while: copies not trusted
    trips.keys.clear()
    assert cache.get("versions:a") == "1"
    assert trips.keys == [[":1:versions:a"]] and alone == []
    assert mirror.heartbeat_at is not None  # written, in the same trip


# The suite's live-server threads are running; the child only reads attributes and leaves.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_child_gets_heartbeats_of_its_own(cache):
    cache.set("versions:a", "1", None)
    warm(cache, "versions:a")
    mirror = cache._cache.mirror
    parent_prefix = mirror.heartbeat_prefix
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, then leave without running pytest's teardown
        ok = mirror.heartbeat_prefix != parent_prefix and mirror.conn is None
        os.write(write, b"1" if ok and not mirror.values else b"0")
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
    assert mirror.heartbeat_prefix == parent_prefix and mirror.conn is not None
