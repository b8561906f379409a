"""A bounded soak: concurrent readers, comment posters and reporters against gunicorn +
PostgreSQL + Redis, on 127.0.0.1 only, in three cases of a fixed time each (default 60 s):

- steady: nothing fails;
- redis stopped: the soak's own redis-server (on a free port; the machine's Redis is never
  touched) is stopped for a third of the case, then started again;
- postgres killed: every 1.5 s the app's PostgreSQL connections are terminated
  (pg_terminate_backend).

Per case it prints requests, 500s, other 5xx (a 503 "try again" is the honest answer while
connections are cut; it counts as an error, and must not appear in the other cases),
comments lost, and the longest wait a reader saw. A comment is lost when a POST answered
with success is not stored exactly once, or a "try again" page did not give the text back.
A poster given "try again" sends the same text again until it is taken, as a reader would;
it must still be stored once. Exit status 1 on any 500, any loss, two reports of one
comment from one address, or a 5xx outside the postgres case.

    .venv/bin/python bench/soak.py [--seconds 60] [--readers 6] [--posters 3] [--reporters 2]
"""

import argparse
import html
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import httpx

if __package__ in (None, ""):  # run as a script: bench/ is the path, the project is not
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import data, harness  # noqa: E402

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class Tally:
    """What the readers of one case saw, shared by its threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = Counter()
        self.longest = 0.0
        self.accepted: list[str] = []  # markers of posts answered with success
        self.text_lost: list[str] = []  # "try again" pages without the reader's text

    def request(self, client, method, url, **kwargs):
        start = time.perf_counter()
        try:
            response = client.request(method, url, **kwargs)
        except httpx.HTTPError:
            with self.lock:
                self.counts["requests"] += 1
                self.counts["no answer"] += 1
            return None
        waited = time.perf_counter() - start
        with self.lock:
            self.counts["requests"] += 1
            self.counts[f"{response.status_code // 100}xx"] += 1
            self.counts["500"] += response.status_code == 500
            self.longest = max(self.longest, waited)
        return response


def reader(base, paths, stop, tally: Tally):
    with httpx.Client(base_url=base, timeout=30) as client:
        i = 0
        while not stop.is_set():
            tally.request(client, "GET", paths[i % len(paths)])
            i += 1


def poster(base, essay_url, stop, tally: Tally, worker_id: int):
    with httpx.Client(base_url=base, timeout=30, follow_redirects=False) as client:
        n = 0
        while not stop.is_set():
            page = tally.request(client, "GET", essay_url)
            if page is None or page.status_code != 200:
                time.sleep(0.2)
                continue
            marker = f"soak-{worker_id}-{n}-{uuid.uuid4().hex[:8]}"
            n += 1
            form = harness.comment_form_data(
                page.text, body=f"Soak {marker}", author_name=f"Soaker {worker_id}"
            )
            headers = harness.same_origin_headers(base, essay_url)
            for _attempt in range(100):  # a reader sends it again until it is taken
                response = tally.request(
                    client, "POST", essay_url + "comment/", data=form, headers=headers
                )
                if response is not None and response.status_code == 302:
                    with tally.lock:
                        tally.accepted.append(marker)
                    break
                if response is not None and marker not in html.unescape(response.text):
                    with tally.lock:
                        tally.text_lost.append(f"{marker}: {response.status_code}")
                    harness.log(f"text not given back: {response.status_code} "
                                f"{response.text[:300]!r}")  # fmt: skip
                    break
                time.sleep(0.3)


def reporter(base, essay_urls, stop, tally: Tally, worker_id: int):
    """Report comments from fresh browsers (no cookies) through the dialog's JSON route."""
    n = 0
    while not stop.is_set():
        with httpx.Client(base_url=base, timeout=30) as client:
            page = tally.request(client, "GET", essay_urls[n % len(essay_urls)])
            n += 1
            ids = re.findall(r'data-report="(\d+)"', page.text if page is not None else "")
            if not ids:
                time.sleep(0.2)
                continue
            comment_id = ids[(n * 7 + worker_id) % len(ids)]
            tally.request(client, "GET", f"/comments/{comment_id}/report/")
            response = tally.request(
                client, "POST", f"/comments/{comment_id}/report/", data={"reason": "spam"},
                headers={"Accept": "application/json", **harness.same_origin_headers(base, "/")},
            )  # fmt: skip
        if response is not None and response.status_code == 200:
            with tally.lock:
                tally.counts["reports taken"] += 1


# -- faults ---------------------------------------------------------------------------------


@contextmanager
def own_redis():
    """A redis-server of the soak's own on a free port; yields (url, stop, start)."""
    port = harness.free_port()
    workdir = tempfile.mkdtemp(prefix="soak-redis-")
    command = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", workdir]  # fmt: skip
    process = {}

    def start():
        process["p"] = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        import redis

        for _ in range(100):
            try:
                redis.Redis(port=port, socket_timeout=0.5).ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop():
        process["p"].terminate()
        process["p"].wait(timeout=10)

    start()
    try:
        yield f"redis://127.0.0.1:{port}/0", stop, start
    finally:
        if process["p"].poll() is None:
            stop()
        shutil.rmtree(workdir, ignore_errors=True)


def redis_outage(stop_redis, start_redis, seconds: int):
    """Stop Redis from a third of the case to two thirds, then start it again."""

    def run(stop: threading.Event, notes: Counter):
        if stop.wait(seconds / 3):
            return
        stop_redis()
        stopped = time.monotonic()
        stop.wait(seconds / 3)
        start_redis()
        notes["redis down, s"] = round(time.monotonic() - stopped, 1)

    return run


def connection_killer(every: float = 1.5):
    """Terminate the app's connections to the bench database every `every` seconds."""
    import psycopg

    name = harness.PG_URL.rsplit("/", 1)[1]

    def run(stop: threading.Event, notes: Counter):
        with psycopg.connect(harness._libpq(harness.PG_ADMIN_URL), autocommit=True) as conn:
            while not stop.wait(every):
                killed = conn.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    [name],
                ).fetchone()[0]
                notes["kills"] += 1
                notes["connections killed"] += killed

    return run


# -- one case -------------------------------------------------------------------------------


def run_case(args, base, essays, target, fault=None) -> tuple[Tally, Counter]:
    tally, stop, notes = Tally(), threading.Event(), Counter()
    paths = ["/", *(e.get_absolute_url() for e in essays), target, "/feed/"]
    essay_urls = [e.get_absolute_url() for e in essays]
    threads = [threading.Thread(target=reader, args=(base, paths, stop, tally))
               for _ in range(args.readers)]  # fmt: skip
    threads += [threading.Thread(target=poster, args=(base, target, stop, tally, i))
                for i in range(args.posters)]  # fmt: skip
    threads += [threading.Thread(target=reporter, args=(base, essay_urls, stop, tally, i))
                for i in range(args.reporters)]  # fmt: skip
    if fault is not None:
        threads.append(threading.Thread(target=fault, args=(stop, notes)))
    for thread in threads:
        thread.start()
    time.sleep(args.seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    return tally, notes


def losses(tally: Tally) -> tuple[int, int]:
    """(comments lost, comments stored twice) for the posts of one case."""
    from django.db import connections

    from comments.models import Comment

    connections.close_all()  # the killer may have cut this process's connection too
    stored = Counter(
        Comment.objects.filter(body__startswith="Soak ").values_list("body", flat=True)
    )
    missing = [m for m in tally.accepted if stored[f"Soak {m}"] == 0]
    doubled = [m for m in tally.accepted if stored[f"Soak {m}"] > 1]
    return len(missing) + len(tally.text_lost), len(doubled)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--readers", type=int, default=6)
    parser.add_argument("--posters", type=int, default=3)
    parser.add_argument("--reporters", type=int, default=2)
    args = parser.parse_args()

    harness.prepare()
    essays = [data.make_essay(f"soak-{i}") for i in range(3)]
    for essay in essays:
        data.insert_tree(essay, data.random_tree(200, essay.pk))
    target = data.make_essay("soak-posting").get_absolute_url()

    rows = []
    harness.log(f"case steady ({args.seconds} s)")
    with harness.gunicorn() as base:
        rows.append(("steady", *run_case(args, base, essays, target)))
    with own_redis() as (url, stop_redis, start_redis):
        harness.log(f"case redis stopped ({args.seconds} s, Redis at {url})")
        with harness.gunicorn({"CACHE_URL": url}) as base:
            fault = redis_outage(stop_redis, start_redis, args.seconds)
            rows.append(("redis stopped", *run_case(args, base, essays, target, fault)))
    harness.log(f"case postgres killed ({args.seconds} s)")
    with harness.gunicorn() as base:
        rows.append(("postgres killed", *run_case(args, base, essays, target, connection_killer())))

    from django.db import connections
    from django.db.models import Count

    from moderation.models import Report

    connections.close_all()  # the killer cut this process's connection too

    same_address_twice = (
        Report.objects.values("comment", "ip_address").annotate(n=Count("id")).filter(n__gt=1)
    ).count()

    ok = not same_address_twice
    print(f"Soak: {args.seconds} s a case, {args.readers} readers, {args.posters} posters, "
          f"{args.reporters} reporters")  # fmt: skip
    header = ("case", "requests", "500", "other 5xx", "no answer", "posted", "lost", "twice",
              "longest wait", "fault")  # fmt: skip
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name, tally, notes in rows:
        lost, doubled = losses(tally)
        c = tally.counts
        other_5xx = c["5xx"] - c["500"]
        fault = ", ".join(f"{k} {v}" for k, v in notes.items()) or "-"
        print(f"| {name} | {c['requests']:,} | {c['500']} | {other_5xx:,} | {c['no answer']} | "
              f"{len(tally.accepted):,} | {lost} | {doubled} | {tally.longest:.2f} s | "
              f"{fault} |")  # fmt: skip
        ok &= c["500"] == 0 and not lost and not doubled and not c["no answer"]
        ok &= name == "postgres killed" or c["5xx"] == 0
    print(f"{same_address_twice} comments reported twice from one address.")
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
