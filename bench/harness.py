"""The processes a benchmark runs against: PostgreSQL and Redis set-up, gunicorn, nginx with
deploy/nginx.conf, the task worker, and wrk. Loopback only; every process is stopped by the
context manager that started it.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/essays_bench")
REDIS_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/9")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_SECURE_COOKIES": "false",
    "DJANGO_HSTS_SECONDS": "0",
    "DATABASE_URL": PG_URL,
    "CACHE_URL": REDIS_URL,
    "SITE_URL": "http://127.0.0.1",
    "MODERATION_RATE": "1000000",
    "MODERATION_MIN_SECONDS": "0",
    "SUBSCRIPTIONS_REQUESTS_PER_IP_HOUR": "1000000",
    "EMAIL_URL": "memorymail://",  # the posts' confirmation emails go nowhere
    "LOG_LEVEL": "WARNING",
}


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- database and Django ------------------------------------------------------------------


def check_tools(*, nginx: bool = False) -> None:
    """Exit with one message naming everything missing (wrk, nginx, PostgreSQL, Redis)."""
    missing = []
    if not shutil.which("wrk"):
        missing.append("wrk (apt-get install -y wrk)")
    if nginx and not Path(NGINX).exists():
        missing.append("nginx (apt-get install -y nginx)")
    try:
        import psycopg

        psycopg.connect(_libpq(PG_ADMIN_URL), connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001 - any failure means the same thing here
        missing.append(f"PostgreSQL at {PG_ADMIN_URL} ({type(exc).__name__})")
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        missing.append(f"Redis at {REDIS_URL} ({type(exc).__name__})")
    if missing:
        sys.exit("the benchmarks need: " + "; ".join(missing))


def _libpq(url: str) -> str:
    return url.replace("postgres://", "postgresql://")


def fresh_database() -> None:
    """Drop and create the bench database, and empty the bench Redis db."""
    import psycopg

    name = PG_URL.rsplit("/", 1)[1]
    with psycopg.connect(_libpq(PG_ADMIN_URL), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    flush_redis()


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def setup_django() -> None:
    """Django in this process on the bench settings, migrated, static files collected."""
    os.environ.update(BENCH_ENV)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)


def prepare(*, nginx: bool = False) -> None:
    """Tools checked, a fresh database and Redis db, Django set up on them."""
    check_tools(nginx=nginx)
    log("fresh PostgreSQL database and Redis db")
    fresh_database()
    setup_django()


# -- servers --------------------------------------------------------------------------------


def _wait_for(url: str, process: subprocess.Popen, what: str) -> None:
    for _ in range(150):
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not start")


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


@contextmanager
def gunicorn(extra_env: dict | None = None, workers: int = 2):
    """gunicorn on a free port with the bench settings; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "config.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env={**os.environ, **(extra_env or {})},
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url + "/bench/floor/", process, "gunicorn")
        yield url
    finally:
        _stop(process)


@contextmanager
def nginx(upstream: str):
    """deploy/nginx.conf as shipped, its paths and ports rewritten into a temporary
    directory, in front of `upstream` (a base URL). Yields (base URL, static directory):
    files put in the static directory are served at /static/."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    with tempfile.TemporaryDirectory(prefix="bench-nginx-") as tmp:
        port = free_port()
        for shipped, here in [
            ("listen [::]:80;", ""),
            ("listen 80;", f"listen 127.0.0.1:{port};"),
            ("/var/cache/nginx/essays", f"{tmp}/cache"),
            ("/srv/essays", tmp),
            ("server 127.0.0.1:8000;", f"server {upstream.removeprefix('http://')};"),
        ]:
            if shipped not in site:
                raise RuntimeError(f"deploy/nginx.conf no longer has {shipped!r}")
            site = site.replace(shipped, here)
        static = Path(tmp) / "staticfiles"
        static.mkdir()
        (Path(tmp) / "essays.conf").write_text(site)
        # One worker, as a small front would run; the user directive only matters as root.
        user = "user root;\n" if os.geteuid() == 0 else ""
        (Path(tmp) / "nginx.conf").write_text(
            f"worker_processes 1;\n{user}pid {tmp}/nginx.pid;\n"
            f"error_log {tmp}/error.log warn;\nevents {{ worker_connections 256; }}\n"
            f"http {{ include /etc/nginx/mime.types; access_log off;\n"
            f"include {tmp}/essays.conf; }}\n"
        )
        process = subprocess.Popen(
            [NGINX, "-p", tmp, "-c", f"{tmp}/nginx.conf", "-g", "daemon off;"],
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_for(url + "/bench/floor/", process, "nginx")
            yield url, static
        finally:
            _stop(process)


@contextmanager
def worker(extra_env: dict):
    """django-tasks-db's worker, polling every 50 ms."""
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--interval",
            "0.05",
            "--no-reload",
            "--no-startup-delay",
        ],
        cwd=ROOT,
        env={**os.environ, **extra_env},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        _stop(process)


# -- load -----------------------------------------------------------------------------------


def wrk(url: str, seconds: int, headers: dict | None = None) -> dict:
    """Requests per second and latency percentiles from wrk (2 threads, 8 connections)."""
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def ms(label):
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50_ms": ms("50"),
        "p99_ms": ms("99"),
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


# -- a reader posting -----------------------------------------------------------------------

HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def comment_form_data(page_html: str, *, body: str, author_name: str) -> dict:
    """What a browser would send from an essay page's comment form: its hidden fields (the
    time stamp, the reply target), the name and the text."""
    start = page_html.index("data-comment-form")
    form = page_html[start : page_html.index("</form>", start)]
    fields = dict(HIDDEN_INPUT.findall(form))
    return {**fields, "body": body, "author_name": author_name}


def same_origin_headers(base: str, page_url: str) -> dict:
    """The headers a browser sends with a same-site form POST (Fetch Metadata and Referer)."""
    return {"Sec-Fetch-Site": "same-origin", "Origin": base, "Referer": base + page_url}


def post_latencies(base: str, essay_url: str, count: int, *, notify: bool = False) -> list[float]:
    """Post `count` comments as a browser would; time each POST (ms). With `notify`, each
    from a new address asking for reply emails (a confirmation is queued every time)."""
    times = []
    with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as client:
        for i in range(count):
            html = client.get(essay_url).text
            data = comment_form_data(
                html, body=f"Bench {i} {uuid.uuid4()}", author_name=f"Poster {i}"
            )
            if notify:
                data |= {"author_email": f"poster-{uuid.uuid4().hex[:12]}@example.org",
                         "notify_replies": "on"}  # fmt: skip
            start = time.perf_counter()
            response = client.post(
                essay_url + "comment/", data=data, headers=same_origin_headers(base, essay_url)
            )
            times.append((time.perf_counter() - start) * 1000)
            if response.status_code != 302:
                raise RuntimeError(f"POST answered {response.status_code}")
    return times
