"""The WordPress import benchmark: a generated export, and the import run in a process of its
own so that its peak memory is its own.

    python bench/wordpress_import.py EXPORT.xml   # with DATABASE_URL and the bench settings

prints one line of JSON: the import's seconds, the process's peak RSS and its RSS before
the import (Django loaded), and what was imported. bench/cases.py writes the export and
runs this on SQLite and on PostgreSQL.
"""

import json
import os
import random
import resource
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape

if __package__ in (None, ""):  # run as a script: bench/ is the path, the project is not
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Bench site</title>
<link>https://bench.example.org</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://bench.example.org</wp:base_site_url>
<wp:base_blog_url>https://bench.example.org</wp:base_blog_url>
<wp:author><wp:author_login>writer</wp:author_login>
<wp:author_display_name><![CDATA[Bench Writer]]></wp:author_display_name></wp:author>
<wp:category><wp:term_id>1</wp:term_id><wp:category_nicename>essays</wp:category_nicename>
<wp:category_parent></wp:category_parent><wp:cat_name><![CDATA[Essays]]></wp:cat_name></wp:category>
<wp:tag><wp:term_id>2</wp:term_id><wp:tag_slug>recovery</wp:tag_slug>
<wp:tag_name><![CDATA[Recovery]]></wp:tag_name></wp:tag>
"""
TAIL = "</channel>\n</rss>\n"
# wp:comment_approved as exports have it: mostly approved, the rest held, spam or trash.
APPROVALS = ["1"] * 15 + ["0"] * 2 + ["spam"] * 2 + ["trash"]
WARNING_LINES = ["Trigger Warning: Sexual violence, rape, and mental health", "CW: grief", ""]
COMMENT_WORDS = (
    "Thank you for writing this &amp; for saying it plainly. "
    "<em>I read it twice.</em>\n\nThe second time the part about waiting hit harder."
)


def comment_counts(posts: int, comments: int, rng: random.Random) -> list[int]:
    """How many comments each post has: uneven (a few posts hold most), summing to `comments`."""
    weights = [rng.paretovariate(1.2) for _ in range(posts)]
    total = sum(weights)
    counts = [int(comments * w / total) for w in weights]
    for i in range(comments - sum(counts)):
        counts[i % posts] += 1
    return counts


def thread(first_id: int, count: int, rng: random.Random) -> list[tuple[int, int]]:
    """(comment id, parent id) for one post's comments: threads of varied depth, among them
    one reply chain deeper than the site shows, listed partly out of order (replies before
    their parents), as exports merged from several sources are."""
    rows: list[tuple[int, int]] = []
    chain = min(count, 20)
    for i in range(count):
        comment_id = first_id + i
        if i < chain:
            parent = comment_id - 1 if i else 0  # the deep chain
        elif rng.random() < 0.35 or not rows:
            parent = 0
        else:
            parent = rng.choice(rows[-30:])[0]
        rows.append((comment_id, parent))
    cut = len(rows) // 3
    return rows[cut:] + rows[:cut]


def comment_xml(comment_id: int, parent: int, rng: random.Random) -> str:
    day = 1 + comment_id % 28
    return f"""<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>
<wp:comment_author><![CDATA[Reader {comment_id % 700}]]></wp:comment_author>
<wp:comment_author_email>reader{comment_id % 700}@example.org</wp:comment_author_email>
<wp:comment_author_url></wp:comment_author_url>
<wp:comment_author_IP>203.0.113.{comment_id % 250}</wp:comment_author_IP>
<wp:comment_date>2021-03-{day:02d} 12:{comment_id % 60:02d}:00</wp:comment_date>
<wp:comment_date_gmt>2021-03-{day:02d} 10:{comment_id % 60:02d}:00</wp:comment_date_gmt>
<wp:comment_content><![CDATA[{COMMENT_WORDS} ({comment_id})]]></wp:comment_content>
<wp:comment_approved>{rng.choice(APPROVALS)}</wp:comment_approved>
<wp:comment_type>comment</wp:comment_type><wp:comment_parent>{parent}</wp:comment_parent>
<wp:comment_user_id>0</wp:comment_user_id></wp:comment>
"""


def post_xml(post_id: int, comments: str, rng: random.Random) -> str:
    warning = rng.choice(WARNING_LINES)
    body = (warning + "\n\n" if warning else "") + (
        "A paragraph of the essay, long enough to be a paragraph of an essay.\n\n" * 12
    )
    return f"""<item><title>{escape(f"Bench essay {post_id}")}</title>
<link>https://bench.example.org/?p={post_id}</link>
<dc:creator><![CDATA[writer]]></dc:creator>
<content:encoded><![CDATA[{body}]]></content:encoded>
<excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>{post_id}</wp:post_id>
<wp:post_date>2021-02-01 12:00:00</wp:post_date>
<wp:post_date_gmt>2021-02-01 10:00:00</wp:post_date_gmt>
<wp:comment_status>open</wp:comment_status><wp:post_name>bench-essay-{post_id}</wp:post_name>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<wp:post_password></wp:post_password>
<category domain="category" nicename="essays"><![CDATA[Essays]]></category>
<category domain="post_tag" nicename="recovery"><![CDATA[Recovery]]></category>
{comments}</item>
"""


def write_export(path: Path, *, posts: int = 100, comments: int = 10_000, seed: int = 16) -> Path:
    """A WXR 1.2 file of `posts` posts holding `comments` comments in all, written item by
    item."""
    rng = random.Random(seed)
    next_id = 1
    with path.open("w", encoding="utf-8") as out:
        out.write(HEAD)
        for post, count in enumerate(comment_counts(posts, comments, rng), start=1):
            rows = thread(next_id, count, rng)
            next_id += count
            out.write(post_xml(post, "".join(comment_xml(c, p, rng) for c, p in rows), rng))
        out.write(TAIL)
    return path


def _peak_rss_mb() -> float:
    """This process's peak resident memory so far.

    From /proc's VmHWM where there is one: getrusage's ru_maxrss survives exec on Linux,
    so in a child it would start at the benchmark parent's size.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(export: str) -> None:
    import django

    django.setup()
    from wordpress.importer import import_wordpress

    before = _peak_rss_mb()
    start = time.perf_counter()
    report = import_wordpress(Path(export))
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_rss_mb": _peak_rss_mb(),
                "rss_before_mb": before,
                "essays": len(report.essays_created),
                "comments": report.comments_imported,
                "database": os.environ.get("DATABASE_URL", "").split(":", 1)[0],
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
