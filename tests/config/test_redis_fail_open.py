"""Redis failing must not take the site down: a real redis-server of the test's own is
stopped, or frozen with SIGSTOP, while readers read and post (config/redis_fail_open.py)."""

import logging
import shutil
import signal
import socket
import subprocess
import time

import pytest
from axes.handlers.proxy import AxesProxyHandler
from django.core.cache import cache
from django.test import Client

from comments.models import Comment
from tests.factories import comment_form_data, make_comment, make_essay

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not shutil.which(REDIS_SERVER), reason="these tests start a redis-server of their own"
    ),
]
RETRY_SECONDS = 0.3
SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A redis-server on a free port that a test can stop, start, freeze and thaw."""

    def __init__(self, tmp_path):
        self.port = _free_port()
        self.tmp_path = tmp_path
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.tmp_path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)  # a frozen server cannot exit
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def command(self, *args):
        import redis as redis_py

        return redis_py.Redis(port=self.port, socket_timeout=2).execute_command(*args)

    def freeze(self):
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def redis(settings, tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "config.redis_fail_open.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
            "KEY_PREFIX": "fault-test",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 0.2,
                "SOCKET_TIMEOUT": 0.2,
                "OUTAGE_RETRY_SECONDS": RETRY_SECONDS,
                "RETIRE_AFTER_OUTAGE": "versions:*",
            },
        }
    }
    # django-axes keeps its handler, and the handler its cache, from the first login.
    settings.AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
    AxesProxyHandler.get_implementation(force=True)
    yield server
    server.stop()
    AxesProxyHandler.implementation = None  # made again from the restored settings


def _keys(server) -> list[bytes]:
    return server.command("KEYS", "*")


def _wait_out_the_retry():
    time.sleep(RETRY_SECONDS + 0.1)


def _reader_sees_the_site(client, essay, comment):
    home = client.get("/")
    assert home.status_code == 200 and essay.title in home.content.decode()
    page = client.get(essay.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert "Essay body under test." in html and comment.body in html
    assert 'action="/essays/' in html and 'name="body"' in html  # the comment form loads


def _post(client, essay, body):
    return client.post(
        f"/essays/{essay.slug}/comment/",
        comment_form_data(body=body, author_name="Writer"),
        REMOTE_ADDR="198.51.100.7",
        **SAME_ORIGIN,
    )


@pytest.mark.parametrize("fault", ["stopped", "frozen"])
def test_the_site_serves_and_takes_comments_while_redis_fails(
    client, redis, settings, caplog, fault
):
    essay = make_essay("Cached essay", body="Essay body under test.")
    comment = make_comment(essay, body="An approved comment readers see.")
    _reader_sees_the_site(client, essay, comment)
    assert any(b"blog:page:" in key for key in _keys(redis))  # the cache was in use

    redis.stop() if fault == "stopped" else redis.freeze()
    with caplog.at_level(logging.WARNING, logger="config.redis_fail_open"):
        for _ in range(3):
            _reader_sees_the_site(client, essay, comment)
        assert client.get("/healthz").content == b"degraded: cache\n"
        posted = [_post(client, essay, f"Written during the outage, number {n}.")
                  for n in range(6)]  # fmt: skip
    assert [r.status_code for r in posted] == [302] * 5 + [429]  # the flood limit holds
    assert Comment.objects.filter(body__startswith="Written during").count() == 5
    # One failed call starts the outage; the rest of it is served without waiting on Redis.
    started = [r for r in caplog.records if r.name == "config.redis_fail_open"]
    assert len(started) == 1

    redis.start() if fault == "stopped" else redis.thaw()
    _wait_out_the_retry()
    assert client.get("/healthz").content == b"ok\n"
    _reader_sees_the_site(Client(), essay, comment)  # a reader without the posters' cookies
    assert any(b"blog:page:" in key for key in _keys(redis))  # used again once it answers


def test_a_version_bumped_during_the_outage_is_not_read_stale_afterwards(
    client, redis, django_capture_on_commit_callbacks
):
    from comments.services import change_status

    essay = make_essay("Stale?", body="Essay body under test.")
    waiting = make_comment(essay, status="pending", body="Approved while Redis was down.")
    assert waiting.body not in client.get(essay.get_absolute_url()).content.decode()
    # Out of memory, Redis refuses every write but keeps what it holds (a stopped server
    # would come back empty; a frozen one would run the bump it had buffered once thawed).
    redis.command("CONFIG", "SET", "maxmemory", "1")
    with django_capture_on_commit_callbacks(execute=True):
        change_status(comment=waiting, to=Comment.Status.APPROVED, expected=["pending"])
    redis.command("CONFIG", "SET", "maxmemory", "0")
    _wait_out_the_retry()
    # The fragments cached before the outage are keyed by versions the bump never reached.
    assert waiting.body in client.get(essay.get_absolute_url()).content.decode()


def test_counters_count_per_process_while_redis_is_down(redis):
    redis.stop()
    assert cache.add("counter", 1, 60) is True
    assert cache.add("counter", 1, 60) is False
    assert cache.incr("counter") == 2
    assert cache.get("counter") == 2
    with pytest.raises(ValueError):
        cache.incr("never-added")  # the usual answer for a missing key, not an outage
    assert cache.get_many(["counter", "other"]) == {"counter": 2}
    assert cache.set("page", "html") is False and cache.get("page") is None


def test_failed_logins_are_still_counted_by_axes_while_redis_is_down(client, redis, settings):
    from tests.factories import make_user

    make_user("editor", is_staff=True)  # password: pw-for-tests-only
    redis.stop()
    login = "/admin/login/?next=/moderation/"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(login, {"username": "editor", "password": "wrong"})
        assert response.status_code in (200, 429)
    locked = client.post(login, {"username": "editor", "password": "pw-for-tests-only"})
    assert locked.status_code == 429
    assert "Too many attempts to sign in" in locked.content.decode()


def test_a_redis_cache_url_gets_the_fail_open_backend():
    import os
    import sys
    from pathlib import Path

    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    env = {**os.environ, "CACHE_URL": "redis://127.0.0.1:6379/15",
           "DJANGO_SETTINGS_MODULE": "config.settings_test"}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert result.stdout.strip().splitlines()[-1] == "config.redis_fail_open.FailOpenRedisCache"
