"""Benchmark: render an essay page with 100, 1,000 and 10,000 approved comments.

Builds random threads (up to COMMENTS_MAX_DEPTH levels) in a throwaway SQLite database (or
the one DATABASE_URL names), then times the full request through Django's test client:
middleware, views, queries and templates. Prints a table; never asserts a time.

    make bench            # or: .venv/bin/python bench/comments_bench.py [--runs 7]
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(db_path: str) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{db_path}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_essay(n: int, seed: int):
    """An essay with n approved comments in random threads, inserted in bulk."""
    from django.conf import settings

    from blog.markup import render_comment
    from blog.models import Essay
    from comments.models import Comment

    rng = random.Random(seed)
    essay = Essay.objects.create(
        title=f"Bench essay {n}", slug=f"bench-{n}-{seed}", byline="Bench", summary="S.",
        body="Body.", status=Essay.Status.PUBLISHED,
    )  # fmt: skip
    bodies = [
        render_comment(text)
        for text in [
            "Thank you for writing this. It helped.",
            "I read this twice.\n\nThe second time, the part about waiting hit harder.",
            "See https://example.org/resources for a list of support lines.",
            "<em>Yes.</em> Exactly this, and nobody says it.",
        ]
    ]
    max_depth = settings.COMMENTS_MAX_DEPTH
    tick = time.time_ns() // 1000
    made = []
    for i in range(n):
        candidates = [c for c in made[-40:] if c.depth < max_depth - 1]
        parent = rng.choice(candidates) if candidates and rng.random() < 0.7 else None
        segment = f"{tick + i:013x}{rng.randrange(16**3):03x}"
        path = (parent.path if parent else "") + segment
        made.append(
            Comment(
                essay=essay,
                parent=parent,
                path=path,
                thread=path[:16],
                depth=parent.depth + 1 if parent else 0,
                author_name=f"Reader {i}",
                body="x",
                body_html=bodies[i % len(bodies)],
                status=Comment.Status.APPROVED,
            )  # fmt: skip
        )
    # Parents must exist before children: insert level by level.
    for depth in range(max_depth):
        Comment.objects.bulk_create([c for c in made if c.depth == depth], batch_size=1000)
    return essay


def time_page(client, url: str, runs: int) -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm the template cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    rendered = response.content.decode().count('class="comment depth-')
    return statistics.median(times) * 1000, len(queries.captured_queries), rendered


def time_reply(essay, runs: int) -> float:
    from comments.models import Comment
    from comments.services import RequestMeta, reply_parent, submit_comment

    parent = Comment.objects.filter(essay=essay, depth=1).first()
    meta = RequestMeta(ip_address="127.0.0.1", user_agent="bench", referrer="", permalink="")
    times = []
    for i in range(runs):
        start = time.perf_counter()
        target = reply_parent(essay=essay, parent_id=parent.pk)
        submit_comment(
            essay=essay, parent=target, author_name=f"Bench {i}", author_email="",
            author_url="", body=f"Reply {i} {uuid.uuid4()}", content_warning="",
            request_meta=meta, submission_key=uuid.uuid4(),
        )  # fmt: skip
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed requests per row")
    parser.add_argument("--sizes", default="100,1000,10000")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        setup_django(str(Path(tmp) / "bench.sqlite3"))
        from django.conf import settings
        from django.db import connection
        from django.test import Client, override_settings

        client = Client()
        rows = []
        for n in [int(s) for s in args.sizes.split(",")]:
            essay = build_essay(n, seed=n)
            url = essay.get_absolute_url()
            paged = time_page(client, url, args.runs)
            with override_settings(COMMENTS_THREADS_PER_PAGE=10**9):
                whole = time_page(client, url, args.runs)
            reply = time_reply(essay, args.runs)
            rows.append((n, paged, whole, reply))

        print()
        per_page = settings.COMMENTS_THREADS_PER_PAGE
        print(
            f"Essay page render, median of {args.runs} requests "
            f"({connection.vendor}, {per_page} threads per page)"
        )
        header = (
            f"{'comments':>9} | {'page: shown':>11} {'queries':>7} {'ms':>8} | "
            f"{'all on one page: shown':>22} {'queries':>7} {'ms':>8} | {'insert reply ms':>15}"
        )
        print(header)
        print("-" * len(header))
        for n, (p_ms, p_q, p_n), (w_ms, w_q, w_n), reply in rows:
            print(
                f"{n:>9,} | {p_n:>11,} {p_q:>7} {p_ms:>8.1f} | {w_n:>22,} {w_q:>7} {w_ms:>8.1f}"
                f" | {reply:>15.2f}"
            )
        print()
        print("For comparison: django-comments-xtd 2.10 is reported at about 290 ms to render")
        print("1,000 comments on this kind of machine (see the comments issue).")


if __name__ == "__main__":
    main()
