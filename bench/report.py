"""The one table of `make bench`: each row a figure, its ratio, the target and whether the
run met it."""

import operator

MET = {">=": operator.ge, "<=": operator.le, "<": operator.lt}


def _row(case, result, ratio="", target=None, value=None):
    """target is (operator, limit, label); `value` is what is compared with the limit."""
    if target is None:
        return (case, result, ratio, "", "")
    op, limit, label = target
    return (case, result, ratio, label, "yes" if MET[op](value, limit) else "NO")


def rows(r: dict) -> list[tuple[str, ...]]:
    def rps(name, label, target=None, reference="floor"):
        x = r[name]
        return _row(
            label, f"{x['rps']:,.0f} req/s", f"{x['ratio']:.2f} of {reference}", target, x["ratio"]
        )

    front = r["nginx_essay_200"]["front"]
    out = [
        _row(
            "Floor: constant view, full middleware (gunicorn)",
            f"{r['floor']['rps']:,.0f} req/s",
            "1.00 (floor)",
        ),
        rps("floor_134k", "Floor with a 134 KB body"),
        _row(
            "nginx: the essay page's bytes as a static file",
            f"{r['nginx_static_200']['rps']:,.0f} req/s",
            "1.00 (static)",
        ),
        rps(
            "nginx_essay_200",
            f"nginx: essay, 200 comments, anonymous ({front['x_cache_status'] or 'no cache'})",
            (">=", 0.5, ">= 0.50"),
            "static",
        ),
        rps("essay_200_warm", "gunicorn: essay, 200 comments, warm", (">=", 0.3, ">= 0.30")),
        rps("home", "gunicorn: home page, warm"),
        rps("essay_1000_warm", "gunicorn: essay, 1,000 comments, warm"),
        rps("essay_200_cold", "gunicorn: essay, 200 comments, cold (no cache)"),
    ]
    for n in (100, 1000, 10_000):
        x = r[f"render_{n}"]
        out.append(
            _row(
                f"Cold render, {n:,} comments on one page",
                f"{x['ms']:.1f} ms",
                f"{x['queries']} queries; paged {x['paged_ms']:.1f} ms",
            )
        )
    xtd, ours = r["xtd_render_1000"]["ms"], r["render_1000"]["ms"]
    out.append(
        _row(
            "django-comments-xtd 2.10, same 1,000 tree",
            f"{xtd:.1f} ms",
            f"ours / xtd = {ours / xtd:.2f}",
            ("<=", 0.25, "<= 0.25"),
            ours / xtd,
        )
    )
    x = r["post_immediate"]
    out.append(
        _row(
            "Comment POST, Akismet 300 ms, in the request",
            f"p50 {x['p50_ms']:.0f} ms",
            f"p99 {x['p99_ms']:.0f} ms",
        )
    )
    x = r["post_database"]
    out.append(
        _row(
            "Comment POST, Akismet 300 ms, database backend",
            f"p50 {x['p50_ms']:.0f} ms",
            f"p99 {x['p99_ms']:.0f} ms",
            ("<", 50, "p50 < 50 ms"),
            x["p50_ms"],
        )
    )
    if "post_database_notify" in r:
        plain, notify = r["post_database_plain"], r["post_database_notify"]
        out.append(
            _row(
                'Comment POST, database backend, "Email me" ticked',
                f"p50 {notify['p50_ms']:.0f} ms",
                f"without: p50 {plain['p50_ms']:.0f} ms",
                ("<=", 1.2, "<= 1.2x without"),
                notify["p50_ms"] / plain["p50_ms"],
            )
        )
    if "mailing" in r:
        m = r["mailing"]
        out.append(
            _row(
                f"New essay to {m['subscribers']:,} subscribers, SMTP",
                f"{m['seconds']:.1f} s",
                f"{m['sent']:,} sent, {m['batches']} batches of {m['batch_size']}",
                ("<", 120, "< 120 s"),
                m["seconds"],
            )
        )
        out.append(
            _row(
                "  queries per batch (first to last)",
                f"{m['queries_min']} to {m['queries_max']}",
                "constant",
                ("<=", 0, "max - min = 0"),
                m["queries_max"] - m["queries_min"],
            )
        )
    big = r["queue_big"]
    small, large = r["queue_100"], r[f"queue_{big}"]
    growth = large["p50_ms"] / small["p50_ms"]
    out.append(
        _row(
            "Moderation queue, 100 pending",
            f"p50 {small['p50_ms']:.1f} ms",
            f"{small['rps']:,.0f} req/s",
        )
    )
    out.append(
        _row(
            f"Moderation queue, {big:,} pending",
            f"p50 {large['p50_ms']:.1f} ms",
            f"{growth:.2f}x of 100",
            ("<=", 1.5, "<= 1.5x"),
            growth,
        )
    )
    small, large = r["bigdb_10k"]["ms"], r["bigdb_1m"]["ms"]
    out.append(_row("Essay page (1,000 comments), 10,000 in DB", f"{small:.1f} ms"))
    out.append(
        _row(
            f"Essay page (1,000 comments), {r['bigdb_1m']['total']:,} in DB",
            f"{large:.1f} ms",
            f"{large / small:.2f}x of 10,000",
            ("<=", 1.5, "<= 1.5x"),
            large / small,
        )
    )
    if "discovery" in r:
        found = r["discovery"]
        n = found["essays"]
        small, large = found["topic_100"]["p50_ms"], found["topic_big"]["p50_ms"]
        out.append(_row("Topic page, 100 essays (reader hiding a warning)", f"p50 {small:.1f} ms",
                        f"p99 {found['topic_100']['p99_ms']:.1f} ms"))  # fmt: skip
        out.append(
            _row(
                f"Topic page, {n:,} essays (reader hiding a warning)",
                f"p50 {large:.1f} ms",
                f"{large / small:.2f}x of 100",
                ("<=", 1.5, "<= 1.5x"),
                large / small,
            )
        )
        search = found["search"]
        out.append(
            _row(
                f"Search among {n:,} essays (PostgreSQL full text)",
                f"p50 {search['p50_ms']:.1f} ms",
                f"p99 {search['p99_ms']:.1f} ms",
                ("<", 50, "p50 < 50 ms"),
                search["p50_ms"],
            )
        )
    if "wordpress_import" in r:
        out.extend(wordpress_rows(r["wordpress_import"]))
    layers = r["cache_layers"]
    out.append(_row("In-process: floor view", f"{layers['floor_us']:.0f} µs"))
    for name, label in (("home", "home page"), ("essay_200", "essay, 200 comments")):
        x = layers[name]
        warm = x["warm_us"]
        out.append(
            _row(
                f"In-process: {label}, warm",
                f"{warm:.0f} µs",
                f"{x['redis_commands']} Redis commands",
            )
        )
        for key, what in (
            ("no_page_entry_us", "without its page entry"),
            ("no_entries_us", "without any cache entry but versions"),
            ("not_modified_us", "If-None-Match, 304"),
        ):
            if x[key] is not None:
                out.append(
                    _row(
                        f"In-process: {label}, {what}",
                        f"{x[key]:.0f} µs",
                        f"{x[key] / warm:.2f} of warm",
                    )
                )
    return out


def wordpress_rows(x: dict) -> list[tuple[str, ...]]:
    """The WordPress import on each database: seconds, and the process's peak memory."""
    out = []
    for key, name in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        run = x[key]
        out.append(
            _row(
                f"WordPress import, {x['posts']:,} posts, {x['comments']:,} comments ({name})",
                f"{run['seconds']:.1f} s",
                f"peak RSS {run['peak_rss_mb']:.0f} MB ({run['rss_before_mb']:.0f} MB before; "
                f"file {x['file_mb']:.1f} MB)",
                ("<", 30, "< 30 s"),
                run["seconds"],
            )
        )
    return out


def table(r: dict) -> str:
    """The rows as a Markdown table (it reads as plain text too)."""
    body = rows(r)
    header = ("Case", "Result", "Ratio / detail", "Target", "Met")
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]

    def line(cells):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, body)])
