"""The team's dashboard: the last 30 days of comments, decisions and reports, on one page.

Every figure is one aggregate query (two for the median), so the page costs the same with
ten comments or a million. The chart is an SVG drawn by the template from the bars built
here, with its numbers in a table beside it: readable with no JavaScript and by a screen
reader.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q
from django.db.models.functions import TruncDate
from django.shortcuts import render
from django.utils import timezone

from comments.models import Comment
from moderation.models import Decision, Report
from moderation.queue import MODERATE

Step, Outcome, Status = Decision.Step, Decision.Outcome, Comment.Status
WINDOW_DAYS = 30
TOP_ESSAYS = 10
# A comment's first final decision: a moderator's action, or screening publishing it or
# calling it spam. Screening holding it for a person is not one: the person's action is.
FINAL = Q(decisions__step=Step.MODERATOR) | Q(
    decisions__step=Step.POLICY, decisions__outcome__in=[Outcome.APPROVE, Outcome.SPAM]
)

# The chart, in SVG user units: a bar and its gap per day, below a band for the labels.
BAR, GAP, PLOT_HEIGHT, TOP, LEFT, BOTTOM = 10, 2, 120, 12, 30, 18


@dataclass(frozen=True)
class Day:
    day: date
    total: int = 0
    approved: int = 0
    pending: int = 0
    spam: int = 0
    removed: int = 0


@dataclass(frozen=True)
class Bar:
    day: Day
    x: int
    y: int
    height: int


def window_start(today: date) -> datetime:
    """Midnight, local time, at the start of the first of the window's days."""
    first = today - timedelta(days=WINDOW_DAYS - 1)
    return timezone.make_aware(datetime.combine(first, time.min))


def comments_per_day(start: datetime, today: date) -> list[Day]:
    """Comments posted on each day of the window, by their status now (one query)."""
    rows = (
        Comment.objects.filter(created_at__gte=start)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(
            total=Count("id"),
            **{s: Count("id", filter=Q(status=s)) for s in Status.values},
        )
        .order_by("day")
    )
    found = {row["day"]: Day(**row) for row in rows}
    days = [today - timedelta(days=n) for n in reversed(range(WINDOW_DAYS))]
    return [found.get(d, Day(day=d)) for d in days]


def median_time_to_decision(start: datetime) -> tuple[timedelta | None, int]:
    """The median time from posting to the first final decision, over the comments posted
    since `start` that have one, and how many those are.

    Two queries, whatever the number of comments: a count, then the one or two middle
    durations, sorted by the database. Imported comments are left out: they were decided
    on the site they came from.
    """
    decided = (
        Comment.objects.filter(created_at__gte=start)
        .exclude(decisions__step=Step.IMPORTED)
        .annotate(decided_at=Min("decisions__created_at", filter=FINAL))
        .filter(decided_at__isnull=False)
    )
    count = decided.count()
    if not count:
        return None, 0
    waited = ExpressionWrapper(F("decided_at") - F("created_at"), output_field=DurationField())
    middle = list(
        decided.annotate(waited=waited)
        .order_by("waited", "id")
        .values_list("waited", flat=True)[(count - 1) // 2 : count // 2 + 1]
    )
    return sum(middle, timedelta()) / len(middle), count


def oldest_waiting() -> tuple[Comment | None, int]:
    """The pending comment that has waited longest, whenever it came, and how many wait."""
    pending = Comment.objects.filter(status=Status.PENDING)
    oldest = pending.select_related("essay").order_by("created_at", "id").first()
    return oldest, (pending.count() if oldest else 0)


def reports_per_essay(start: datetime) -> list[dict]:
    """The essays whose comments readers reported most since `start` (one query)."""
    return list(
        Report.objects.filter(created_at__gte=start)
        .values(
            essay_id=F("comment__essay_id"),
            title=F("comment__essay__title"),
            slug=F("comment__essay__slug"),
        )  # fmt: skip
        .annotate(
            reports=Count("id"),
            open=Count("id", filter=Q(state=Report.State.OPEN)),
            comments=Count("comment", distinct=True),
        )
        .order_by("-reports", "title", "essay_id")[:TOP_ESSAYS]
    )


def bars(days: list[Day]) -> tuple[list[Bar], int]:
    """One bar per day, scaled so the busiest day fills the plot; and that day's count."""
    most = max((d.total for d in days), default=0)
    made = []
    for n, day in enumerate(days):
        height = round(day.total * PLOT_HEIGHT / most) if most else 0
        made.append(Bar(day, LEFT + n * (BAR + GAP), TOP + PLOT_HEIGHT - height, height))
    return made, most


def duration_text(value: timedelta) -> str:
    """A short duration a person reads at a glance: "40 s", "12 min", "3 h 5 min", "2 days 4 h"."""
    seconds = int(value.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes, hours, days = seconds // 60 % 60, seconds // 3600 % 24, seconds // 86400
    if seconds < 3600:
        return f"{minutes} min"
    if days == 0:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    whole = f"{days} day{'s' if days != 1 else ''}"
    return f"{whole} {hours} h" if hours else whole


@login_required
@permission_required(MODERATE, raise_exception=True)
def dashboard(request):
    today = timezone.localdate()
    start = window_start(today)
    days = comments_per_day(start, today)
    chart, most = bars(days)
    median, decided = median_time_to_decision(start)
    oldest, waiting = oldest_waiting()
    busiest = max(days, key=lambda d: d.total) if most else None
    context = {
        "window_days": WINDOW_DAYS,
        "first_day": days[0].day,
        "last_day": days[-1].day,
        "days": days,
        "total": sum(d.total for d in days),
        "busiest": busiest,
        "chart": chart,
        "bar_width": BAR,
        "most": most,
        "chart_width": LEFT + len(days) * (BAR + GAP),
        "chart_height": TOP + PLOT_HEIGHT + BOTTOM,
        "plot_top": TOP,
        "plot_bottom": TOP + PLOT_HEIGHT,
        "plot_left": LEFT,
        "label_y": TOP + PLOT_HEIGHT + BOTTOM - 4,
        "median": median,
        "median_text": duration_text(median) if median is not None else "",
        "median_seconds": int(median.total_seconds()) if median is not None else 0,
        "decided": decided,
        "oldest": oldest,
        "oldest_waited": duration_text(timezone.now() - oldest.created_at) if oldest else "",
        "waiting": waiting,
        "reports": reports_per_essay(start),
        "top_essays": TOP_ESSAYS,
    }
    return render(request, "moderation/dashboard.html", context)
