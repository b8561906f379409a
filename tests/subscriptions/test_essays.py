"""New essays by email: subscribe, confirm, then one email per essay, warnings first, in
batches, never for an essay the subscriber left out, never the body of a gated essay."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import Essay
from subscriptions import sending
from subscriptions.models import Address, Email, EssayMailing, Subscription
from subscriptions.tasks import mail_essay
from tests.factories import make_essay, make_warning
from tests.subscriptions.conftest import committed, links, send_due_mail, site_path

pytestmark = pytest.mark.django_db
Kind = Subscription.Kind


def publish(essay: Essay, *, when=None) -> Essay:
    """Publish as the admin does: status and date saved, warnings set, then the commit."""
    with committed():
        essay.status = Essay.Status.PUBLISHED
        essay.published_at = when or timezone.now()
        essay.save()
    return essay


def draft(title="A new essay", **fields) -> Essay:
    return make_essay(title, status=Essay.Status.DRAFT, **fields)


def subscribers(n: int, *, skip=()) -> list[Subscription]:
    """n confirmed new-essay subscribers, made directly (the links are tested elsewhere)."""
    now = timezone.now()
    addresses = Address.objects.bulk_create(
        Address(email=f"reader{i}@example.org", confirmed_at=now) for i in range(n)
    )
    made = Subscription.objects.bulk_create(
        Subscription(address=a, kind=Kind.ESSAYS, target="", confirmed_at=now) for a in addresses
    )
    for subscription in made[: len(skip) and n]:
        subscription.excluded_warnings.set(skip)
    return made


def test_the_subscribe_page_confirms_by_email_then_sends_new_essays():
    warning = make_warning("Self-harm")
    page = Client().get("/subscribe/")
    assert page.status_code == 200 and b"Leave out essays with these warnings" in page.content
    with committed():
        answer = Client().post("/subscribe/", {"email": "Ana@Example.org"})
    assert (
        answer.status_code == 200
        and b"If a\xe2\x80\xa6@example.org can receive our emails" in answer.content
    )
    (confirmation,) = mail.outbox
    (link,) = links(confirmation, "/subscribe/confirm/")
    assert "Emails when a new essay is published." in confirmation.body
    Client().post(site_path(link))
    mail.outbox.clear()
    essay = publish(draft("On leaving", warnings=[warning], summary="Why I went."))
    (sent,) = mail.outbox
    assert sent.subject == "New essay: On leaving"
    assert sent.body.startswith("Content warning: Self-harm.")
    assert "Why I went." in sent.body and essay.get_absolute_url() in sent.body
    assert sent.extra_headers["Precedence"] == "bulk"
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_gated_essays_body_never_goes_out_and_its_warnings_lead(settings):
    subscribers(1)
    gate = make_warning("Sexual violence", gates=True)
    publish(draft("Telling it", warnings=[gate], body="The words of the body itself.",
                  summary="A summary."))  # fmt: skip
    (sent,) = mail.outbox
    html = sent.alternatives[0].content
    for part in (sent.body, html):
        assert "The words of the body itself." not in part
        assert "A summary." in part
    assert html.index("Content warning: Sexual violence.") < html.index("Telling it</a>")


def test_subscribers_who_left_out_a_warning_do_not_get_the_essay():
    skipped = make_warning("Suicide")
    subscribers(3, skip=[skipped])  # the first three leave it out
    subscribers_rest = Subscription.objects.count()
    publish(draft(warnings=[skipped]))
    assert subscribers_rest == 3 and mail.outbox == []
    publish(draft("Calm one"))
    assert len(mail.outbox) == 3


def test_a_scheduled_essay_is_sent_when_its_time_comes_not_before():
    subscribers(2)
    essay = publish(draft(), when=timezone.now() + timedelta(hours=2))
    assert mail.outbox == []
    send_due_mail()
    assert mail.outbox == []  # not yet public
    Essay.objects.filter(pk=essay.pk).update(published_at=timezone.now() - timedelta(minutes=1))
    send_due_mail()
    assert len(mail.outbox) == 2
    send_due_mail()  # and only once
    assert len(mail.outbox) == 2


def test_an_essay_goes_once_per_subscriber_however_often_it_is_saved():
    subscribers(2)
    essay = publish(draft())
    publish(essay, when=essay.published_at)  # saved again, unchanged
    with committed():
        essay.title = "A corrected title"
        essay.save()
    assert sending.announce(essay.pk) is False
    assert len(mail.outbox) == 2
    assert Email.objects.filter(kind=Email.Kind.ESSAY).count() == 2


def test_correcting_an_old_essay_or_importing_an_archive_mails_nobody():
    subscribers(1)
    old = make_essay("From last year", days_ago=365)
    with committed():
        old.status = Essay.Status.DRAFT
        old.save()
    publish(old, when=timezone.now() - timedelta(days=365))
    assert mail.outbox == []


def _count_batch_queries(n: int, settings) -> tuple[int, int]:
    settings.SUBSCRIPTIONS_BATCH_SIZE = 10
    subscribers(n, skip=[make_warning()])
    essay = make_essay("Sent in batches")
    mailing = EssayMailing.objects.create(essay=essay)
    essay = Essay.objects.prefetch_related("warnings").get(pk=essay.pk)
    context = sending.essay_context(essay)
    with CaptureQueriesContext(connection) as queries:
        covered = sending.mail_batch(mailing, essay, context)
    return covered, len(queries)


def test_a_batch_costs_the_same_queries_whatever_its_subscribers(settings):
    assert _count_batch_queries(3, settings) == (3, _count_batch_queries_again(10, settings)[1])


def _count_batch_queries_again(n, settings):
    Subscription.objects.all().delete()
    Address.objects.all().delete()
    return _count_batch_queries(n, settings)


def test_two_thousand_subscribers_go_in_batches_with_a_bounded_number_of_queries(settings):
    settings.SUBSCRIPTIONS_BATCH_SIZE = 500
    subscribers(2000)
    essay = make_essay("For everyone")
    mailing = EssayMailing.objects.create(essay=essay)
    with CaptureQueriesContext(connection) as queries:
        assert mail_essay.call(mailing.pk) == 2000
    assert len(mail.outbox) == 2000
    # 4 batches and the empty one that ends the mailing; within a batch, a lease renewal
    # and a marking per 50 emails: the count follows batches, never subscribers.
    per_batch = 9 + 2 * (500 // sending.CHUNK)
    assert len(queries) <= 4 * per_batch + 10
    mailing.refresh_from_db()
    assert mailing.finished_at is not None and mailing.sent == 2000


def test_a_failed_send_is_retried_later_and_never_sent_twice(settings, monkeypatch):
    subscribers(3)
    from django.core.mail.backends.locmem import EmailBackend

    real = EmailBackend.send_messages
    calls = {"n": 0}

    def flaky(self, messages):
        calls["n"] += 1
        if calls["n"] == 2:
            raise ConnectionResetError("the mail server went away")
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    publish(draft())
    assert len(mail.outbox) == 2
    failed = Email.objects.get(state=Email.State.QUEUED)
    assert failed.attempts == 1 and "went away" in failed.last_error
    assert failed.next_attempt_at > timezone.now()
    send_due_mail()  # not due yet
    assert len(mail.outbox) == 2
    Email.objects.filter(pk=failed.pk).update(next_attempt_at=timezone.now())
    send_due_mail()
    assert len(mail.outbox) == 3
    assert sorted(m.to[0] for m in mail.outbox) == [f"reader{i}@example.org" for i in range(3)]
    assert set(Email.objects.values_list("state", flat=True)) == {Email.State.SENT}


def test_an_email_that_keeps_failing_is_given_up_and_recorded(settings, monkeypatch):
    settings.SUBSCRIPTIONS_MAX_ATTEMPTS = 2
    subscribers(1)
    from django.core.mail.backends.locmem import EmailBackend

    def broken(self, messages):
        raise OSError("connection refused")

    monkeypatch.setattr(EmailBackend, "send_messages", broken)
    publish(draft())
    Email.objects.update(next_attempt_at=timezone.now())
    send_due_mail()
    email = Email.objects.get()
    assert (email.state, email.attempts) == (Email.State.FAILED, 2)
    assert "connection refused" in email.last_error


def test_a_batch_the_mail_server_refuses_costs_the_same_queries_whatever_its_size(
    settings, monkeypatch
):
    from django.core.mail.backends.locmem import EmailBackend

    def refused(self):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(EmailBackend, "open", refused)
    counts = [_count_batch_queries(3, settings), _count_batch_queries_again(10, settings)]
    assert counts[0][1] == counts[1][1]
    assert set(Email.objects.values_list("state", "attempts")) == {(Email.State.QUEUED, 1)}
