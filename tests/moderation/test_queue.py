import re
import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse

from comments.models import Comment
from moderation.models import Decision
from moderation.services import AlreadyActed, approve_comment, moderate, restore_comment
from tests.factories import make_comment, make_essay, make_pending, make_user

pytestmark = pytest.mark.django_db

QUEUE = "/moderation/"
ACT = "/moderation/act/"


@pytest.fixture
def moderator():
    return make_user("mod", is_staff=True, groups=[Group.objects.get(name="Moderators")])


@pytest.fixture
def essay():
    return make_essay("The essay")


def test_anonymous_readers_get_the_login_page(client):
    response = client.get(QUEUE)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.post(ACT, {"do": "approve:1"}).status_code == 302


def test_editors_and_other_users_are_refused(client):
    editor = make_user("ed", is_staff=True, groups=[Group.objects.get(name="Editors")])
    client.force_login(editor)
    assert client.get(QUEUE).status_code == 403
    client.force_login(make_user("plain"))
    assert client.get(QUEUE).status_code == 403
    assert client.post(ACT, {"do": "approve:1"}).status_code == 403


def test_pending_tab_lists_oldest_first_with_reasons_and_details(client, moderator, essay):
    parent = make_comment(essay, body="The parent comment text.", author_name="Pat")
    first = make_pending(essay, author_name="First", author_email="f@example.org",
                         parent=parent)  # fmt: skip
    second = make_pending(essay, author_name="Second")
    Decision.objects.create(comment=first, step="akismet", outcome="skipped",
                            reason="skipped: not configured")  # fmt: skip
    client.force_login(moderator)
    html = client.get(QUEUE).content.decode()
    assert html.index("First") < html.index("Second")
    assert "f@example.org" in html and "203.0.113.5" in html
    assert "In reply to Pat: <q>The parent comment text.</q>" in html
    assert "Akismet: skipped, not configured" in html and "Skipped (" not in html
    assert f'value="approve:{first.pk}"' in html and f'value="remove:{second.pk}"' in html
    assert re.search(r"Pending <span class=\"count\">2</span>", html)
    assert "Akismet is off." in html


def test_a_comment_that_arrives_after_a_queue_view_is_listed_on_reload(
    client, moderator, essay, settings
):
    settings.MODERATION_QUEUE_PAGE_SIZE = 2
    make_pending(essay, author_name="Early")
    client.force_login(moderator)
    assert "Early" in client.get(QUEUE).content.decode()  # the tab counts are warm now
    make_pending(essay, author_name="Newcomer")
    html = client.get(QUEUE).content.decode()
    assert "Early" in html and "Newcomer" in html
    assert re.search(r"Pending <span class=\"count\">2</span>", html)
    make_pending(essay, author_name="Latecomer")  # oldest first: lands on page 2
    html = client.get(QUEUE, {"page": 2}).content.decode()
    assert "Latecomer" in html and "Page 2 of 2" in html


def test_a_long_queue_counts_only_what_it_lists_and_says_so(
    client, moderator, essay, settings, monkeypatch
):
    from moderation import queue

    monkeypatch.setattr(queue, "LISTED_AT_MOST", 4)
    settings.MODERATION_QUEUE_PAGE_SIZE = 2
    for i in range(6):
        make_pending(essay, author_name=f"Writer {i}")
    client.force_login(moderator)
    html = client.get(QUEUE).content.decode()
    assert "Page 1 of 2" in html and "shows the first 4 comments" in html
    assert re.search(r"Pending <span class=\"count\">6</span>", html)  # the whole tab
    assert "Writer 3" in client.get(QUEUE, {"page": 2}).content.decode()
    by_essay = client.get(QUEUE, {"essay": essay.pk, "q": "Writer 5"}).content.decode()
    assert "Writer 5" in by_essay and "shows the first" not in by_essay


def test_tabs_filter_and_search(client, moderator, essay):
    other = make_essay("Another essay")
    make_comment(essay, author_name="Approved one", status="approved")
    make_comment(essay, author_name="Spammer", status="spam", body="cheap pills")
    make_pending(other, author_name="Elsewhere", ip_address="198.51.100.77")
    make_pending(essay, author_name="Here", author_email="here@example.org")
    client.force_login(moderator)
    assert "Spammer" in client.get(QUEUE + "?status=spam").content.decode()
    assert "Spammer" not in client.get(QUEUE).content.decode()
    by_essay = client.get(f"{QUEUE}?essay={other.pk}").content.decode()
    assert "Elsewhere" in by_essay and "Here" not in by_essay
    for q in ["here@example", "198.51.100.77", "Elsewhere"]:
        found = client.get(QUEUE, {"q": q}).content.decode()
        assert ("Elsewhere" in found) != ("here@example" in q), q
    assert "cheap" in client.get(QUEUE, {"status": "spam", "q": "pills"}).content.decode()
    for junk in [{"status": "nope"}, {"essay": "abc"}, {"page": "-4"}, {"q": "\x00" * 3}]:
        assert client.get(QUEUE, junk).status_code == 200


@pytest.mark.parametrize(
    ("start", "action", "end", "outcome"),
    [
        ("pending", "approve", "approved", "approve"),
        ("pending", "spam", "spam", "spam"),
        ("pending", "remove", "removed", "remove"),
        ("approved", "spam", "spam", "spam"),
        ("approved", "remove", "removed", "remove"),
        ("spam", "ham", "approved", "approve"),
        ("removed", "restore", "pending", "restore"),  # never approved: back to the queue
    ],
)
def test_each_action_moves_the_comment_and_records_who(
    client, moderator, essay, start, action, end, outcome
):
    comment = make_comment(essay, status=start)
    client.force_login(moderator)
    response = client.post(ACT, {"do": f"{action}:{comment.pk}", "next": f"{QUEUE}?status={start}"})
    assert response.status_code == 302 and response["Location"] == f"{QUEUE}?status={start}"
    comment.refresh_from_db()
    assert comment.status == end
    decision = comment.decisions.get(step="moderator")
    assert decision.outcome == outcome and decision.actor == moderator


def test_bulk_actions_apply_to_every_ticked_comment(client, moderator, essay):
    comments = [make_pending(essay, author_name=f"R{i}") for i in range(3)]
    untouched = make_pending(essay, author_name="Untouched")
    client.force_login(moderator)
    response = client.post(ACT, {"bulk": "approve", "ids": [c.pk for c in comments]}, follow=True)
    assert "Approve: 3 comments." in response.content.decode()
    assert set(Comment.objects.filter(status="approved").values_list("pk", flat=True)) == {
        c.pk for c in comments
    }
    untouched.refresh_from_db()
    assert untouched.status == "pending"


def test_bad_action_posts_get_a_message_not_an_error(client, moderator, essay):
    client.force_login(moderator)
    for data in [{}, {"do": "explode:1"}, {"do": "approve:abc"}, {"bulk": "approve"},
                 {"do": "approve:99999"}, {"bulk": "nope", "ids": ["1"]},
                 {"do": "approve:1", "next": "https://evil.example/"}]:  # fmt: skip
        response = client.post(ACT, data)
        assert response.status_code == 302
        assert response["Location"].startswith("/moderation/")


def test_second_moderator_is_told_who_acted_first(client, moderator, essay):
    comment = make_pending(essay)
    other = make_user("other-mod", groups=[Group.objects.get(name="Moderators")])
    approve_comment(comment=comment, moderator=other)
    client.force_login(moderator)
    response = client.post(ACT, {"do": f"approve:{comment.pk}"}, follow=True)
    assert re.search(r"Already approved by other-mod at \d+ \w+ \d{4} \d\d:\d\d\.",
                     response.content.decode())  # fmt: skip
    assert comment.decisions.filter(step="moderator").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_concurrent_moderators_on_postgresql_one_wins():
    essay = make_essay()
    comment = make_pending(essay)
    mods = [make_user(f"m{i}") for i in range(2)]  # the service does not check permissions
    barrier = threading.Barrier(2)
    results = []

    def act(user, action):
        from django.db import connections

        try:
            barrier.wait()
            moderate(comment=Comment.objects.get(pk=comment.pk), action=action, moderator=user)
            results.append("ok")
        except AlreadyActed as exc:
            results.append(exc.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(mods[0], "approve")),
               threading.Thread(target=act, args=(mods[1], "remove"))]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r == "ok" for r in results) == [False, True]
    assert Decision.objects.filter(comment=comment, step="moderator").count() == 1
    loser = next(r for r in results if r != "ok")
    assert loser.startswith("Already ")


@pytest.mark.parametrize("n", [1, 1000])
def test_queue_queries_do_not_grow_with_pending_comments(
    client, moderator, essay, n, django_assert_max_num_queries
):
    parent = make_comment(essay)
    rows = [Comment(essay=essay, parent=parent if i % 2 else None, author_name=f"R{i}",
                    body="x", status="pending") for i in range(n)]  # fmt: skip
    for c in rows:
        c.save()
    Decision.objects.bulk_create(
        [Decision(comment=c, step="policy", outcome="hold", reason="r") for c in rows]
    )
    client.force_login(moderator)
    # 11, and 2 for the rows' notes and bans, 2 for their edit history.
    with django_assert_max_num_queries(15):
        response = client.get(QUEUE)
    assert response.status_code == 200
    assert response.content.decode().count('class="queue-item"') == min(n, 25)


def test_admin_actions_call_the_same_services(client, moderator, essay):
    comment = make_pending(essay)
    client.force_login(moderator)
    url = reverse("admin:comments_comment_changelist")
    response = client.post(url, {"action": "approve_comments", "_selected_action": [comment.pk]})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == "approved"
    assert comment.decisions.get(step="moderator").actor == moderator
    html = client.get(url, follow=True).content.decode()
    assert "Akismet is off" in html


def test_moderator_page_link_shows_in_the_site_menu_for_moderators_only(client, moderator):
    assert ">Moderation</a>" not in client.get("/").content.decode()
    client.force_login(moderator)
    assert ">Moderation</a>" in client.get("/").content.decode()


def test_an_action_decided_on_a_pending_comment_does_not_land_on_an_approved_one(
    client, moderator, essay
):
    comment = make_pending(essay)
    other = make_user("first-mod", groups=[Group.objects.get(name="Moderators")])
    approve_comment(comment=comment, moderator=other)
    client.force_login(moderator)
    response = client.post(
        ACT, {"do": f"remove:{comment.pk}", "seen_status": "pending"}, follow=True
    )
    assert "Already approved by first-mod" in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == "approved"


def test_restoring_a_comment_nobody_approved_puts_it_back_in_the_queue(moderator, essay):
    from moderation.services import remove_comment

    never_approved = make_pending(essay)
    remove_comment(comment=never_approved, moderator=moderator)
    restore_comment(comment=never_approved, moderator=moderator)
    never_approved.refresh_from_db()
    assert never_approved.status == "pending"

    published = make_pending(essay)
    approve_comment(comment=published, moderator=moderator)
    remove_comment(comment=published, moderator=moderator)
    restore_comment(comment=published, moderator=moderator)
    published.refresh_from_db()
    assert published.status == "approved"


def test_the_admin_cannot_change_a_status_by_editing_it(client, essay):
    comment = make_pending(essay)
    client.force_login(make_user(is_staff=True, is_superuser=True))
    html = client.get(reverse("admin:comments_comment_change", args=[comment.pk])).content
    assert b'name="status"' not in html


def test_the_landing_page_shows_reported_then_pending_each_in_its_own_form(
    client, moderator, essay
):
    from moderation.models import Report

    reported = make_comment(essay, body="Reported words.")
    hidden = make_pending(essay, body="Hidden after reports.")
    for comment in (reported, hidden):
        Report.objects.create(comment=comment, reason="hate", reporter=f"r{comment.pk}")
    make_pending(essay, body="Simply waiting.")
    client.force_login(moderator)
    html = client.get(QUEUE).content.decode()
    assert html.index('id="section-reported"') < html.index('id="section-pending"')
    assert html.count('class="queue-form"') == 2
    assert html.count('name="seen_status" value="reported"') == 1
    assert html.count('name="seen_status" value="pending"') == 1
    # A hidden reported comment is listed once, under Reported.
    assert html.count("Hidden after reports.") == 1
    assert html.index("Hidden after reports.") < html.index('id="section-pending"')
    assert html.index("Simply waiting.") > html.index('id="section-pending"')
    # With only one of them waiting, the page is that tab alone.
    Report.objects.all().delete()
    from moderation.counts import forget_tab_counts

    forget_tab_counts()
    html = client.get(QUEUE).content.decode()
    assert 'id="section-reported"' not in html and html.count('class="queue-form"') == 1
