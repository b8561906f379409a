"""A comment's whole life through the real views: post, screen, moderate, feedback."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
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


def _an_old_stamp():
    import time

    from django.core import signing

    return signing.TimestampSigner(salt="comments.form-started").sign(str(time.time() - 60))


@pytest.mark.django_db(transaction=True)
def test_a_trusted_returning_author_is_published_before_the_redirect(client, akismet_client):
    """With the immediate backend, screening runs when the comment commits, so the
    redirect already knows the outcome (real commits here, not a test transaction)."""
    akismet_client("Ham")
    essay = make_essay()
    form = client.get(essay.get_absolute_url()).content.decode()
    started = form.split('name="started" value="')[1].split('"')[0]
    assert started  # the form carries a signed time stamp
    post(client, essay, author_name="Returning", author_email="r@example.org",
         started=_an_old_stamp(), body="My first words here.")  # fmt: skip
    first = Comment.objects.get(body="My first words here.")
    assert first.status == "pending"  # a first comment waits for a person
    Comment.objects.filter(pk=first.pk).update(status="approved")
    response = post(client, essay, author_name="Returning", author_email="r@example.org",
                    started=_an_old_stamp(), body="Welcome back to me.")  # fmt: skip
    comment = Comment.objects.get(body="Welcome back to me.")
    assert comment.status == "approved"
    assert (
        "Thank you. Your comment is published." in client.get(response["Location"]).content.decode()
    )
    assert comment.decisions.filter(step="policy", outcome="approve").exists()


@pytest.fixture
def approved_writer(client, akismet_client, django_capture_on_commit_callbacks):
    """A browser whose comment under "Pseudonym" (and, given, an email) a moderator approved."""
    akismet_client("Ham")
    essay = make_essay()

    def write(email=""):
        with django_capture_on_commit_callbacks(execute=True):
            post(client, essay, author_name="Pseudonym", author_email=email,
                 started=_an_old_stamp(), body="An approved comment.")  # fmt: skip
        Comment.objects.filter(body="An approved comment.").update(status="approved")
        return essay

    return write


def post_screened(client, essay, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, essay, started=_an_old_stamp(), **data)
    return Comment.objects.get(body=data["body"])


def test_the_pseudonym_copied_from_the_page_is_held(
    approved_writer, django_capture_on_commit_callbacks
):
    essay = approved_writer()
    stranger = Client()
    assert "Pseudonym" in stranger.get(essay.get_absolute_url()).content.decode()
    comment = post_screened(stranger, essay, django_capture_on_commit_callbacks,
                            author_name="Pseudonym", body="Pretending to be them.")  # fmt: skip
    assert comment.status == "pending"


def test_the_same_browsers_second_comment_is_trusted(
    approved_writer, client, django_capture_on_commit_callbacks
):
    essay = approved_writer()
    comment = post_screened(client, essay, django_capture_on_commit_callbacks,
                            author_name="Pseudonym", body="My second comment.")  # fmt: skip
    assert comment.status == "approved"
    # The proof is the signed token, not the name: the same browser under a new name waits.
    renamed = post_screened(client, essay, django_capture_on_commit_callbacks,
                            author_name="New name", body="Under another name.")  # fmt: skip
    assert renamed.status == "pending"


def test_an_email_alone_is_held(approved_writer, django_capture_on_commit_callbacks):
    essay = approved_writer(email="writer@example.org")
    stranger = Client()
    comment = post_screened(stranger, essay, django_capture_on_commit_callbacks,
                            author_name="Pseudonym", author_email="writer@example.org",
                            body="Guessed their email.")  # fmt: skip
    assert comment.status == "pending"


def test_a_forged_or_copied_writer_cookie_earns_no_trust(
    approved_writer, client, settings, django_capture_on_commit_callbacks
):
    essay = approved_writer()
    stored = Comment.objects.get(body="An approved comment.").writer_key
    assert len(stored) == 64 and stored not in client.cookies[settings.COMMENTS_WRITER_COOKIE].value
    forger = Client()
    forger.cookies[settings.COMMENTS_WRITER_COOKIE] = stored  # the hash, were it ever seen
    comment = post_screened(forger, essay, django_capture_on_commit_callbacks,
                            author_name="Pseudonym", body="A forged cookie.")  # fmt: skip
    assert comment.status == "pending"
    assert comment.writer_key != stored


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
