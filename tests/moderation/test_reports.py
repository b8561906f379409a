"""Readers report harmful comments; moderators see reports first and act on them."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments.models import Comment
from moderation.counts import forget_tab_counts
from moderation.models import Decision, Report
from moderation.privacy import purge_personal_data
from moderation.reports import (
    ALREADY,
    NOT_PUBLIC,
    THANKS,
    THANKS_GONE,
    THANKS_HIDDEN,
    TOO_QUICK,
)
from moderation.services import AlreadyActed, moderate
from tests.factories import make_comment, make_essay, make_user

pytestmark = pytest.mark.django_db

QUEUE = "/moderation/"
ACT = "/moderation/act/"
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def essay():
    return make_essay("An essay that strikes a nerve")


@pytest.fixture
def comment(essay):
    return make_comment(essay, author_name="Harsh", body="A cruel thing to say to someone.")


@pytest.fixture
def moderator():
    return make_user("mod", is_staff=True, groups=[Group.objects.get(name="Moderators")])


def url(comment_or_id) -> str:
    return f"/comments/{getattr(comment_or_id, 'pk', comment_or_id)}/report/"


def report(comment, *, ip="198.51.100.1", client=None, json=False, **data):
    """POST a report from a fresh browser (or `client`) at address `ip`."""
    client = client or Client()
    data = {"reason": "harassment", "note": ""} | data
    extra = JSON if json else {}
    return client.post(url(comment), data, REMOTE_ADDR=ip, **extra)


# -- readers, without JavaScript ------------------------------------------------------------


def test_every_published_comment_links_to_its_report_page(client, essay, comment):
    pending = make_comment(essay, status="pending", body="Not yet public.")
    html = client.get(essay.get_absolute_url()).content.decode()
    assert f'href="{url(comment)}"' in html
    assert 'aria-label="Report the comment by Harsh"' in html
    assert url(pending) not in html


def test_the_report_page_offers_the_reasons_a_note_and_hiding(client, comment):
    response = client.get(url(comment))
    html = response.content.decode()
    assert response.status_code == 200
    for label in [
        "Harassment or abuse", "Hateful content",
        "Reveals someone\u2019s identity or private details", "Spam",
        "Graphic content without a warning", "Other",
    ]:  # fmt: skip
        assert label in html
    assert 'name="note"' in html and 'maxlength="500"' in html
    assert "A cruel thing to say to someone." in html
    assert f'action="/comments/{comment.pk}/hide/"' in html


def test_reporting_without_javascript_thanks_the_reader_and_records_it(comment):
    client = Client()
    response = report(comment, client=client, reason="hate", note="Attacks a group of people.")
    assert response.status_code == 302
    assert response["Location"] == url(comment) + "?sent=1"
    page = client.get(response["Location"]).content.decode()
    assert THANKS in page
    saved = Report.objects.get(comment=comment)
    assert (saved.reason, saved.note, saved.state) == ("hate", "Attacks a group of people.", "open")
    assert saved.ip_address == "198.51.100.1"
    decision = Decision.objects.get(comment=comment, step=Decision.Step.REPORT)
    assert decision.outcome == Decision.Outcome.REPORTED
    assert decision.reason == "Hateful content: \u201cAttacks a group of people.\u201d"
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED  # one report does not hide it


def test_a_report_without_a_reason_keeps_the_note_and_says_what_is_missing(comment):
    response = report(comment, reason="", note="Please look at this one.")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Please choose what is wrong with this comment." in html
    assert "Please look at this one.</textarea>" in html
    assert not Report.objects.exists()


def test_an_overlong_note_or_a_made_up_reason_is_refused_clearly(comment):
    html = report(comment, note="n" * 501).content.decode()
    assert "Please keep your note to 500 characters or fewer (it has 501)." in html
    html = report(comment, reason="boring").content.decode()
    assert "Please choose one of the reasons listed." in html
    assert not Report.objects.exists()


def test_nobody_else_learns_who_reported(comment, essay, moderator):
    report(comment, ip="198.51.100.77", note="Private worry.")
    page = Client().get(essay.get_absolute_url()).content.decode()
    assert "198.51.100.77" not in page and "Private worry." not in page
    client = Client()
    client.force_login(moderator)
    queue = client.get(QUEUE + "?status=reported").content.decode()
    assert "Private worry." in queue  # moderators read the note...
    assert "198.51.100.77" not in queue  # ...but never the reporter's address
    assert Report.objects.get().reporter not in queue


# -- with JavaScript (the dialog's requests) -------------------------------------------------


def test_the_dialog_gets_json_answers(comment):
    client = Client()
    bad = report(comment, client=client, json=True, reason="")
    assert bad.status_code == 400
    assert bad.json()["errors"]["reason"] == ["Please choose what is wrong with this comment."]
    good = report(comment, client=client, json=True)
    assert good.status_code == 200
    assert good.json() == {"ok": True, "done": True, "hidden": False, "message": THANKS}
    again = report(comment, client=client, json=True)
    assert again.status_code == 409 and again.json()["message"] == ALREADY
    assert Report.objects.count() == 1


# -- duplicates, forgeries, limits ------------------------------------------------------------


def test_one_report_per_browser(comment):
    client = Client()
    report(comment, client=client, ip="198.51.100.1")
    response = report(comment, client=client, ip="198.51.100.2")  # new address, same browser
    assert ALREADY in response.content.decode()
    assert Report.objects.count() == 1


def test_one_report_per_address_while_its_report_is_open_and_within_the_window(comment, moderator):
    report(comment, ip="198.51.100.1")
    response = report(comment, ip="198.51.100.1")  # a fresh browser, the same address
    assert ALREADY in response.content.decode()
    assert Report.objects.count() == 1
    Report.objects.update(created_at=timezone.now() - timedelta(hours=25))
    report(comment, ip="198.51.100.1")  # a day later, cookies cleared: still open, refused
    assert Report.objects.count() == 1
    moderate(comment=comment, action="keep", moderator=moderator)
    report(comment, ip="198.51.100.1")  # dealt with and past the window: a new report
    assert Report.objects.count() == 2


def test_an_ipv6_network_counts_as_one_address(comment):
    for host in ("1", "2", "3"):
        report(comment, ip=f"2001:db8:1:2::{host}")
    assert Report.objects.count() == 1
    assert Report.objects.get().ip_address == "2001:db8:1:2::"  # only the /64 is kept
    report(comment, ip="2001:db8:1:3::1")  # another network
    assert Report.objects.count() == 2


def test_reporters_count_no_more_than_their_addresses(comment, settings):
    settings.MODERATION_REPORT_IP_WINDOW_HOURS = 0
    from moderation.reports import open_reporters

    Report.objects.bulk_create(
        Report(comment=comment, reason="spam", reporter=f"browser-{i}", ip_address="198.51.100.9")
        for i in range(3)
    )  # three browsers behind one address (as if the address check had been passed)
    assert open_reporters(comment) == 1


def test_a_forged_browser_token_cannot_pose_as_another_reporter(comment, settings):
    client = Client()
    client.cookies[settings.MODERATION_REPORT_COOKIE] = "forged-value"
    report(comment, client=client, ip="198.51.100.1")
    client.cookies[settings.MODERATION_REPORT_COOKIE] = "forged-value"
    report(comment, client=client, ip="198.51.100.2")
    # The forged cookie was ignored both times: two random tokens, two reporters.
    assert Report.objects.values("reporter").distinct().count() == 2


def test_comments_of_unpublished_essays_cannot_be_reported():
    draft = make_essay("A draft", status="draft")
    hidden = make_comment(draft, body="Under a draft essay.")
    page = Client().get(url(hidden))
    html = page.content.decode()
    assert page.status_code == 404 and NOT_PUBLIC in html
    assert "Under a draft essay." not in html and draft.slug not in html
    assert report(hidden).status_code == 404
    assert not Report.objects.exists()


def test_the_report_page_quotes_the_comment_once_escaped_behind_its_warning(essay):
    warned = make_comment(essay, body="Tom & Jerry <3", content_warning="Self-harm")
    html = Client().get(url(warned)).content.decode()
    assert "Tom &amp; Jerry &lt;3" in html and "&amp;amp;" not in html
    assert "<summary>Content warning: Self-harm</summary>" in html


def test_line_breaks_count_once_towards_the_note_limit(comment):
    note = "\r\n".join(["x" * 49] * 10)  # 499 characters as the browser counts them
    assert report(comment, note=note).status_code == 302
    assert len(Report.objects.get().note) == 499


@pytest.mark.parametrize("status", ["pending", "spam", "removed"])
def test_a_comment_that_is_not_public_cannot_be_reported(essay, status):
    hidden = make_comment(essay, status=status)
    page = Client().get(url(hidden))
    assert page.status_code == 404 and NOT_PUBLIC in page.content.decode()
    assert hidden.body not in page.content.decode()
    posted = report(hidden)
    assert posted.status_code == 404 and NOT_PUBLIC in posted.content.decode()
    assert report(hidden, json=True).json() == {"ok": False, "message": NOT_PUBLIC}
    assert not Report.objects.exists()


@pytest.mark.parametrize("bad_id", ["999999", "0", "9223372036854775808", "-1", "abc"])
def test_forged_ids_get_a_clear_answer_never_a_500(bad_id):
    response = Client().post(f"/comments/{bad_id}/report/", {"reason": "spam"})
    assert response.status_code == 404
    if bad_id.isdigit() and int(bad_id) < 2**63:
        assert NOT_PUBLIC in response.content.decode()


def test_reports_share_the_flood_limit_with_comments(essay, settings):
    settings.MODERATION_RATE = 2
    comments = [make_comment(essay) for _ in range(3)]
    client = Client()
    assert report(comments[0], client=client).status_code == 302
    assert report(comments[1], client=client).status_code == 302
    refused = report(comments[2], client=client, note="Keep this text.")
    assert refused.status_code == 429
    assert TOO_QUICK in refused.content.decode()
    assert "Keep this text.</textarea>" in refused.content.decode()
    assert Report.objects.count() == 2


def test_a_report_from_another_site_is_refused(comment):
    client = Client(enforce_csrf_checks=True)
    cross = {"sec-fetch-site": "cross-site"}
    assert client.post(url(comment), {"reason": "spam"}, headers=cross).status_code == 403
    assert not Report.objects.exists()
    same = {"sec-fetch-site": "same-origin"}
    assert client.post(url(comment), {"reason": "spam"}, headers=same).status_code == 302
    assert Report.objects.count() == 1


# -- the threshold ---------------------------------------------------------------------------


def reporters(comment, n, first=1):
    for i in range(first, first + n):
        assert report(comment, ip=f"198.51.100.{i}").status_code == 302


def test_three_reporters_hide_a_comment_until_a_moderator_decides(
    comment, essay, settings, mailoutbox, moderator, django_capture_on_commit_callbacks
):
    settings.MODERATION_NOTIFY_HELD = True
    moderator.email = "mod@example.org"
    moderator.save()
    reader = Client()
    reporters(comment, 2)
    assert "A cruel thing" in reader.get(essay.get_absolute_url()).content.decode()
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = report(comment, client=client, ip="198.51.100.3", json=True)
    assert response.json() == {"ok": True, "done": True, "hidden": True, "message": THANKS_HIDDEN}
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    hold = Decision.objects.get(comment=comment, outcome=Decision.Outcome.HOLD)
    assert (hold.step, hold.reason) == (Decision.Step.REPORT, "hidden after 3 reports")
    assert "A cruel thing" not in reader.get(essay.get_absolute_url()).content.decode()
    assert len(mailoutbox) == 1 and "?status=reported" in mailoutbox[0].body
    assert "hidden after 3 reports" in mailoutbox[0].body
    # The no-JavaScript thanks page says so too, without quoting the hidden comment.
    other = Client()
    other.cookies.update(client.cookies)
    page = other.get(url(comment) + "?sent=1").content.decode()
    assert THANKS_HIDDEN in page and "A cruel thing" not in page


def test_an_edit_cannot_bring_a_reported_comment_back_without_a_moderator(
    essay, akismet_client, django_capture_on_commit_callbacks
):
    from comments.services import edit_own_comment

    akismet_client("Ham")
    make_comment(essay, author_name="Returning", author_email="r@example.org",
                 writer_key="a" * 64)  # trusted  # fmt: skip
    comment = make_comment(essay, author_name="Returning", author_email="r@example.org",
                           form_seconds=30.0, body="Something unkind.",
                           writer_key="a" * 64)  # fmt: skip
    reporters(comment, 3)
    with django_capture_on_commit_callbacks(execute=True):
        edit_own_comment(comment=comment, body="Something kinder now.", content_warning="")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    policy = Decision.objects.filter(comment=comment, step="policy").latest("id")
    assert "readers have reported it" in policy.reason


def test_the_thanks_page_says_what_happened_to_the_comment(comment, moderator):
    client = Client()
    report(comment, client=client)
    moderate(comment=comment, action="remove", moderator=moderator)
    page = client.get(url(comment) + "?sent=1").content.decode()
    assert THANKS_GONE in page and "A cruel thing" not in page


def test_a_threshold_of_zero_never_hides(comment, settings):
    settings.MODERATION_REPORT_HIDE_THRESHOLD = 0
    reporters(comment, 5)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert not Decision.objects.filter(outcome=Decision.Outcome.HOLD).exists()


# -- moderators ------------------------------------------------------------------------------


def queue(client, query="?status=reported"):
    return client.get(QUEUE + query).content.decode()


def test_the_reported_tab_orders_by_reports_then_age_with_reasons_and_notes(
    essay, moderator, client
):
    older = make_comment(essay, author_name="Older one")
    newer = make_comment(essay, author_name="Newer one")
    most = make_comment(essay, author_name="Most reported")
    report(older, ip="198.51.100.1", reason="spam")
    report(newer, ip="198.51.100.2", reason="graphic", note="No warning on this.")
    report(most, ip="198.51.100.3", reason="harassment", note="Goes after the writer.")
    report(most, ip="198.51.100.4", reason="harassment")
    client.force_login(moderator)
    html = queue(client)
    positions = [html.index(f'id="queue-{c.pk}"') for c in (most, older, newer)]
    assert positions == sorted(positions)
    assert "2 reports" in html and "Harassment or abuse: <strong>2</strong>" in html
    assert "Graphic content without a warning: <strong>1</strong>" in html
    assert "<q>Goes after the writer.</q>" in html and "<q>No warning on this.</q>" in html
    assert re.search(r'aria-current="page">Reported <span class="count">3</span>', html)


def test_the_landing_page_shows_reported_comments_first_only_when_there_are_some(
    comment, moderator, client
):
    client.force_login(moderator)
    assert "<title>Moderation: Pending" in queue(client, "")
    report(comment)
    assert "<title>Moderation: Reported" in queue(client, "")


def test_keep_dismisses_the_reports_and_publishes_a_hidden_comment_again(
    comment, essay, moderator, client
):
    reporters(comment, 3)
    client.force_login(moderator)
    response = client.post(ACT, {"do": f"keep:{comment.pk}", "seen_status": "reported"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert set(Report.objects.values_list("state", flat=True)) == {"dismissed"}
    kept = Decision.objects.get(comment=comment, outcome=Decision.Outcome.KEEP)
    assert kept.actor == moderator and "(3 reports dismissed)" in kept.reason
    assert "A cruel thing" in Client().get(essay.get_absolute_url()).content.decode()
    assert f'id="queue-{comment.pk}"' not in queue(client)


def test_kept_comments_count_reports_anew_from_zero(comment, moderator):
    reporters(comment, 2)
    moderate(comment=comment, action="keep", moderator=moderator)
    reporters(comment, 2, first=10)  # two new reporters: still under the threshold of 3
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    reporters(comment, 1, first=20)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert Decision.objects.get(outcome=Decision.Outcome.HOLD).reason == "hidden after 3 reports"


def test_keep_leaves_reports_that_came_in_after_the_page_was_loaded(comment, moderator, client):
    report(comment, ip="198.51.100.1")
    report(comment, ip="198.51.100.2")
    client.force_login(moderator)
    html = queue(client)
    seen = int(re.search(rf'name="reports_seen_{comment.pk}" value="(\d+)"', html).group(1))
    report(comment, ip="198.51.100.3", note="Arrived while the moderator was reading.")
    client.post(ACT, {"do": f"keep:{comment.pk}", "seen_status": "reported",
                      f"reports_seen_{comment.pk}": seen})  # fmt: skip
    states = dict(Report.objects.values_list("ip_address", "state"))
    assert list(Report.objects.order_by("id").values_list("state", flat=True)) == [
        "dismissed", "dismissed", "open",
    ]  # fmt: skip
    assert states["198.51.100.3"] == "open"
    html = queue(client)
    assert f'id="queue-{comment.pk}"' in html and "1 report" in html


def test_dismissed_reports_do_not_raise_the_comment_again(comment, moderator, client):
    report(comment)
    moderate(comment=comment, action="keep", moderator=moderator)
    client.force_login(moderator)
    assert f'id="queue-{comment.pk}"' not in queue(client)
    report(comment, ip="198.51.100.99")
    assert f'id="queue-{comment.pk}"' in queue(client)


def test_remove_upholds_the_reports(comment, essay, moderator, client):
    reporters(comment, 2)
    client.force_login(moderator)
    client.post(ACT, {"do": f"remove:{comment.pk}", "seen_status": "reported"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED
    assert set(Report.objects.values_list("state", flat=True)) == {"upheld"}
    removed = Decision.objects.get(comment=comment, outcome=Decision.Outcome.REMOVE)
    assert "(2 reports upheld)" in removed.reason
    assert "A cruel thing" not in Client().get(essay.get_absolute_url()).content.decode()


def test_a_second_moderator_is_told_the_reports_were_already_dealt_with(comment, moderator):
    other = make_user("mod2", groups=[Group.objects.get(name="Moderators")])
    report(comment)
    moderate(comment=comment, action="keep", moderator=moderator)
    with pytest.raises(AlreadyActed, match=r"Already kept by mod at"):
        moderate(comment=comment, action="keep", moderator=other)
    with pytest.raises(AlreadyActed, match=r"Already kept by mod at"):
        moderate(comment=comment, action="remove", moderator=other, on_reports=True)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


def test_only_moderators_see_reports_or_act_on_them(comment, client):
    report(comment)
    assert client.get(QUEUE + "?status=reported").status_code == 302  # to the login page
    client.force_login(make_user("plain"))
    assert client.get(QUEUE + "?status=reported").status_code == 403
    editor = make_user("ed", is_staff=True, groups=[Group.objects.get(name="Editors")])
    client.force_login(editor)
    assert client.post(ACT, {"do": f"keep:{comment.pk}"}).status_code == 403
    assert Report.objects.get().state == "open"


def make_reported(essay, n):
    comments = [make_comment(essay) for _ in range(n)]
    Report.objects.bulk_create(
        Report(comment=c, reason=reason, note=f"note {i}", reporter=f"r{i}-{reason}")
        for i, c in enumerate(comments)
        for reason in ("spam", "hate")
    )
    return comments


def test_the_reported_tab_makes_the_same_queries_for_1_and_500_comments(essay, moderator, client):
    client.force_login(moderator)
    make_reported(essay, 1)
    queue(client)  # the session and the tab counts are warm from here on
    with CaptureQueriesContext(connection) as one:
        assert "2 reports" in queue(client)
    make_reported(essay, 499)
    forget_tab_counts()
    queue(client)
    with CaptureQueriesContext(connection) as many:
        html = queue(client)
    assert html.count("data-queue-item") == 25
    assert len(many) == len(one) <= 14  # with notes, bans and edit history of the rows


def test_report_addresses_are_purged_with_other_personal_data(comment, settings):
    report(comment, ip="198.51.100.1")
    report(comment, ip="198.51.100.2")
    Report.objects.filter(ip_address="198.51.100.1").update(
        created_at=timezone.now() - timedelta(days=settings.PRIVACY_RETENTION_DAYS + 1)
    )
    purge_personal_data()
    assert set(Report.objects.values_list("ip_address", flat=True)) == {None, "198.51.100.2"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_reports_arriving_together_hide_the_comment_exactly_once():
    import threading

    from moderation.reports import ReportRefused, submit_report

    comment = make_comment(make_essay("Busy"))
    barrier = threading.Barrier(6)
    results = []

    def send(i):
        from django.db import connections

        try:
            barrier.wait()
            submit_report(comment_id=comment.pk, reason="hate", note="", reporter=f"r{i}",
                          ip_address=f"198.51.100.{i}")  # fmt: skip
            results.append("taken")
        except ReportRefused as exc:
            results.append(exc.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # The row lock lines the reports up: three are taken, the third hides the comment, and
    # the rest find it no longer public.
    assert sorted(results) == sorted(["taken"] * 3 + [NOT_PUBLIC] * 3)
    assert Decision.objects.filter(comment=comment, outcome="hold").count() == 1
    assert Report.objects.filter(comment=comment).count() == 3


def test_the_admin_shows_a_comments_reports_without_the_reporter(comment, moderator, client):
    from django.urls import reverse

    report(comment, ip="198.51.100.61", note="Seen in the admin.")
    client.force_login(moderator)
    html = client.get(reverse("admin:comments_comment_change", args=[comment.pk])).content.decode()
    assert "Seen in the admin." in html and "Harassment or abuse" in html
    assert "198.51.100.61" not in html and Report.objects.get().reporter not in html
    changelist = reverse("admin:comments_comment_changelist")
    client.post(changelist, {"action": "keep_comments", "_selected_action": [comment.pk]})
    assert Report.objects.get().state == "dismissed"
