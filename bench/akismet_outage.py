"""Akismet failure injection, end to end, against a running server (loopback only).

Posts comments through gunicorn while Akismet (bench/fakes.py, on 127.0.0.1) refuses
connections, answers too slowly, answers HTTP 500, or calls the key invalid; checks every
accepted comment is stored, pending, with the reason; then heals Akismet, runs
`recheck_comments`, and prints the counts. Then the slow Akismet that answers a byte at a
time: posters and cookie-less readers at once through gunicorn (2 sync workers), with the
immediate backend (screening in the request) and with the database backend and a worker;
prints requests, errors, comments lost and the longest wait a reader saw. Stops by itself.

    .venv/bin/python bench/akismet_outage.py [--per-mode 10]
"""

import argparse
import io
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):  # run as a script: bench/ is the path, the project is not
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from bench import data, harness  # noqa: E402
from bench.fakes import FakeAkismet, closed_port_url  # noqa: E402

TRICKLE_TIMEOUT = 1.0  # AKISMET_TIMEOUT for the byte-at-a-time case, seconds
TRICKLE_SECONDS = 0.2  # the fake's pace: a whole answer takes about 14 s
BACKENDS = {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}


def _posters_and_readers(url: str, target: str, tag: str, posters: int, posts: int) -> dict:
    """`posters` browsers each posting `posts` comments while two cookie-less readers load
    the essay page until the posters are done. Latencies in ms, errors, accepted bodies."""
    result = {"post": [], "read": [], "errors": 0, "accepted": []}
    lock = threading.Lock()
    done = threading.Event()

    def record(kind, started, ok, body=None):
        with lock:
            result[kind].append((time.perf_counter() - started) * 1000)
            result["errors"] += not ok
            if ok and body:
                result["accepted"].append(body)

    def poster(n):
        with httpx.Client(base_url=url, timeout=60) as client:
            for i in range(posts):
                started = time.perf_counter()
                try:
                    html = client.get(target).text
                    body = f"{tag} {n}.{i} {uuid.uuid4()}"
                    form = harness.comment_form_data(html, body=body, author_name=f"Poster {n}")
                    answer = client.post(
                        target + "comment/", data=form,
                        headers=harness.same_origin_headers(url, target),
                    )  # fmt: skip
                    record("post", started, answer.status_code == 302, body)
                except httpx.HTTPError:
                    record("post", started, False)

    def reader():
        with httpx.Client(base_url=url, timeout=60) as client:
            while not done.is_set():
                client.cookies.clear()  # a reader with no cookies: the shared page
                started = time.perf_counter()
                try:
                    record("read", started, client.get(target).status_code == 200)
                except httpx.HTTPError:
                    record("read", started, False)

    with httpx.Client(base_url=url, timeout=60) as client:  # warm both workers' caches
        for _ in range(10):
            client.get(target)
    time.sleep(2)  # and let a task worker finish starting up
    readers = [threading.Thread(target=reader) for _ in range(2)]
    workers = [threading.Thread(target=poster, args=(n,)) for n in range(posters)]
    for thread in readers + workers:
        thread.start()
    for thread in workers:
        thread.join()
    done.set()
    for thread in readers:
        thread.join()
    return result


def trickle_case(fake: FakeAkismet, target: str, backend: str, posters: int, posts: int):
    """One row of the byte-at-a-time table, and whether it kept every comment, pending
    with the unavailable reason."""
    from comments.models import Comment

    harness.flush_redis()  # the key check trickles too: the deadline covers it
    fake.mode = "trickle"
    tag = f"Trickle-{backend}"
    env = {
        "PYTHON_AKISMET_API_KEY": "outage-key", "AKISMET_API_BASE": fake.url,
        "AKISMET_TIMEOUT": str(TRICKLE_TIMEOUT), "TASKS_BACKEND": BACKENDS[backend],
        "MODERATION_RETRY_BASE_SECONDS": "3600",  # no retry within the run
    }  # fmt: skip
    with harness.gunicorn(env, workers=2) as url:
        if backend == "database":
            with harness.worker(env):
                result = _posters_and_readers(url, target, tag, posters, posts)
                mine = Comment.objects.filter(body__startswith=tag)
                deadline = time.monotonic() + 60 + len(result["accepted"]) * TRICKLE_TIMEOUT
                while (
                    time.monotonic() < deadline and mine.exclude(decisions__step="akismet").exists()
                ):
                    time.sleep(0.2)  # the worker screens them after the readers are gone
        else:
            result = _posters_and_readers(url, target, tag, posters, posts)
    mine = Comment.objects.filter(body__startswith=tag)
    stored = set(mine.values_list("body", flat=True))
    unavailable = (
        mine.filter(
            status="pending", decisions__step="akismet", decisions__outcome="error",
            decisions__reason__startswith="spam check unavailable: Akismet timed out",
        ).distinct().count()
    )  # fmt: skip
    lost = len(set(result["accepted"]) - stored)
    row = {
        "backend": backend,
        "requests": len(result["post"]) + len(result["read"]),
        "errors": result["errors"],
        "posted": len(result["accepted"]),
        "lost": lost,
        "pending_unavailable": unavailable,
        "longest_post_ms": max(result["post"]),
        "longest_read_ms": max(result["read"]) if result["read"] else 0.0,
        "p50_read_ms": harness.percentile(result["read"], 50) if result["read"] else 0.0,
    }
    ok = result["errors"] == 0 and lost == 0 and unavailable == len(result["accepted"])
    return row, ok


def print_trickle_table(rows: list[dict], posters: int, posts: int) -> None:
    print()
    print(
        f"Akismet answering a byte every {TRICKLE_SECONDS:g} s; "
        f"AKISMET_TIMEOUT={TRICKLE_TIMEOUT:g} s; gunicorn 2 sync workers; {posters} posters x "
        f"{posts} comments, 2 cookie-less readers"
    )
    header = ("backend", "requests", "errors", "posted", "lost", "pending+reason",
              "longest post", "reader p50", "longest reader wait")  # fmt: skip
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print(
            f"| {r['backend']} | {r['requests']} | {r['errors']} | {r['posted']} | {r['lost']} | "
            f"{r['pending_unavailable']} | {r['longest_post_ms']:.0f} ms | "
            f"{r['p50_read_ms']:.0f} ms | {r['longest_read_ms']:.0f} ms |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-mode", type=int, default=10)
    parser.add_argument("--posters", type=int, default=3)
    parser.add_argument("--trickle-posts", type=int, default=4, help="comments per poster")
    args = parser.parse_args()

    harness.prepare()
    from django.core.management import call_command
    from django.test import override_settings

    from comments.models import Comment

    target = data.make_essay("outage").get_absolute_url()
    fake = FakeAkismet(trickle_seconds=TRICKLE_SECONDS)
    env = {"PYTHON_AKISMET_API_KEY": "outage-key", "AKISMET_TIMEOUT": "0.5"}
    posted = Counter()
    for mode in ("refused", "slow", "error500", "invalid"):
        harness.flush_redis()  # forget any cached key check
        fake.mode = "ham" if mode == "refused" else mode
        base = closed_port_url() if mode == "refused" else fake.url
        with harness.gunicorn({**env, "AKISMET_API_BASE": base}) as url:
            times = harness.post_latencies(url, target, args.per_mode)
        posted[mode] = len(times)
        harness.log(f"{mode}: {len(times)} posted, median {sorted(times)[len(times) // 2]:.0f} ms")

    comments = Comment.objects.filter(body__startswith="Bench ")
    pending = comments.filter(status="pending").count()
    with_reason = comments.filter(
        decisions__step="akismet", decisions__outcome="error",
        decisions__reason__startswith="spam check unavailable",
    ).distinct().count()  # fmt: skip

    fake.mode = "ham"
    harness.flush_redis()
    out = io.StringIO()
    with override_settings(PYTHON_AKISMET_API_KEY="outage-key", AKISMET_API_BASE=fake.url,
                           AKISMET_TIMEOUT=2.0):  # fmt: skip
        call_command("recheck_comments", "--older-than", "0", stdout=out)
    after = Counter(comments.values_list("status", flat=True))
    checked = comments.filter(decisions__step="akismet", decisions__outcome="pass").distinct()
    total = sum(posted.values())
    print(out.getvalue().strip().splitlines()[-1])
    print(
        f"Akismet outage: {total} comments posted ({dict(posted)}); {comments.count()} stored; "
        f"{pending} pending and {with_reason} with 'spam check unavailable' "
        f"during the outage; after recheck_comments: {dict(after)}, {checked.count()} "
        f"checked by Akismet; lost: {total - comments.count()}; published unchecked: "
        f"{comments.filter(status='approved').exclude(pk__in=checked).count()}."
    )
    ok = comments.count() == total == pending == with_reason == checked.count()

    rows = []
    for backend in BACKENDS:
        harness.log(f"trickle: {backend} backend")
        row, row_ok = trickle_case(fake, target, backend, args.posters, args.trickle_posts)
        rows.append(row)
        ok = ok and row_ok
    fake.close()
    print_trickle_table(rows, args.posters, args.trickle_posts)
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
