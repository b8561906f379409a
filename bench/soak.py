"""A bounded soak: concurrent readers and comment posters against gunicorn + PostgreSQL +
Redis, on 127.0.0.1 only, for a fixed time (default 60 s); then it stops by itself.

Readers also report comments, each from a fresh browser but all from one address, so all
but the first report of a comment must be refused. Reports requests, 5xx responses (must
be 0), and checks that every comment the server accepted (a redirect after POST) is in the
database exactly once, and that no comment holds two reports from one address. Exit
status 1 if not.

    .venv/bin/python bench/soak.py [--seconds 60] [--readers 6] [--posters 3] [--reporters 2]
"""

import argparse
import re
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx

if __package__ in (None, ""):  # run as a script: bench/ is the path, the project is not
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import data, harness  # noqa: E402


def reader(base: str, paths: list[str], stop: threading.Event, counts: Counter, lock):
    with httpx.Client(base_url=base, timeout=30) as client:
        i = 0
        while not stop.is_set():
            response = client.get(paths[i % len(paths)])
            i += 1
            with lock:
                counts["requests"] += 1
                counts[f"{response.status_code // 100}xx"] += 1


def poster(base, essay_url, stop, counts, accepted, lock, worker_id: int):
    with httpx.Client(base_url=base, timeout=30, follow_redirects=False) as client:
        n = 0
        while not stop.is_set():
            page = client.get(essay_url)
            marker = f"soak-{worker_id}-{n}-{uuid.uuid4().hex[:8]}"
            n += 1
            form = harness.comment_form_data(
                page.text, body=f"Soak {marker}", author_name=f"Soaker {worker_id}"
            )
            headers = harness.same_origin_headers(base, essay_url)
            response = client.post(essay_url + "comment/", data=form, headers=headers)
            with lock:
                counts["requests"] += 2
                counts[f"{page.status_code // 100}xx"] += 1
                counts[f"{response.status_code // 100}xx"] += 1
                if response.status_code == 302:
                    accepted.append(marker)


def reporter(base, essay_urls, stop, counts, lock, worker_id: int):
    """Report comments from fresh browsers (no cookies) through the dialog's JSON route."""
    n = 0
    while not stop.is_set():
        with httpx.Client(base_url=base, timeout=30) as client:
            page = client.get(essay_urls[n % len(essay_urls)])
            ids = re.findall(r'data-report="(\d+)"', page.text)
            comment_id = ids[(n * 7 + worker_id) % len(ids)]
            form = client.get(f"/comments/{comment_id}/report/")
            response = client.post(
                f"/comments/{comment_id}/report/",
                data={"reason": "spam"},
                headers={"Accept": "application/json", **harness.same_origin_headers(base, "/")},
            )
            n += 1
        with lock:
            counts["requests"] += 3
            for r in (page, form, response):
                counts[f"{r.status_code // 100}xx"] += 1
            counts["reports taken"] += response.status_code == 200


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
    paths = ["/", *(e.get_absolute_url() for e in essays), target, "/feed/"]

    counts, accepted, lock, stop = Counter(), [], threading.Lock(), threading.Event()
    with harness.gunicorn() as base:
        threads = [threading.Thread(target=reader, args=(base, paths, stop, counts, lock))
                   for _ in range(args.readers)]  # fmt: skip
        threads += [threading.Thread(target=poster, args=(base, target, stop, counts, accepted,
                                                          lock, i))
                    for i in range(args.posters)]  # fmt: skip
        essay_urls = [e.get_absolute_url() for e in essays]
        threads += [threading.Thread(target=reporter, args=(base, essay_urls, stop, counts,
                                                            lock, i))
                    for i in range(args.reporters)]  # fmt: skip
        for thread in threads:
            thread.start()
        time.sleep(args.seconds)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    from comments.models import Comment

    stored = Counter(
        body.removeprefix("Soak ")
        for body in Comment.objects.filter(body__startswith="Soak ").values_list("body", flat=True)
    )
    missing = [m for m in accepted if stored[m] == 0]
    doubled = [m for m, n in stored.items() if n > 1]
    from django.db.models import Count

    from moderation.models import Report

    same_address_twice = (
        Report.objects.values("comment", "ip_address").annotate(n=Count("id")).filter(n__gt=1)
    ).count()
    print(f"Soak of {args.seconds} s: {counts['requests']:,} requests, "
          f"{counts['2xx']:,} 2xx, {counts['3xx']:,} 3xx, {counts['4xx']:,} 4xx, "
          f"{counts['5xx']:,} 5xx; {len(accepted):,} comments accepted, "
          f"{len(missing)} missing, {len(doubled)} stored twice; "
          f"{counts['reports taken']:,} reports taken, {same_address_twice} comments "
          f"reported twice from one address.")  # fmt: skip
    ok = counts["5xx"] == 0 and not missing and not doubled and not same_address_twice
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
