"""`make bench`: every speed figure side by side in one run, printed as one table.

Runs the site under gunicorn (2 workers, DEBUG off) on PostgreSQL and Redis on this machine,
with and without deploy/nginx.conf in front, and loads it with wrk; renders comment trees
in-process, cold, next to django-comments-xtd 2.10 in its own virtual environment; times
comment POSTs against the fake Akismet (bench/fakes.py) answering after 300 ms. Writes
bench/results.json. Loopback only; everything stops by itself.

    make bench                              # all of it (several minutes)
    .venv/bin/python bench/run.py --quick   # shorter loads, smaller data (a smoke run)
"""

import argparse
import json
import os
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: bench/ is the path, the project is not
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import cases, data, harness, report  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short loads, small data")
    plan = cases.Plan(quick=parser.parse_args().quick)

    harness.prepare(nginx=True)
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    for i in range(10):
        data.make_essay(f"home-{i}")
    essay200 = data.make_essay("two-hundred")
    data.insert_tree(essay200, data.random_tree(200, 200))
    essay1000 = data.make_essay("one-thousand")
    tree1000 = data.random_tree(1000, 1000)
    data.insert_tree(essay1000, tree1000)

    results: dict = {}
    harness.log("throughput: gunicorn warm and cold, nginx in front; rounds interleaved")
    results |= cases.throughput(plan, essay200=essay200, essay1000=essay1000)
    harness.log("what each cache layer costs or saves, in-process")
    results["cache_layers"] = cases.cache_layers(plan, essay200=essay200)
    harness.log("cold renders in-process, and django-comments-xtd")
    results |= cases.cold_renders(plan, essay1000=essay1000, tree1000=tree1000)
    harness.log("comment POSTs with the fake Akismet answering after 300 ms")
    results |= cases.posts(plan)
    harness.log(f"moderation queue with 100 and {plan.many_pending:,} pending comments")
    results |= cases.queue_growth(plan)
    harness.log(f"essay page with 10,000 and {plan.million:,} comments in the database")
    results |= cases.database_growth(plan)
    harness.log("topic pages and search among 10,000 essays")
    results["discovery"] = cases.discovery(plan)
    harness.log("a new essay mailed to 10,000 subscribers over SMTP")
    results["mailing"] = cases.mailing(plan)
    harness.log("WordPress import: 100 posts, 10,000 comments, on SQLite and PostgreSQL")
    results["wordpress_import"] = cases.wordpress_import(plan)

    (harness.ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2))
    print()
    print(report.table(results))
    print("\nWritten to bench/results.json")


if __name__ == "__main__":
    main()
