"""deploy/serve.sh, the production profile's processes, for real: gunicorn and a
django-tasks-db worker on a throwaway SQLite database, loopback only.

A comment posted through gunicorn is answered at once and screened by the worker; when
either process stops, or the script is told to stop, both are gone.
"""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
WAIT = 30  # seconds any one step may take on a loaded machine before the test fails


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _until(what: str, condition, seconds: float = WAIT):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A migrated database with one published essay, and the environment to serve it."""
    folder = tmp_path_factory.mktemp("serve")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CACHE_"))},
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "serve-test-only-" + "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_HSTS_SECONDS": "0",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "SITE_URL": "http://127.0.0.1",
        "PYTHON_AKISMET_API_KEY": "",  # screening runs without Akismet: held for a person
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "GUNICORN_WORKERS": "1",
        "LOG_LEVEL": "WARNING",
        "BIN": str(Path(sys.executable).parent),
    }
    python = [sys.executable, "manage.py"]
    subprocess.run([*python, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    make = "from tests.factories import make_essay; print(make_essay(title='Served').slug)"
    slug = subprocess.run(
        [*python, "shell", "-c", make], cwd=ROOT, env=env, check=True, timeout=60,
        capture_output=True, text=True,
    ).stdout.split()[-1]  # fmt: skip
    return env, folder / "db.sqlite3", slug


@pytest.fixture
def served(migrated):
    env, database, slug = migrated
    port = _free_port()
    script = subprocess.Popen(
        ["deploy/serve.sh"], cwd=ROOT, env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"

    def up():
        try:
            return httpx.get(url + "/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return script.poll() is not None and pytest.fail("deploy/serve.sh exited early")

    try:
        _until("gunicorn to answer", up)
        yield script, url, database, slug
    finally:
        if script.poll() is None:
            os.killpg(script.pid, signal.SIGKILL)
            script.wait()


def children(pid: int) -> dict[str, int]:
    """The script's processes by what they are: 'worker' and 'gunicorn'."""
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    named = {}
    for child in map(int, found.split()):
        command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        named["worker" if "db_worker" in command else "gunicorn"] = child
    return named


def gone(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return status == "Z"  # exited, not yet reaped by the script


def test_a_comment_is_answered_at_once_and_screened_by_the_worker(served):
    script, url, database, slug = served
    page = f"/essays/{slug}/"
    response = httpx.post(
        f"{url}{page}comment/",
        data={"body": "Screened beside gunicorn.", "author_name": "Worker watcher"},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 302

    def policy():
        with sqlite3.connect(database) as db:
            return db.execute(
                "SELECT d.reason FROM moderation_decision d JOIN comments_comment c"
                " ON c.id = d.comment_id WHERE c.body = ? AND d.step = 'policy'",
                ("Screened beside gunicorn.",),
            ).fetchone()

    (reason,) = _until("the worker to screen the comment", policy)
    assert reason.startswith("held for review:")
    assert "Akismet is not configured" in reason


def test_when_the_worker_stops_gunicorn_stops_too(served):
    script, *_ = served
    processes = _until("both processes", lambda: (c := children(script.pid)) and len(c) == 2 and c)
    os.kill(processes["worker"], signal.SIGKILL)
    assert script.wait(timeout=WAIT) != 0
    _until("gunicorn to stop", lambda: gone(processes["gunicorn"]))


def test_stopping_the_script_stops_both(served):
    script, *_ = served
    processes = _until("both processes", lambda: (c := children(script.pid)) and len(c) == 2 and c)
    script.send_signal(signal.SIGTERM)
    script.wait(timeout=WAIT)
    assert all(gone(pid) for pid in processes.values())


def test_the_script_refuses_to_screen_in_the_request(migrated):
    env, *_ = migrated
    result = subprocess.run(
        ["deploy/serve.sh"], cwd=ROOT, capture_output=True, text=True, timeout=WAIT,
        env={**env, "TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend"},
    )  # fmt: skip
    assert result.returncode == 2
    assert "TASKS_BACKEND must be django_tasks_db.DatabaseBackend" in result.stderr
