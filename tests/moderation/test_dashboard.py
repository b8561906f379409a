import re
from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments.models import Comment
from moderation.dashboard import PLOT_HEIGHT, WINDOW_DAYS, duration_text
from moderation.models import Decision, Report
from tests.factories import make_comment, make_essay, make_user

pytestmark = pytest.mark.django_db

DASHBOARD = "/moderation/dashboard/"
Step, Outcome = Decision.Step, Decision.Outcome
BAR = re.compile(r'<rect class="chart-bar" x="(\d+)" y="(\d+)" width="\d+" height="(\d+)">')


@pytest.fixture
def moderator():
    return make_user("mod", is_staff=True, groups=[Group.objects.get(name="Moderators")])


def noon(days_ago: int) -> datetime:
    """Midday, local time, `days_ago` days before today: far from any day's edges."""
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(12)))


def posted(essay, at: datetime, *, status="approved", **fields) -> Comment:
    comment = make_comment(essay, status=status, **fields)
    Comment.objects.filter(pk=comment.pk).update(created_at=at)
    comment.created_at = at
    return comment


def decided(comment, step, outcome, after: timedelta, *, reason="") -> Decision:
    made = Decision.objects.create(comment=comment, step=step, outcome=outcome, reason=reason)
    Decision.objects.filter(pk=made.pk).update(created_at=comment.created_at + after)
    return made


def reported(comment, at: datetime, *, state=Report.State.OPEN, reporter="") -> Report:
    n = Report.objects.count()
    report = Report.objects.create(
        comment=comment, reason="harassment", reporter=reporter or f"r{n}", state=state
    )
    Report.objects.filter(pk=report.pk).update(created_at=at)
    return report


@pytest.fixture
def site():
    """A month of a small site, with the figures each part of the page should show."""
    calm, stormy = make_essay("A calm essay"), make_essay("A stormy essay")
    quick = posted(calm, noon(2))
    decided(quick, Step.POLICY, Outcome.APPROVE, timedelta(seconds=30))
    held = posted(stormy, noon(2))
    decided(held, Step.POLICY, Outcome.HOLD, timedelta(seconds=10))
    decided(held, Step.MODERATOR, Outcome.APPROVE, timedelta(hours=2))
    corrected = posted(stormy, noon(5))
    decided(corrected, Step.POLICY, Outcome.SPAM, timedelta(minutes=10))
    decided(corrected, Step.MODERATOR, Outcome.APPROVE, timedelta(days=1))  # not the first
    waiting = posted(calm, noon(1), status="pending", author_name="Recent")
    decided(waiting, Step.POLICY, Outcome.HOLD, timedelta(seconds=5))
    posted(calm, noon(10), status="pending", author_name="Older")
    # Before the window, still waiting: the oldest waiting comment, though not in the chart.
    oldest = posted(stormy, noon(40), status="pending", author_name="Forgotten")
    imported = posted(calm, noon(3), status="removed")
    decided(imported, Step.IMPORTED, Outcome.APPROVE, timedelta(days=2))
    decided(imported, Step.MODERATOR, Outcome.REMOVE, timedelta(days=2, hours=1))

    reported(held, noon(1))
    reported(held, noon(1))
    reported(corrected, noon(4), state=Report.State.DISMISSED)
    reported(quick, noon(2))
    reported(quick, noon(35))  # before the window
    return {"calm": calm, "stormy": stormy, "oldest": oldest}


def page(client, user) -> str:
    client.force_login(user)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_and_users_without_the_moderation_permission_are_refused(client):
    client.force_login(make_user("ed", is_staff=True, groups=[Group.objects.get(name="Editors")]))
    assert client.get(DASHBOARD).status_code == 403
    client.force_login(make_user("plain"))
    assert client.get(DASHBOARD).status_code == 403


def test_the_chart_has_one_bar_a_day_scaled_to_the_busiest(client, moderator, site):
    html = page(client, moderator)
    bars = BAR.findall(html)
    assert len(bars) == WINDOW_DAYS
    heights = [int(h) for _, _, h in bars]
    # Oldest day first: 2 comments two days ago (the busiest), 1 on the days in between.
    assert heights[-3] == PLOT_HEIGHT
    assert heights[-2] == heights[-4] == heights[-6] == heights[-11] == PLOT_HEIGHT // 2
    assert sum(1 for h in heights if h) == 5
    assert '<svg class="chart-svg"' in html and 'role="img"' in html
    assert '<title id="chart-title">Comments posted per day' in html
    assert "6 comments in all; the busiest day was" in html
    assert "<script" not in html  # drawn by the server: nothing to run


def test_the_table_gives_each_days_numbers_by_status(client, moderator, site):
    html = page(client, moderator)
    rows = re.findall(r'<tr><th scope="row"><time datetime="([\d-]+)"', html)
    assert len(rows) == WINDOW_DAYS
    two_days_ago = (timezone.localdate() - timedelta(days=2)).isoformat()
    row = re.search(rf'datetime="{two_days_ago}"[^>]*>[^<]+</time></th>((?:<td>\d+</td>)+)', html)
    assert re.findall(r"<td>(\d+)</td>", row[1]) == ["2", "2", "0", "0", "0"]


def test_the_median_counts_each_comments_first_final_decision(client, moderator, site):
    html = page(client, moderator)
    # 30 s, 10 min and 2 h: the imported comment and the waiting ones are left out.
    assert '<time datetime="PT600S">10 min</time>' in html
    assert "Half of the 3 comments posted in these days" in html
    assert "first final decision" in html


def test_the_median_of_an_even_number_is_halfway_between_the_middle_two(client, moderator):
    essay = make_essay()
    for minutes in (1, 3, 20, 40):
        comment = posted(essay, noon(1))
        decided(comment, Step.MODERATOR, Outcome.APPROVE, timedelta(minutes=minutes))
    assert '<time datetime="PT690S">11 min</time>' in page(client, moderator)


def test_the_oldest_waiting_comment_links_to_the_queue(client, moderator, site):
    html = page(client, moderator)
    oldest = site["oldest"]
    assert f'href="/moderation/?status=pending#queue-{oldest.pk}"' in html
    assert "3 comments wait for a moderator" in html
    assert "by <strong>Forgotten</strong> on <cite>A stormy essay</cite>" in html
    assert re.search(r"has waited (39|40) days", html)  # 40 days ago at noon


def test_reports_per_essay_are_counted_in_the_window_most_first(client, moderator, site):
    html = page(client, moderator)
    table = html[html.index('id="dash-reports-caption"') :]
    rows = re.findall(r'<tr><th scope="row"><a href="([^"]+)">([^<]+)</a></th>(.*?)</tr>', table)
    assert [title for _, title, _ in rows] == ["A stormy essay", "A calm essay"]
    assert rows[0][0] == site["stormy"].get_absolute_url()
    counts = [re.sub(r"<span.*?</span>|<[^>]+>", " ", cells).split() for _, _, cells in rows]
    assert counts == [["3", "2", "2"], ["1", "1", "1"]]  # reports, still open, comments
    assert f"/moderation/?status=reported&amp;essay={site['stormy'].pk}" in html


def test_an_empty_site_renders_every_part(client, moderator):
    html = page(client, moderator)
    assert len(BAR.findall(html)) == WINDOW_DAYS
    assert all(h == "0" for _, _, h in BAR.findall(html))
    assert "No comments were posted in these days." in html
    assert "No comment posted in these days has been decided yet." in html
    assert "Nothing is waiting for a moderator." in html
    assert "No reports in these days." in html


def many(n: int) -> None:
    """n comments over the window, each screened, some decided, some reported."""
    essays = [make_essay() for _ in range(3)]
    decisions, reports = [], []
    for i in range(n):
        at = noon(i % WINDOW_DAYS)
        status = ["approved", "pending", "spam", "removed"][i % 4]
        comment = posted(essays[i % 3], at, status=status)
        outcome = Outcome.HOLD if status == "pending" else Outcome.APPROVE
        decisions.append(Decision(comment=comment, step=Step.POLICY, outcome=outcome))
        if i % 5 == 0:
            reports.append(Report(comment=comment, reason="spam", reporter=f"r{i}"))
    Decision.objects.bulk_create(decisions)
    Report.objects.bulk_create(reports)


def test_the_page_costs_the_same_queries_for_5_or_200_comments(
    client, moderator, django_assert_num_queries
):
    many(5)
    client.force_login(moderator)
    with CaptureQueriesContext(connection) as small:
        assert client.get(DASHBOARD).status_code == 200
    Comment.objects.all().delete()
    many(200)
    # The session, the user and their permissions, then the five figures' six queries.
    with django_assert_num_queries(len(small)):
        html = client.get(DASHBOARD).content.decode()
    assert len(small) <= 10
    assert "200 comments in all" in html


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(12, "12 s"), (600, "10 min"), (7200, "2 h"), (7500, "2 h 5 min"), (86400, "1 day"),
     (3 * 86400 + 4 * 3600 + 60, "3 days 4 h")],
)  # fmt: skip
def test_durations_read_at_a_glance(seconds, text):
    assert duration_text(timedelta(seconds=seconds)) == text
