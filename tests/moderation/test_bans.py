"""Bans: set from a queue row, silent, named in the decisions, expiring, undone, refused
with a clear message when they overlap, and one ban when two moderators act at once."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.utils import timezone

from comments.models import Comment
from moderation import bans
from moderation.models import Ban, Decision, Report
from moderation.screening import screen
from tests.factories import (
    comment_form_data,
    ensure_groups,
    make_comment,
    make_essay,
    make_pending,
    make_user,
)

pytestmark = pytest.mark.django_db

BAN = "/moderation/ban/"
BANS = "/moderation/bans/"


@pytest.fixture
def moderator():
    return make_user("mod", is_staff=True, groups=[Group.objects.get(name="Moderators")])


@pytest.fixture
def essay():
    return make_essay("A calm essay")


@pytest.fixture
def troll(essay):
    return make_pending(essay, author_name="Troll", author_email="Troll@Example.org",
                        ip_address="203.0.113.77", body="Something cruel.")  # fmt: skip


def ban_from_row(client, comment, kind, *, duration="week", reason="Abuse in three threads"):
    value = {"email": comment.author_email.casefold(), "ip": comment.ip_address,
             "range": bans.range_of(comment.ip_address or "0.0.0.0"),
             "domain": comment.author_email.rpartition("@")[2].casefold()}[kind]  # fmt: skip
    return client.post(BAN, {
        "ban_comment": comment.pk, f"ban_kind_{comment.pk}": f"{kind}:{value}",
        f"ban_for_{comment.pk}": duration, f"ban_reason_{comment.pk}": reason,
        "next": "/moderation/?status=pending",
    })  # fmt: skip


def test_the_queue_row_offers_every_kind_of_ban(client, moderator, troll):
    client.force_login(moderator)
    html = client.get("/moderation/?status=pending").content.decode()
    for value in ["email:troll@example.org", "ip:203.0.113.77", "range:203.0.113.0/24",
                  "domain:example.org"]:  # fmt: skip
        assert f'value="{value}"' in html
    assert f'formaction="{BAN}" name="ban_comment" value="{troll.pk}"' in html


def test_a_ban_from_the_row_holds_the_authors_next_comments_as_spam(client, moderator, troll,
                                                                    essay):  # fmt: skip
    client.force_login(moderator)
    response = ban_from_row(client, troll, "email")
    assert response.status_code == 302 and response["Location"] == "/moderation/?status=pending"
    ban = Ban.objects.get()
    assert (ban.kind, ban.value, ban.created_by, ban.reason) == (
        "email",
        "troll@example.org",
        moderator,
        "Abuse in three threads",
    )
    assert timedelta(days=6, hours=23) < ban.expires_at - timezone.now() <= timedelta(days=7)
    assert Decision.objects.get(comment=troll, step="ban").actor == moderator

    # A new name, the same address (in other letters): held as spam, the ban named.
    again = make_pending(essay, author_name="New name", author_email="TROLL@example.org")
    assert screen(again.pk) == Comment.Status.SPAM
    decision = again.decisions.get(step="ban")
    assert decision.outcome == "spam" and decision.details == {"ban": ban.pk}
    assert "Email address troll@example.org is banned until" in decision.reason
    assert "Abuse in three threads" in decision.reason
    assert not again.decisions.filter(step="akismet").exists()  # nothing sent out


@pytest.mark.parametrize("kind, fields", [
    ("ip", {"ip_address": "203.0.113.77"}),
    ("range", {"ip_address": "203.0.113.200"}),
    ("domain", {"author_email": "other@EXAMPLE.org", "ip_address": "198.51.100.9"}),
])  # fmt: skip
def test_each_kind_of_ban_catches_what_it_should(client, moderator, troll, essay, kind, fields):
    client.force_login(moderator)
    ban_from_row(client, troll, kind)
    caught = make_pending(essay, **({"author_email": "x@elsewhere.test"} | fields))
    missed = make_pending(essay, author_email="y@elsewhere.test", ip_address="192.0.2.1")
    assert screen(caught.pk) == Comment.Status.SPAM
    assert screen(missed.pk) == Comment.Status.PENDING


def test_an_ipv6_range_is_its_64():
    assert bans.range_of("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    ban = Ban.objects.create(kind="range", value="2001:db8:1:2::/64", reason="r")
    assert bans.active_ban(ip="2001:db8:1:2:ffff::1") == ban
    assert bans.active_ban(ip="2001:db8:1:3::1") is None


def test_a_ban_is_silent_the_writer_sees_a_held_comment(
    client, moderator, essay, django_capture_on_commit_callbacks
):
    Ban.objects.create(kind="ip", value="127.0.0.1", reason="Abuse", created_by=moderator)
    reader = Client()
    data = comment_form_data(body="I am back.", author_name="Back again")
    with django_capture_on_commit_callbacks(execute=True):
        reader.post(f"/essays/{essay.slug}/comment/", data)
    comment = Comment.objects.get(body="I am back.")
    assert comment.status == Comment.Status.SPAM
    html = reader.get(essay.get_absolute_url()).content.decode()
    assert "I am back." in html and "banned" not in html.lower()
    # Like any held comment, it can still be edited or deleted; the edit is screened again.
    assert f"/comments/{comment.pk}/edit/" in html and f"/comments/{comment.pk}/delete/" in html
    assert reader.get(f"/comments/{comment.pk}/edit/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = reader.post(
            f"/comments/{comment.pk}/edit/", {"body": "I am back, politely.", "content_warning": ""}
        )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "I am back, politely." and comment.status == Comment.Status.SPAM
    assert comment.decisions.filter(step="ban").count() == 2


def test_bans_expire_by_themselves(moderator, troll, essay):
    ban = bans.set_ban(kind="email", value="troll@example.org", reason="Cooling off",
                       duration="day", moderator=moderator, comment=troll)  # fmt: skip
    later = timezone.now() + timedelta(days=1, minutes=1)
    assert bans.active_ban("troll@example.org", now=later) is None
    assert bans.active_ban("troll@example.org") == ban
    # Once it has run out a new ban can be set: the old row is kept, marked ended.
    again = bans.set_ban(kind="email", value="troll@example.org", reason="Back at it",
                         duration="week", moderator=moderator, now=later)  # fmt: skip
    ban.refresh_from_db()
    assert ban.lifted_at is not None and ban.lifted_by is None and again.pk != ban.pk


def test_the_bans_page_lists_who_set_each_and_undoes_it(client, moderator, troll):
    client.force_login(moderator)
    ban_from_row(client, troll, "ip", reason="Flooding")
    html = client.get(BANS).content.decode()
    assert "IP address 203.0.113.77" in html and "Flooding" in html and "Set by mod" in html
    ban = Ban.objects.get()
    response = client.post(f"/moderation/bans/{ban.pk}/lift/", {"next": BANS})
    assert response.status_code == 302
    ban.refresh_from_db()
    assert ban.lifted_by == moderator and bans.active_ban(ip="203.0.113.77") is None
    assert "lifted by mod" in client.get(BANS).content.decode()
    # Undo twice (two tabs): a message, not an error.
    client.post(f"/moderation/bans/{ban.pk}/lift/", {"next": BANS})
    assert "was already lifted by mod" in client.get(BANS).content.decode()


def test_reports_from_a_banned_address_are_thanked_and_not_counted(moderator, essay, settings):
    comment = make_comment(essay, body="A fine comment.")
    Ban.objects.create(kind="range", value="198.51.100.0/24", reason="Mass reports")
    for i in range(settings.MODERATION_REPORT_HIDE_THRESHOLD + 1):
        response = Client().post(f"/comments/{comment.pk}/report/", {"reason": "spam"},
                                 REMOTE_ADDR=f"198.51.100.{i + 1}")  # fmt: skip
        assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED and not Report.objects.exists()
    skipped = comment.decisions.filter(step="ban", outcome="skipped")
    assert skipped.count() == settings.MODERATION_REPORT_HIDE_THRESHOLD + 1
    assert "198.51.100" not in skipped.first().reason  # it would name the reporter


# --- Bad input: a clear message, the fields kept, never a 500 ---


def test_an_expiry_in_the_past_is_refused(moderator):
    with pytest.raises(bans.BanRefused, match="in the past"):
        bans.set_ban(kind="email", value="a@example.org", reason="r", moderator=moderator,
                     expires_at=timezone.now() - timedelta(hours=1))  # fmt: skip
    assert not Ban.objects.exists()


@pytest.mark.parametrize("kind, value, message", [
    ("email", "not an email", "not a valid email address"),
    ("ip", "300.1.1.1", "not a valid ip address"),
    ("range", "10.0.0.0/8", "wider than /16"),
    ("range", "2001:db8::/16", "wider than /32"),
    ("domain", "localhost", "not a valid email domain"),
    ("bogus", "x", "Choose what to ban"),
])  # fmt: skip
def test_bad_values_are_refused_with_a_reason(moderator, kind, value, message):
    with pytest.raises(bans.BanRefused, match=message):
        bans.set_ban(kind=kind, value=value, reason="r", duration="day", moderator=moderator)


def test_a_refusal_from_the_row_shows_the_fields_again_as_sent(client, moderator, troll):
    client.force_login(moderator)
    response = ban_from_row(client, troll, "email", reason="   ")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give a reason for the ban" in html
    assert 'value="email:troll@example.org" selected' in html
    assert not Ban.objects.exists()
    response = client.post(BAN, {"ban_comment": troll.pk, f"ban_kind_{troll.pk}": "email:x",
                                 f"ban_for_{troll.pk}": "forever",
                                 f"ban_reason_{troll.pk}": "Kept words"})  # fmt: skip
    assert response.status_code == 400 and "Choose how long" in response.content.decode()
    assert 'value="Kept words"' in response.content.decode()
    assert client.post(BAN, {"ban_comment": "nope"}).status_code == 404


def test_overlapping_bans_are_refused_naming_the_one_in_force(moderator, troll):
    bans.set_ban(kind="range", value="203.0.113.0/24", reason="Range", duration="month",
                 moderator=moderator)  # fmt: skip
    with pytest.raises(bans.BanRefused, match=r"already covered by a ban on IP range "
                       r"203\.0\.113\.0/24, set by mod until"):  # fmt: skip
        bans.set_ban(kind="ip", value="203.0.113.77", reason="r", duration="day",
                     moderator=moderator)  # fmt: skip
    with pytest.raises(bans.BanRefused, match="already covered"):
        bans.set_ban(kind="range", value="203.0.113.128/25", reason="r", duration="day",
                     moderator=moderator)  # fmt: skip
    # A wider range than one in force is allowed: it covers more.
    bans.set_ban(kind="range", value="203.0.0.0/16", reason="Wider", duration="day",
                 moderator=moderator)  # fmt: skip
    bans.set_ban(kind="domain", value="example.org", reason="Domain", duration="day",
                 moderator=moderator)  # fmt: skip
    with pytest.raises(bans.BanRefused, match="Email domain @example.org"):
        bans.set_ban(kind="email", value="troll@example.org", reason="r", duration="day",
                     moderator=moderator)  # fmt: skip
    assert Ban.objects.count() == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_two_moderators_banning_at_once_make_one_ban():
    ensure_groups()
    mods = [make_user(f"m{i}") for i in range(4)]
    barrier = threading.Barrier(4)
    results = []

    def ban(moderator):
        from django.db import connections

        try:
            barrier.wait()
            bans.set_ban(kind="email", value="same@example.org", reason="r", duration="day",
                         moderator=moderator)  # fmt: skip
            results.append("banned")
        except bans.BanRefused as exc:
            results.append(exc.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ban, args=(m,)) for m in mods]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("banned") == 1 and Ban.objects.count() == 1
    assert all("already covered by a ban on Email address same@example.org" in r
               for r in results if r != "banned")  # fmt: skip


def test_only_moderators_can_ban(client, troll):
    assert client.post(BAN, {"ban_comment": troll.pk}).status_code == 302  # to the login
    client.force_login(make_user("plain", is_staff=True))
    assert client.post(BAN, {"ban_comment": troll.pk}).status_code == 403
    assert client.get(BANS).status_code == 403
    assert not Ban.objects.exists()
