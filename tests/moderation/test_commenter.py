"""The commenter page and moderators' notes: everything from one person, counted in a few
queries however much they wrote, reached from each queue row."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments.models import Comment
from moderation.bans import set_ban
from moderation.models import CommenterNote, Decision, Report
from moderation.tools import commenter_query
from tests.factories import make_comment, make_essay, make_pending, make_user

pytestmark = pytest.mark.django_db

PAGE = "/moderation/commenter/"


@pytest.fixture
def moderator():
    return make_user("mod", is_staff=True, groups=[Group.objects.get(name="Moderators")])


@pytest.fixture
def essay():
    return make_essay("Where they comment")


def test_every_comment_decision_report_and_ban_with_running_counts(client, moderator, essay):
    approved = make_comment(essay, author_name="Sam", author_email="sam@example.org",
                            body="A kind word.")  # fmt: skip
    make_comment(essay, author_name="Sammy", author_email="SAM@example.org", status="spam",
                 body="Buy things.")  # fmt: skip
    make_comment(essay, author_name="Sam", author_email="sam@example.org", status="removed")
    pending = make_pending(essay, author_name="Sam", author_email="sam@example.org")
    make_comment(essay, author_name="Someone else", author_email="else@example.org",
                 body="Not theirs.")  # fmt: skip
    Report.objects.create(comment=approved, reason="harassment", note="Felt pointed.",
                          reporter="r1")  # fmt: skip
    Decision.objects.create(comment=approved, step="moderator", outcome="approve",
                            actor=moderator)  # fmt: skip
    set_ban(kind="email", value="sam@example.org", reason="Spam run", duration="week",
            moderator=moderator, comment=pending)  # fmt: skip
    client.force_login(moderator)
    html = client.get(PAGE, {"email": "Sam@Example.org"}).content.decode()
    counts = {k: v for k, v in [("Comments", 4), ("Approved", 1), ("Waiting", 1), ("Spam", 1),
                                ("Removed", 1)]}  # fmt: skip
    for label, n in counts.items():
        assert f"<dt>{label}</dt><dd>{n}</dd>" in html
    assert "<dt>Reported</dt><dd>1 comment (1 report)</dd>" in html
    assert "A kind word." in html and "Buy things." in html and "Not theirs." not in html
    assert "Felt pointed." in html and "Spam run" in html and "in force" in html
    assert "<strong>Sam</strong>, <strong>Sammy</strong>" in html or "<strong>Sammy</strong>, " \
        "<strong>Sam</strong>" in html  # fmt: skip
    assert "Approved by mod" in html


def test_a_commenter_without_email_is_found_by_name(client, moderator, essay):
    make_comment(essay, author_name="Anon", body="No email here.")
    make_comment(essay, author_name="Anon", author_email="a@example.org", body="Has one.")
    client.force_login(moderator)
    html = client.get(PAGE, {"name": "Anon"}).content.decode()
    assert "No email here." in html and "Has one." not in html
    assert client.get(PAGE).status_code == 400


def test_each_queue_row_links_to_its_commenter_and_shows_their_notes(client, moderator, essay):
    one = make_pending(essay, author_name="Kit", author_email="kit@example.org")
    make_pending(essay, author_name="Kit again", author_email="KIT@example.org")
    CommenterNote.objects.create(commenter="email:kit@example.org", author=moderator,
                                 body="Warned once about names.")  # fmt: skip
    client.force_login(moderator)
    html = client.get("/moderation/?status=pending").content.decode()
    assert html.count(f'href="{PAGE}?{commenter_query(one)}"') == 2
    assert html.count("Warned once about names.") == 2


def test_a_note_from_the_row_and_from_the_page(client, moderator, essay):
    row = make_pending(essay, author_name="Lee")
    client.force_login(moderator)
    response = client.post(
        "/moderation/note/", {"note_comment": row.pk, f"note_{row.pk}": "Seems to mean well."}
    )
    assert response.status_code == 302
    response = client.post(f"{PAGE}?name=Lee", {"note": "Second thoughts."})
    assert response.status_code == 302
    notes = list(CommenterNote.objects.values_list("commenter", "body", "author__username"))
    assert sorted(notes) == [("name:Lee", "Second thoughts.", "mod"),
                             ("name:Lee", "Seems to mean well.", "mod")]  # fmt: skip


def test_a_note_of_10000_characters_is_refused_and_kept(client, moderator, essay):
    row = make_pending(essay, author_name="Lee")
    client.force_login(moderator)
    text = "x" * 10_000
    response = client.post(f"{PAGE}?name=Lee", {"note": text})
    assert response.status_code == 400
    html = response.content.decode()
    assert "A note can be up to 2,000 characters; this one has 10,000." in html
    assert f">{text}</textarea>" in html
    response = client.post("/moderation/note/", {"note_comment": row.pk, f"note_{row.pk}": text})
    assert response.status_code == 400 and f">{text}</textarea>" in response.content.decode()
    assert not CommenterNote.objects.exists()


def _bulk_comments(essay, n, start=0):
    now = timezone.now()
    Comment.objects.bulk_create(
        [Comment(essay=essay, author_name="Prolific", author_email="p@example.org",
                 body=f"Comment {i}.", body_html=f"<p>Comment {i}.</p>", status="pending",
                 ip_address="203.0.113.9", created_at=now, thread=f"{i:016x}",
                 path=f"{i:016x}")
         for i in range(start, start + n)],
        batch_size=5000,
    )  # fmt: skip


def test_the_commenter_page_and_queue_cost_the_same_for_3_or_100000_comments(
    client, moderator, essay
):
    _bulk_comments(essay, 3)
    client.force_login(moderator)
    client.get("/moderation/?status=pending")  # the session and tab counts are warm
    with CaptureQueriesContext(connection) as few:
        page = client.get(PAGE, {"email": "p@example.org"})
    with CaptureQueriesContext(connection) as queue_few:
        client.get("/moderation/?status=pending")
    _bulk_comments(essay, 100_000 - 3, start=3)
    from moderation.counts import forget_tab_counts

    forget_tab_counts()
    client.get("/moderation/?status=pending")
    with CaptureQueriesContext(connection) as many:
        page = client.get(PAGE, {"email": "p@example.org"})
    with CaptureQueriesContext(connection) as queue_many:
        html = client.get("/moderation/?status=pending").content.decode()
    assert "<dt>Comments</dt><dd>100,000</dd>" in page.content.decode()
    assert html.count("data-queue-item") == 25
    assert len(many) == len(few) <= 14
    assert len(queue_many) == len(queue_few) <= 12
