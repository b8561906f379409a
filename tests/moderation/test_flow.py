"""A comment's whole life through the real views: post, screen, moderate, feedback."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from comments.models import Comment
from moderation.models import Decision
from moderation.services import mark_ham, mark_spam
from moderation.tasks import screen_comment
from tests.factories import comment_form_data, make_comment, make_essay, make_pending, make_user

pytestmark = pytest.mark.django_db


def post(client, essay, remote_addr="127.0.0.1", **data):
    return client.post(
        f"/essays/{essay.slug}/comment/", comment_form_data(**data), REMOTE_ADDR=remote_addr
    )


@pytest.mark.django_db(transaction=True)
def test_a_trusted_returning_author_is_published_before_the_redirect(client, akismet_client):
    """With the immediate backend, screening runs when the comment commits, so the
    redirect already knows the outcome (real commits here, not a test transaction)."""
    akismet_client("Ham")
    essay = make_essay()
    make_comment(essay, author_name="Returning", author_email="r@example.org")
    form = client.get(essay.get_absolute_url()).content.decode()
    started = form.split('name="started" value="')[1].split('"')[0]
    Comment.objects.update(created_at=timezone.now() - timedelta(days=1))
    import time

    from django.core import signing

    old = signing.TimestampSigner(salt="comments.form-started").sign(str(time.time() - 60))
    response = post(client, essay, author_name="Returning", author_email="r@example.org",
                    started=old, body="Welcome back to me.")  # fmt: skip
    assert started  # the form carries a signed time stamp
    comment = Comment.objects.get(body="Welcome back to me.")
    assert comment.status == "approved"
    assert (
        "Thank you. Your comment is published." in client.get(response["Location"]).content.decode()
    )
    assert comment.decisions.filter(step="policy", outcome="approve").exists()


def test_a_bot_filling_the_honeypot_lands_in_spam(
    client, akismet_client, django_capture_on_commit_callbacks
):
    akismet_client("Ham")
    essay = make_essay()
    with django_capture_on_commit_callbacks(execute=True):
        post(client, essay, homepage="http://bot.example", body="Buy now")
    assert Comment.objects.get().status == "spam"


def test_too_many_comments_from_one_address_get_429(client, settings):
    settings.MODERATION_RATE = 3
    essay = make_essay()
    for i in range(3):
        assert post(client, essay, body=f"Comment {i}").status_code == 302
    response = post(client, essay, body="The fourth, which I wrote carefully.")
    assert response.status_code == 429
    html = response.content.decode()
    assert "You are commenting too quickly." in html
    assert "The fourth, which I wrote carefully.</textarea>" in html
    assert Comment.objects.count() == 3
    other = post(client, essay, body="From elsewhere", remote_addr="198.51.100.1")
    assert other.status_code == 302


def test_correcting_akismet_sends_feedback_with_the_stored_values(
    akismet_client, django_capture_on_commit_callbacks
):
    calls = akismet_client("Ham")
    essay = make_essay()
    moderator = make_user("mod")
    comment = make_pending(essay, author_name="Looks fine")
    screen_comment.call(comment.pk)
    sent_check = calls[-1][1]
    with django_capture_on_commit_callbacks(execute=True):
        mark_spam(comment=comment, moderator=moderator)
    name, sent = calls[-1]
    assert name == "submit_spam" and sent == sent_check
    feedback = comment.decisions.get(step="feedback")
    assert feedback.outcome == "sent" and feedback.reason == "submit-spam sent"


def test_not_spam_on_akismet_spam_sends_submit_ham(
    akismet_client, django_capture_on_commit_callbacks
):
    calls = akismet_client("Spam")
    comment = make_pending(make_essay())
    screen_comment.call(comment.pk)
    comment.refresh_from_db()
    assert comment.status == "spam"
    with django_capture_on_commit_callbacks(execute=True):
        mark_ham(comment=comment, moderator=make_user("mod"))
    assert calls[-1][0] == "submit_ham"
    comment.refresh_from_db()
    assert comment.status == "approved"


def test_no_feedback_when_akismet_already_agreed(
    akismet_client, django_capture_on_commit_callbacks
):
    calls = akismet_client("Ham")
    comment = make_pending(make_essay())
    screen_comment.call(comment.pk)
    with django_capture_on_commit_callbacks(execute=True):
        from moderation.services import approve_comment

        approve_comment(comment=comment, moderator=make_user("mod"))
    assert [c[0] for c in calls] == ["comment_check"]
    assert not comment.decisions.filter(step="feedback").exists()


@pytest.mark.django_db(transaction=True)  # the worker closes and reopens connections
def test_screening_on_the_database_backend_with_a_worker(client, akismet_client, settings):
    akismet_client("Spam")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    essay = make_essay()
    response = post(client, essay, body="Queued for the worker.")
    comment = Comment.objects.get()
    assert comment.status == "pending"  # the reader did not wait for Akismet
    assert (
        "Your comment is awaiting moderation." in client.get(response["Location"]).content.decode()
    )
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload",
                 stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip
    comment.refresh_from_db()
    assert comment.status == "spam"
    assert comment.decisions.filter(step="akismet", outcome="spam").exists()


def test_purge_spam_respects_retention_and_discard(settings):
    settings.MODERATION_SPAM_RETENTION_DAYS = 15
    settings.MODERATION_DISCARD_RETENTION_DAYS = 1
    essay = make_essay()
    old = make_comment(essay, status="spam")
    recent = make_comment(essay, status="spam")
    discarded = make_comment(essay, status="spam")
    Decision.objects.create(comment=discarded, step="akismet", outcome="spam",
                            details={"verdict": "discard"})  # fmt: skip
    kept_ham = make_comment(essay)
    now = timezone.now()
    Comment.objects.filter(pk=old.pk).update(updated_at=now - timedelta(days=16))
    Comment.objects.filter(pk=recent.pk).update(updated_at=now - timedelta(days=3))
    Comment.objects.filter(pk=discarded.pk).update(updated_at=now - timedelta(days=2))
    out = io.StringIO()
    call_command("purge_spam", stdout=out)
    assert "Purged 2 spam comment(s)" in out.getvalue()
    assert set(Comment.objects.values_list("pk", flat=True)) == {recent.pk, kept_ham.pk}
