"""Akismet failure injection, end to end, against a running server (loopback only).

Posts comments through gunicorn while Akismet (bench/fakes.py, on 127.0.0.1) refuses
connections, answers too slowly, answers HTTP 500, or calls the key invalid; checks every
accepted comment is stored, pending, with the reason; then heals Akismet, runs
`recheck_comments`, and prints the counts. Stops by itself.

    .venv/bin/python bench/akismet_outage.py [--per-mode 10]
"""

import argparse
import io
import sys
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):  # run as a script: bench/ is the path, the project is not
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import data, harness  # noqa: E402
from bench.fakes import FakeAkismet, closed_port_url  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-mode", type=int, default=10)
    args = parser.parse_args()

    harness.prepare()
    from django.core.management import call_command
    from django.test import override_settings

    from comments.models import Comment

    target = data.make_essay("outage").get_absolute_url()
    fake = FakeAkismet()
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
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
