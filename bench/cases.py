"""The measurements `make bench` makes. Each case returns plain numbers for results.json;
bench/report.py turns them into the table.

Throughput cases run interleaved: every case once per round, and each ratio is the median
of the rounds' ratios to that round's reference (the floor, or nginx serving the same bytes
as a static file), which cancels most of this VM's drift from minute to minute.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench import data, harness
from bench.fakes import FakeAkismet

XTD_VENV = harness.ROOT / "bench" / ".xtd-venv"


@dataclass
class Plan:
    """How long and how big: `make bench`, or a short smoke run with --quick."""

    quick: bool = False

    @property
    def seconds(self) -> int:
        return 3 if self.quick else 8

    @property
    def rounds(self) -> int:
        return 1 if self.quick else 3

    @property
    def runs(self) -> int:
        return 3 if self.quick else 7

    @property
    def posts(self) -> int:
        return 10 if self.quick else 40

    @property
    def many_pending(self) -> int:
        return 10_000 if self.quick else 100_000

    @property
    def million(self) -> int:
        return 100_000 if self.quick else 1_000_000


# -- throughput under wrk -------------------------------------------------------------------


def throughput(plan: Plan, *, essay200, essay1000) -> dict:
    """Every wrk case, interleaved: gunicorn warm and cold, nginx in front of the warm one."""
    static_name = "bench-essay-200.html"
    # (name, server, path, reference case for the ratio)
    cases = [
        ("floor", "warm", "/bench/floor/", "floor"),
        ("floor_134k", "warm", "/bench/floor-134k/", "floor"),
        ("home", "warm", "/", "floor"),
        ("essay_200_warm", "warm", essay200.get_absolute_url(), "floor"),
        ("essay_1000_warm", "warm", essay1000.get_absolute_url(), "floor"),
        ("essay_200_cold", "cold", essay200.get_absolute_url(), "floor"),
        ("nginx_static_200", "nginx", f"/static/{static_name}", "nginx_static_200"),
        ("nginx_essay_200", "nginx", essay200.get_absolute_url(), "nginx_static_200"),
    ]
    samples: dict[str, list[dict]] = {name: [] for name, *_ in cases}
    with (
        harness.gunicorn() as warm,
        harness.gunicorn({"CACHE_URL": "dummycache://"}) as cold,
        harness.nginx(warm) as (front, static_dir),
    ):
        servers = {"warm": warm, "cold": cold, "nginx": front}
        page = httpx.get(front + essay200.get_absolute_url(), timeout=30)
        (static_dir / static_name).write_bytes(page.content)
        again = httpx.get(front + essay200.get_absolute_url(), timeout=30)
        front_facts = {
            "page_bytes": len(page.content),
            "x_cache_status": again.headers.get("x-cache-status", ""),
            "cache_control": again.headers.get("cache-control", ""),
            "sets_cookie": "set-cookie" in again.headers,
        }
        for _, server, path, _ in cases:
            harness.wrk(servers[server] + path, 1)  # warm up workers and caches
        for _ in range(plan.rounds):
            for name, server, path, _ in cases:
                samples[name].append(harness.wrk(servers[server] + path, max(2, plan.seconds // 2)))
    results = {}
    for name, _, _, reference in cases:
        taken = samples[name]
        pairs = zip(taken, samples[reference], strict=True)
        ratios = [run["rps"] / ref["rps"] for run, ref in pairs]
        middle = sorted(taken, key=lambda run: run["rps"])[len(taken) // 2]
        results[name] = {
            **middle,
            "ratio": statistics.median(ratios),
            "reference": reference,
            "round_ratios": ratios,
            "rounds": [run["rps"] for run in taken],
        }
    results["nginx_essay_200"]["front"] = front_facts
    return results


# -- in-process renders ---------------------------------------------------------------------


def cold_render_ms(url: str, runs: int, **overrides) -> tuple[float, int]:
    """Median time of a full request in-process with no cache at all, and its query count."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    caches = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with override_settings(CACHES=caches, **overrides):
        client = Client()
        client.get(url)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
    return statistics.median(times), len(queries.captured_queries)


def cold_renders(plan: Plan, *, essay1000, tree1000) -> dict:
    """Cold renders of 100, 1,000 and 10,000 comments, and django-comments-xtd's of 1,000."""
    results = {}
    all_threads = {"COMMENTS_THREADS_PER_PAGE": 10**9}
    for n in (100, 1000, 10_000):
        essay = essay1000 if n == 1000 else data.make_essay(f"render-{n}")
        if n != 1000:
            data.insert_tree(essay, data.random_tree(n, n))
        ms, queries = cold_render_ms(essay.get_absolute_url(), plan.runs, **all_threads)
        paged_ms, _ = cold_render_ms(essay.get_absolute_url(), plan.runs)
        results[f"render_{n}"] = {"ms": ms, "queries": queries, "paged_ms": paged_ms}
    results["xtd_render_1000"] = {"ms": xtd_render_ms(tree1000, plan.runs)}
    return results


def xtd_render_ms(rows: list[dict], runs: int) -> float:
    """django-comments-xtd 2.10 rendering the same tree (bench/xtd_render.py, own venv)."""
    python = XTD_VENV / "bin" / "python"
    if not python.exists():
        harness.log("making bench/.xtd-venv with django-comments-xtd 2.10 (once)")
        subprocess.run([sys.executable, "-m", "venv", str(XTD_VENV)], check=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "-q",
                "django>=5.2,<6",
                "django-comments-xtd>=2.10,<2.11",
            ],
            check=True,
        )
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as handle:
        handle.write("\n".join(json.dumps(r) for r in rows))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    try:
        out = subprocess.run(
            [str(python), str(harness.ROOT / "bench" / "xtd_render.py"), handle.name, str(runs)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
    finally:
        os.unlink(handle.name)
    return json.loads(out.stdout.strip().splitlines()[-1])["median_ms"]


def cache_layers(plan: Plan, *, essay200) -> dict:
    """What each cache layer saves on a warm page, in-process against Redis (µs a request).

    For the home page and the 200-comment essay: served as warm as it gets; with the
    whole-page entry dropped before each request (fragments still warm); with every entry
    but the versions dropped (essay record, article, threads, counts, page); and a
    conditional GET answered 304. Also how many Redis commands a warm request sends.
    """
    import redis
    from django.core.cache import cache
    from django.test import Client

    client = Client()
    connection = redis.Redis.from_url(harness.REDIS_URL)
    n = 30 if plan.quick else 200

    def timed(url, before=None, **headers) -> float:
        times = []
        for _ in range(n):
            client.cookies.clear()  # a reader without cookies, as under wrk
            if before:
                before()
            start = time.perf_counter()
            response = client.get(url, **headers)
            times.append((time.perf_counter() - start) * 1e6)
            assert response.status_code in (200, 304), response.status_code
        return statistics.median(times)

    def drop(*patterns):
        def dropping():
            for pattern in patterns:
                cache.delete_pattern(pattern)

        return dropping

    def commands() -> int:
        stats = connection.info("commandstats")
        return sum(v["calls"] for k, v in stats.items() if k != "cmdstat_info")

    results = {}
    for name, url in (("home", "/"), ("essay_200", essay200.get_absolute_url())):
        client.cookies.clear()
        first = client.get(url)
        client.cookies.clear()
        client.get(url)
        client.cookies.clear()
        before = commands()
        client.get(url)
        per_request = commands() - before  # INFO itself is left out of the count
        etag = first.headers.get("ETag")
        results[name] = {
            "warm_us": timed(url),
            "no_page_entry_us": timed(url, drop("blog:page:*")),
            "no_entries_us": timed(url, drop("blog:*", "comments:*")),
            "not_modified_us": timed(url, HTTP_IF_NONE_MATCH=etag) if etag else None,
            "redis_commands": per_request,
            "stored_as_page": bool(cache.keys("blog:page:*")) if name == "home" else None,
            "sets_cookie": bool(first.cookies),
        }
    results["floor_us"] = timed("/bench/floor/")
    return results


# -- comment POSTs --------------------------------------------------------------------------


def posts(plan: Plan) -> dict:
    """Comment POSTs with Akismet answering after 300 ms: screened in the request, and with
    the database task backend and its worker."""
    target = data.make_essay("posting").get_absolute_url()
    results = {}
    with FakeAkismet(delay=0.3) as akismet:
        env = {
            "PYTHON_AKISMET_API_KEY": "bench-key",
            "AKISMET_API_BASE": akismet.url,
            "AKISMET_TIMEOUT": "5",
        }
        with harness.gunicorn(env) as url:
            times = harness.post_latencies(url, target, plan.posts)
        results["post_immediate"] = _spread(times)
        env = {**env, "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
        with harness.gunicorn(env) as url, harness.worker(env):
            times = harness.post_latencies(url, target, plan.posts)
            results["post_database"] = _spread(times)
            # Rounds interleaved, so both see the same machine: with "Email me" ticked
            # (a subscription and its confirmation email queued, sent by the worker).
            plain, notify = [], []
            for _ in range(4):
                plain += harness.post_latencies(url, target, plan.posts // 4)
                notify += harness.post_latencies(url, target, plan.posts // 4, notify=True)
        results["post_database_plain"] = _spread(plain)
        results["post_database_notify"] = _spread(notify)
    return results


def _spread(times: list[float]) -> dict:
    return {"p50_ms": harness.percentile(times, 50), "p99_ms": harness.percentile(times, 99)}


# -- growth: the queue and the essay page as the tables grow ---------------------------------


def queue_growth(plan: Plan) -> dict:
    """The moderation queue's Pending tab with 100 and with many pending comments."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore

    from comments.models import Comment

    Comment.objects.filter(status="pending").delete()
    queue_essay = data.make_essay("queue")
    moderator = get_user_model().objects.create_user("bench-mod", password="x" * 12)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    session = SessionStore()
    session["_auth_user_id"] = str(moderator.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = moderator.get_session_auth_hash()
    session.create()
    cookie = {"Cookie": f"sessionid={session.session_key}"}
    # The Pending tab by name: the landing page is the Reported tab when there are reports.
    path = "/moderation/?status=pending"
    results = {}
    for count in (100, plan.many_pending):
        have = Comment.objects.filter(status="pending").count()
        data.insert_tree(queue_essay, data.flat_rows(count - have), status="pending")
        with harness.gunicorn() as url:
            harness.wrk(url + path, 1, cookie)
            results[f"queue_{count}"] = harness.wrk(url + path, plan.seconds, cookie)
    results["queue_big"] = plan.many_pending
    return results


def database_growth(plan: Plan) -> dict:
    """A 1,000-comment essay page rendered cold with 10,000 and with a million comments in
    the database."""
    from comments.models import Comment

    big = data.make_essay("big-db")
    data.insert_tree(big, data.random_tree(1000, 7))
    data.filler_comments(9, 1000, "filler", 0)
    results = {"bigdb_10k": {"ms": cold_render_ms(big.get_absolute_url(), plan.runs)[0]}}
    data.filler_comments(plan.million // 1000 - 10, 1000, "filler", 9)
    results["bigdb_1m"] = {
        "ms": cold_render_ms(big.get_absolute_url(), plan.runs)[0],
        "total": Comment.objects.count(),
    }
    return results


# -- finding essays: topic pages and search at 10,000 essays ---------------------------------


def get_latencies(base: str, paths: list[str], headers: dict) -> list[float]:
    """Each path once, in turn, one at a time: milliseconds per response (200s only)."""
    times = []
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        for path in paths:
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
    return times


def discovery(plan: Plan) -> dict:
    """A topic page with 10,000 essays against one with 100, and search p50, at 10,000
    essays, for a reader who hides a warning (so nothing comes from a page cache)."""
    from django.http import HttpResponse

    from blog.models import ContentWarning
    from blog.preferences import ReadingPreferences

    count = 1000 if plan.quick else 10_000
    big, little = data.essays_with_topics(count, 100)
    cookie = HttpResponse()
    hidden = ContentWarning.objects.order_by("pk").first()
    ReadingPreferences(hide=frozenset([hidden.pk])).save(cookie)
    headers = {"Cookie": "; ".join(f"{k}={m.value}" for k, m in cookie.cookies.items())}
    rng = __import__("random").Random(4)
    queries = [" ".join(rng.sample(data.VOCABULARY, rng.choice([1, 1, 2]))) for _ in range(60)]
    rounds = 20 if plan.quick else 60
    results = {"essays": count}
    with harness.gunicorn() as url:
        for name, topic in (("topic_100", little), ("topic_big", big)):
            paths = [topic.get_absolute_url() + f"?page={1 + i % 5}" for i in range(rounds)]
            get_latencies(url, paths[:5], headers)  # warm the workers
            results[name] = _spread(get_latencies(url, paths, headers))
        search_paths = [f"/search/?q={q.replace(' ', '+')}" for q in queries]
        get_latencies(url, search_paths[:5], headers)
        results["search"] = _spread(get_latencies(url, search_paths, headers))
    return results


# -- email: a new essay to every subscriber -------------------------------------------------


def mailing(plan: Plan) -> dict:
    """A new essay mailed to 10,000 confirmed subscribers (a tenth of them leaving out its
    warning) over real SMTP to a local server, in-process on PostgreSQL: seconds in all,
    and the queries of each batch (they must not grow with the batch's place or size)."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.utils import timezone

    from bench.fakes import FakeSMTP
    from blog.models import ContentWarning, Essay
    from subscriptions import sending
    from subscriptions.models import Address, Email, EssayMailing, Subscription

    count = 1000 if plan.quick else 10_000
    now = timezone.now()
    warning = ContentWarning.objects.create(name="Bench warning", slug="bench-mailing")
    # Made before the subscribers (publishing it starts its mailing, to nobody yet), and
    # its mailing started again by hand below, so that what is timed is only the sending.
    essay = data.make_essay("mailed")
    essay.warnings.set([warning])
    EssayMailing.objects.filter(essay=essay).delete()
    addresses = Address.objects.bulk_create(
        (Address(email=f"sub{i}@example.org", inbox=f"sub{i}@example.org", confirmed_at=now)
         for i in range(count)), batch_size=2000,
    )  # fmt: skip
    subscriptions = Subscription.objects.bulk_create(
        (Subscription(address=a, kind="essays", target="", confirmed_at=now) for a in addresses),
        batch_size=2000,
    )
    Subscription.excluded_warnings.through.objects.bulk_create(
        Subscription.excluded_warnings.through(subscription=s, contentwarning=warning)
        for s in subscriptions[::10]
    )
    essay = Essay.objects.prefetch_related("warnings").get(pk=essay.pk)
    mailing = EssayMailing.objects.create(essay=essay)
    context = sending.essay_context(essay)
    server = FakeSMTP(process=True)
    per_batch, covered = [], 0
    try:
        with override_settings(MAILERS={"default": server.mailer()}):
            start = time.perf_counter()
            while True:
                with CaptureQueriesContext(connection) as queries:
                    batch = sending.mail_batch(mailing, essay, context)
                if not batch:
                    break
                covered += batch
                per_batch.append(len(queries))
            seconds = time.perf_counter() - start
        received = server.wait_until(count - count // 10)
    finally:
        server.stop()
    sent = Email.objects.filter(essay=essay, state=Email.State.SENT).count()
    return {
        "subscribers": count, "sent": sent, "received": received, "seconds": seconds,
        "batches": len(per_batch), "batch_size": settings.SUBSCRIPTIONS_BATCH_SIZE,
        "queries_min": min(per_batch), "queries_max": max(per_batch),
    }  # fmt: skip


# -- moving in: the WordPress import ---------------------------------------------------------


def wordpress_import(plan: Plan) -> dict:
    """Importing a generated export of 100 posts with 10,000 comments (threads of varied
    depth, statuses mixed) on SQLite and on PostgreSQL, each in a process of its own: its
    seconds and its peak memory (RSS).

    SQLite gets a temporary file, migrated first; PostgreSQL the bench database that
    harness.prepare made (it holds the other cases' rows by then, as a real site would).
    """
    from bench.wordpress_import import write_export

    posts, comments = (10, 1_000) if plan.quick else (100, 10_000)
    results = {"posts": posts, "comments": comments}
    script = harness.ROOT / "bench" / "wordpress_import.py"
    with tempfile.TemporaryDirectory(prefix="bench-wordpress-") as tmp:
        export = write_export(Path(tmp) / "export.xml", posts=posts, comments=comments)
        results["file_mb"] = export.stat().st_size / 1e6
        sqlite = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/import.sqlite3"}
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=harness.ROOT, env=sqlite, check=True,
        )  # fmt: skip
        for name, env in (("sqlite", sqlite), ("postgresql", {**os.environ})):
            out = subprocess.run(
                [sys.executable, str(script), str(export)],
                cwd=harness.ROOT, env=env, capture_output=True, text=True, check=True,
            )  # fmt: skip
            results[name] = json.loads(out.stdout.strip().splitlines()[-1])
    return results
