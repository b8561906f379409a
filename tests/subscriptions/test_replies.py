"""Reply notifications: asked for under the form, confirmed by link, sent when a reply is
approved, as a digest, never to the reply's own writer, with one-click unsubscribe."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from comments.models import Comment
from comments.services import change_status
from subscriptions.models import Address, Email, Subscription
from tests.factories import make_essay
from tests.subscriptions.conftest import (
    approve,
    committed,
    confirmed,
    links,
    make_comment,
    post_comment,
    send_due_mail,
    site_path,
)

pytestmark = pytest.mark.django_db
Kind = Subscription.Kind


def test_ticking_the_box_without_an_email_keeps_the_text_and_says_why(client, essay):
    response = post_comment(client, essay, body="My words stay.", notify_replies="on")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please give your email address so we can tell you about replies" in html
    assert "My words stay." in html
    assert not Comment.objects.exists()


def test_the_form_asks_and_the_first_email_is_only_a_confirmation(client, essay):
    response = post_comment(client, essay, author_email="Ana@Example.org",
                            notify_replies="on")  # fmt: skip
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.notify == Comment.Notify.REPLIES
    (confirmation,) = mail.outbox
    assert confirmation.to == ["ana@example.org"]
    assert "Telling it slowly" in confirmation.body
    subscription = Subscription.objects.get()
    assert (subscription.kind, subscription.comment, subscription.confirmed_at) == (
        Kind.REPLIES, comment, None,
    )  # fmt: skip
    # Following the link shows a button; a mail scanner's GET confirms nothing.
    (link,) = links(confirmation, "/subscribe/confirm/")
    page = Client().get(site_path(link))
    assert page.status_code == 200 and b"Confirm</button>" in page.content
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None
    done = Client().post(site_path(link))
    assert "a\u2026@example.org is confirmed" in done.content.decode()
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None and subscription.requested_ip is None
    # The address itself is never shown, not even to whoever holds the link.
    assert b"ana@example.org" not in done.content
    assert "Cache-Control" in done and "no-store" in done["Cache-Control"]


def test_an_approved_reply_is_sent_with_the_essays_warnings_and_the_reply(essay):
    mine = make_comment(essay, author_email="ana@example.org")
    confirmed("ana@example.org", kind=Kind.REPLIES, comment=mine)
    mail.outbox.clear()
    reply = make_comment(essay, parent=mine, status="pending", author_name="Sam",
                         body="I felt this too.")  # fmt: skip
    assert mail.outbox == []  # pending: nothing
    approve(reply)
    (sent,) = mail.outbox
    assert sent.to == ["ana@example.org"]
    assert sent.subject == "New reply on \u201cTelling it slowly\u201d"
    assert "Content warning: Sexual violence." in sent.body
    assert "Sam replied to your comment" in sent.body and "I felt this too." in sent.body
    assert f"/comments/{reply.pk}/" in sent.body
    html = sent.alternatives[0].content
    assert "I felt this too." in html and "Content warning: Sexual violence." in html
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent.extra_headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/unsubscribe/")


def test_a_reply_with_its_own_warning_shows_the_warning_and_a_link_not_its_text(essay):
    mine = make_comment(essay, author_email="ana@example.org")
    confirmed("ana@example.org", kind=Kind.REPLIES, comment=mine)
    mail.outbox.clear()
    approve(make_comment(essay, parent=mine, status="pending", body="What happened to me.",
                         content_warning="self-harm"))  # fmt: skip
    (sent,) = mail.outbox
    assert "Content warning: self-harm" in sent.body
    assert "What happened to me." not in sent.body
    assert "What happened to me." not in sent.alternatives[0].content


@pytest.mark.parametrize("status", ["spam", "removed", "pending"])
def test_no_email_for_a_reply_that_is_not_approved(essay, status):
    mine = make_comment(essay, author_email="ana@example.org")
    confirmed("ana@example.org", kind=Kind.REPLIES, comment=mine)
    mail.outbox.clear()
    reply = make_comment(essay, parent=mine, status="pending")
    with committed():
        change_status(comment=reply, to=status, expected=("pending",))
    assert mail.outbox == []
    assert not Email.objects.filter(kind=Email.Kind.REPLIES).exists()


def test_the_writer_of_the_reply_is_never_told_of_their_own_reply(essay):
    mine = make_comment(essay, author_email="ana@example.org", writer_key="k" * 64)
    confirmed("Ana@example.org", kind=Kind.DISCUSSION, essay=essay, writer_key="k" * 64)
    mail.outbox.clear()
    approve(make_comment(essay, parent=mine, status="pending", author_email="ANA@example.org"))
    approve(make_comment(essay, status="pending", writer_key="k" * 64))
    assert mail.outbox == []


def test_unconfirmed_requests_get_nothing_but_the_confirmation(client, essay):
    post_comment(client, essay, author_email="ana@example.org", notify_discussion="on")
    assert len(mail.outbox) == 1
    approve(make_comment(essay, status="pending"))
    assert len(mail.outbox) == 1


def test_replies_arriving_together_come_as_one_digest_after_the_wait(essay, settings):
    settings.NOTIFY_DIGEST_MINUTES = 15
    confirmed("ana@example.org", kind=Kind.DISCUSSION, essay=essay)
    mail.outbox.clear()
    approve(make_comment(essay, status="pending", body="First."))
    assert len(mail.outbox) == 1  # the first goes at once
    approve(make_comment(essay, status="pending", body="Second."))
    approve(make_comment(essay, status="pending", body="Third."))
    assert len(mail.outbox) == 1  # the others wait for the digest window
    address = Address.objects.get()
    assert address.digest_due_at == address.last_digest_at + timedelta(minutes=15)
    send_due_mail()  # too early: nothing
    assert len(mail.outbox) == 1
    Address.objects.update(digest_due_at=timezone.now() - timedelta(seconds=1))
    send_due_mail()
    assert len(mail.outbox) == 2
    digest = mail.outbox[1]
    assert digest.subject == "2 new comments on \u201cTelling it slowly\u201d"
    assert "Second." in digest.body and "Third." in digest.body and "First." not in digest.body


def test_a_reply_removed_before_the_digest_goes_is_not_sent(essay):
    confirmed("ana@example.org", kind=Kind.DISCUSSION, essay=essay)
    approve(make_comment(essay, status="pending", body="First."))
    mail.outbox.clear()
    later = make_comment(essay, status="pending", body="Regretted words.")
    approve(later)
    with committed():
        change_status(comment=later, to="removed", expected=("approved",))
    Address.objects.update(digest_due_at=timezone.now() - timedelta(seconds=1))
    send_due_mail()
    assert mail.outbox == []
    assert Email.objects.get(kind=Email.Kind.REPLIES, state=Email.State.CANCELLED)


def test_an_address_covered_twice_hears_of_a_reply_once(essay, settings):
    settings.SUBSCRIPTIONS_CONFIRMATION_GAP_MINUTES = 0
    mine = make_comment(essay, author_email="ana@example.org")
    confirmed("ana@example.org", kind=Kind.REPLIES, comment=mine, writer_key="w" * 64)
    confirmed("ana@example.org", kind=Kind.DISCUSSION, essay=essay, writer_key="w" * 64)
    mail.outbox.clear()
    reply = make_comment(essay, parent=mine, status="pending")
    approve(reply)
    # Published again after an edit: still told once.
    with committed():
        change_status(comment=reply, to="pending", expected=("approved",))
    approve(reply)
    Address.objects.update(digest_due_at=timezone.now() - timedelta(seconds=1))
    send_due_mail()
    (sent,) = mail.outbox
    assert "replied to your comment" in sent.body


def test_one_click_unsubscribe_from_the_mail_client_and_from_the_page(essay):
    confirmed("ana@example.org", kind=Kind.DISCUSSION, essay=essay)
    mail.outbox.clear()
    approve(make_comment(essay, status="pending"))
    (sent,) = mail.outbox
    url = site_path(sent.extra_headers["List-Unsubscribe"].strip("<>"))
    # RFC 8058: the mail provider POSTs, with no cookies, no Origin, no token.
    answer = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert not Subscription.objects.filter(ended_at=None).exists()
    approve(make_comment(essay, status="pending"))
    assert len(mail.outbox) == 1
    # The same link opened in a browser later: says so, stops nothing twice, no 500.
    page = Client().get(url)
    assert page.status_code == 200
    assert "gets no emails from us" in page.content.decode()
    again = Client().post(url, {"scope": "these"})
    assert "already stopped" in again.content.decode()


def test_the_unsubscribe_page_stops_one_discussion_or_everything(essay, settings):
    settings.SUBSCRIPTIONS_CONFIRMATION_GAP_MINUTES = 0
    other = make_essay("Another essay")
    confirmed("ana@example.org", kind=Kind.DISCUSSION, essay=essay, writer_key="w" * 64)
    confirmed("ana@example.org", kind=Kind.DISCUSSION, essay=other, writer_key="w" * 64)
    mail.outbox.clear()
    approve(make_comment(essay, status="pending"))
    (link,) = links(mail.outbox[0], "/unsubscribe/")
    page = Client().get(site_path(link)).content.decode()
    assert "Stop these emails" in page and "Stop every email from us (2 subscriptions)" in page
    assert "ana@example.org" not in page
    Client().post(site_path(link), {"scope": "these"})
    assert list(Subscription.objects.filter(ended_at=None).values_list("essay", flat=True)) == [
        other.pk
    ]
    Client().post(site_path(link), {"scope": "all"})
    assert not Subscription.objects.filter(ended_at=None).exists()


def test_only_the_browser_that_confirmed_is_trusted_with_later_requests(client, essay):
    post_comment(client, essay, author_email="ana@example.org", notify_replies="on")
    (link,) = links(mail.outbox[0], "/subscribe/confirm/")
    client.post(site_path(link))  # confirmed in the browser she commented from
    post_comment(client, essay, body="Another thought.", author_email="ana@example.org",
                 notify_replies="on")  # fmt: skip
    assert len(mail.outbox) == 1
    assert Subscription.objects.filter(confirmed_at__isnull=False).count() == 2
    # Someone else naming her address, from another browser, gets nothing turned on.
    stranger = Client()
    post_comment(stranger, essay, body="Pretending.", author_name="Other",
                 author_email="ana@example.org", notify_discussion="on")  # fmt: skip
    assert not Subscription.objects.filter(kind=Kind.DISCUSSION, confirmed_at__isnull=False)
    # "Stop every email" forgets every browser she confirmed in.
    from subscriptions.tokens import unsubscribe_token

    Client().post(f"/unsubscribe/{unsubscribe_token(Address.objects.get())}/", {"scope": "all"})
    post_comment(client, essay, body="Third thought.", author_email="ana@example.org",
                 notify_replies="on")  # fmt: skip
    assert not Subscription.objects.filter(ended_at=None, confirmed_at__isnull=False).exists()


def test_confirming_a_strangers_request_does_not_trust_the_strangers_browser(essay):
    stranger = Client()
    post_comment(stranger, essay, author_email="ana@example.org", notify_replies="on")
    (link,) = links(mail.outbox[0], "/subscribe/confirm/")
    Client().post(site_path(link))  # she confirms, in her own browser
    post_comment(stranger, essay, body="Again.", author_email="ana@example.org",
                 notify_discussion="on")  # fmt: skip
    assert not Subscription.objects.filter(kind=Kind.DISCUSSION, confirmed_at__isnull=False)


def test_asking_for_emails_costs_the_post_one_query_and_sends_nothing(client, essay, settings):
    """With the worker's backend, ticking the box adds only the task's INSERT to the
    reader's POST: limits, the request and the email all happen in the worker."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def count(**data):
        with CaptureQueriesContext(connection) as queries:
            assert post_comment(client, essay, **data).status_code == 302
        return len(queries)

    for words in ("Warming up.", "Warm now."):  # the first ones fill caches (the essay)
        count(body=words, author_email="ana@example.org")
    plain = count(body="Plain words.", author_email="ana@example.org")
    ticked = count(body="Other words.", author_email="ana@example.org", notify_replies="on")
    assert ticked == plain + 1
    assert mail.outbox == [] and not Subscription.objects.exists()
