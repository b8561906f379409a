import pytest
from django.core import mail
from django.core.management import call_command

from comments.models import Comment
from moderation.models import ListEntry
from moderation.screening import screen
from tests.factories import make_comment, make_essay, make_pending, make_user

pytestmark = pytest.mark.django_db

# The immediate backend (the tests' default) cannot run a retry later: the reason says so.
NO_RETRY = "; not retried by itself; run `python manage.py recheck_comments`"


@pytest.fixture
def essay():
    return make_essay()


# Writer keys: hashes of the tokens in two browsers' comment_writer cookies.
BROWSER, OTHER_BROWSER = "a" * 64, "b" * 64


def steps(comment):
    return {d.step: (d.outcome, d.reason) for d in comment.decisions.all()}


def test_honeypot_means_spam_without_asking_akismet(essay, akismet_client):
    calls = akismet_client("Ham")
    comment = make_pending(essay, form_honeypot="http://spam.example")
    assert screen(comment.pk) == "spam"
    comment.refresh_from_db()
    assert comment.status == "spam"
    assert steps(comment)["honeypot"] == ("spam", "the hidden field was filled in")
    assert steps(comment)["policy"][0] == "spam"
    assert calls == []


@pytest.mark.parametrize(
    ("seconds", "reason"),
    [
        (1.2, "sent 1.2 s after the form was shown (minimum 3 s)"),
        (None, "form time stamp missing or not genuine"),
    ],
)
def test_time_trap_holds_for_review(essay, akismet_client, seconds, reason):
    akismet_client("Ham")
    make_comment(essay, author_name="Regular", writer_key=BROWSER)  # would be trusted...
    comment = make_pending(essay, author_name="Regular", form_seconds=seconds, writer_key=BROWSER)
    assert screen(comment.pk) == "pending"  # ...but the time trap holds it
    assert steps(comment)["time_trap"] == ("hold", reason)
    assert reason in steps(comment)["policy"][1]


@pytest.mark.parametrize(
    ("kind", "value", "fields", "outcome", "reason"),
    [
        ("disallowed_word", "Casino", {"body": "Best casino deals"}, "spam",
         'disallowed word "Casino"'),
        ("disallowed_word", "pills", {"author_url": "https://pills.example"}, "spam",
         'disallowed word "pills"'),
        ("disallowed_ip", "203.0.113.0/24", {}, "spam", "disallowed IP address 203.0.113.0/24"),
        ("disallowed_email", "@junk.example", {"author_email": "a@JUNK.example"}, "spam",
         "disallowed email @junk.example"),
        ("moderation_word", "lawyer", {"body": "Ask a Lawyer about it"}, "hold",
         'moderation word "lawyer"'),
    ],
)  # fmt: skip
def test_moderators_lists(essay, akismet_client, kind, value, fields, outcome, reason):
    akismet_client("Ham")
    ListEntry.objects.create(kind=kind, value=value)
    comment = make_pending(essay, **fields)
    screen(comment.pk)
    comment.refresh_from_db()
    assert steps(comment)["rules"] == (outcome, reason)
    assert comment.status == ("spam" if outcome == "spam" else "pending")


def test_many_links_hold_for_review(essay, akismet_client, settings):
    akismet_client("Ham")
    settings.MODERATION_MAX_LINKS = 2
    comment = make_pending(essay, body="See https://a.example and https://b.example")
    screen(comment.pk)
    assert steps(comment)["links"] == ("hold", "2 links (held at 2 or more)")
    one = make_pending(essay, body="See https://a.example", author_name="Other")
    screen(one.pk)
    assert steps(one)["links"] == ("pass", "1 link")


@pytest.mark.parametrize(
    ("client", "status", "reason"),
    [("Spam", "spam", "Akismet: spam"), ("Discard", "spam", "Akismet: blatant spam (discard)")],
)
def test_akismet_spam_verdicts_go_to_the_spam_folder(essay, akismet_client, client, status, reason):
    akismet_client(client)
    comment = make_pending(essay)
    assert screen(comment.pk) == status
    assert steps(comment)["akismet"] == ("spam", reason)
    verdict = comment.decisions.get(step="akismet").details["verdict"]
    assert verdict == client.lower()


def test_ham_from_a_returning_author_is_approved(essay, akismet_client):
    akismet_client("Ham")
    make_comment(essay, author_name="Ana", author_email="ana@example.org", writer_key=BROWSER)
    comment = make_pending(
        essay, author_name="Ana B.", author_email="ANA@example.org", writer_key=BROWSER
    )
    assert screen(comment.pk) == "approved"
    assert steps(comment)["akismet"] == ("pass", "Akismet: not spam")
    assert steps(comment)["policy"][0] == "approve"


def test_returning_author_without_email_is_matched_by_name_from_the_same_browser(
    essay, akismet_client
):
    akismet_client("Ham")
    make_comment(essay, author_name="Pseudonym", writer_key=BROWSER)
    assert screen(make_pending(essay, author_name="Pseudonym", writer_key=BROWSER).pk) == (
        "approved"
    )
    assert screen(make_pending(essay, author_name="Someone new", writer_key=BROWSER).pk) == (
        "pending"
    )


@pytest.mark.parametrize("writer_key", ["", OTHER_BROWSER])
def test_the_public_pseudonym_alone_is_held(essay, akismet_client, writer_key):
    """The name is on the page: copying it from another browser (or none) earns no trust."""
    akismet_client("Ham")
    make_comment(essay, author_name="Pseudonym", writer_key=BROWSER)
    comment = make_pending(essay, author_name="Pseudonym", writer_key=writer_key)
    assert screen(comment.pk) == "pending"
    assert steps(comment)["policy"] == ("hold", "held for review: first comment from this author")


@pytest.mark.parametrize("writer_key", ["", OTHER_BROWSER])
def test_an_email_alone_is_held(essay, akismet_client, writer_key):
    """An email is never shown but can be guessed: without the browser's proof, held."""
    akismet_client("Ham")
    make_comment(essay, author_name="Ana", author_email="ana@example.org", writer_key=BROWSER)
    comment = make_pending(
        essay, author_name="Ana", author_email="ana@example.org", writer_key=writer_key
    )
    assert screen(comment.pk) == "pending"


def test_trust_needs_the_browsers_earlier_comment_to_be_approved(essay, akismet_client):
    akismet_client("Ham")
    for status in ("pending", "spam", "removed"):
        make_comment(essay, author_name="Pseudonym", writer_key=BROWSER, status=status)
    assert screen(make_pending(essay, author_name="Pseudonym", writer_key=BROWSER).pk) == (
        "pending"
    )


def test_first_comment_is_held_and_policy_settings_apply(essay, akismet_client, settings):
    akismet_client("Ham")
    comment = make_pending(essay, author_name="New")
    assert screen(comment.pk) == "pending"
    assert steps(comment)["policy"] == ("hold", "held for review: first comment from this author")

    make_comment(essay, author_name="Known", writer_key=BROWSER)
    settings.MODERATION_ALWAYS_HOLD = True
    held = make_pending(essay, author_name="Known", writer_key=BROWSER)
    assert screen(held.pk) == "pending"
    assert "every comment is held" in steps(held)["policy"][1]

    settings.MODERATION_ALWAYS_HOLD = False
    settings.MODERATION_TRUST_RETURNING = False
    assert screen(make_pending(essay, author_name="Known", writer_key=BROWSER).pk) == "pending"


def test_everything_akismet_asks_for_is_sent_and_kept(essay, akismet_client, settings):
    calls = akismet_client("Ham")
    settings.DEBUG = True
    parent = make_comment(essay)
    comment = make_pending(
        essay, parent=parent, author_name="Kim", author_email="kim@example.org",
        author_url="https://kim.example", body="Hello", referrer="https://ref.example/",
    )  # fmt: skip
    screen(comment.pk)
    ((name, sent),) = calls
    assert name == "comment_check"
    assert sent == {
        "user_ip": "203.0.113.5",
        "user_agent": "Mozilla/5.0 (test)",
        "referrer": "https://ref.example/",
        "permalink": f"https://essays.example{essay.get_absolute_url()}",
        "comment_type": "reply",
        "comment_author": "Kim",
        "comment_author_email": "kim@example.org",
        "comment_author_url": "https://kim.example",
        "comment_content": "Hello",
        "comment_date_gmt": sent["comment_date_gmt"],
        "honeypot_field_name": "homepage",
        "blog_lang": "en",
        "blog_charset": "UTF-8",
        "is_test": True,
    }
    assert sent["comment_date_gmt"].endswith("+00:00")
    stored = comment.decisions.get(step="akismet").details
    assert {k: v for k, v in stored.items() if k != "verdict"} == sent


def test_without_a_key_akismet_is_skipped_and_the_comment_held(essay, settings):
    settings.PYTHON_AKISMET_API_KEY = ""
    make_comment(essay, author_name="Known")
    comment = make_pending(essay, author_name="Known")
    assert screen(comment.pk) == "pending"
    assert steps(comment)["akismet"] == ("skipped", "skipped: not configured")
    assert "Akismet is not configured" in steps(comment)["policy"][1]


def test_invalid_key_keeps_the_comment_pending_for_a_retry(essay, akismet_client):
    akismet_client("InvalidKey")
    comment = make_pending(essay)
    assert screen(comment.pk) == "pending"
    outcome, reason = steps(comment)["akismet"]
    assert outcome == "error"
    assert reason == "spam check unavailable: the Akismet API key is invalid" + NO_RETRY
    assert "policy" not in steps(comment)


def test_screening_twice_decides_once(essay, akismet_client):
    akismet_client("Ham")
    comment = make_pending(essay)
    screen(comment.pk)
    screen(comment.pk)
    assert comment.decisions.filter(step="policy").count() == 1
    assert comment.decisions.filter(step="honeypot").count() == 1
    assert screen(999999) is None


def test_moderators_are_emailed_about_held_comments_when_asked(
    essay, akismet_client, settings, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Group

    akismet_client("Ham")
    make_user("mod", email="mod@example.org", groups=[Group.objects.get(name="Moderators")])
    with django_capture_on_commit_callbacks(execute=True):
        screen(make_pending(essay).pk)
    assert mail.outbox == []
    settings.MODERATION_NOTIFY_HELD = True
    with django_capture_on_commit_callbacks(execute=True):
        screen(make_pending(essay, author_name="Another").pk)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mod@example.org"]
    assert "held for review" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("error500", "spam check unavailable: Akismet could not be reached" + NO_RETRY),
        ("slow", "spam check unavailable: Akismet timed out" + NO_RETRY),
        ("invalid", "spam check unavailable: the Akismet API key is invalid" + NO_RETRY),
        ("garbage", "spam check unavailable: unexpected answer from Akismet" + NO_RETRY),
    ],
)
def test_akismet_outages_leave_the_comment_pending_and_recheck_finishes_it(
    essay, fake_akismet, mode, reason
):
    fake_akismet.mode = mode
    make_comment(essay, author_name="Known", writer_key=BROWSER)
    comment = make_pending(essay, author_name="Known", writer_key=BROWSER)
    assert screen(comment.pk) == "pending"
    assert steps(comment)["akismet"] == ("error", reason)
    assert "policy" not in steps(comment)

    from tests.isolation import clear_this_runs_cache

    clear_this_runs_cache()  # forget the key check, as an hour later would
    fake_akismet.mode = "ham"
    Comment.objects.filter(pk=comment.pk).update(created_at=comment.created_at.replace(year=2025))
    out = __import__("io").StringIO()
    call_command("recheck_comments", stdout=out)
    assert "rechecked 1/1 (approved 1)" in out.getvalue()
    comment.refresh_from_db()
    assert comment.status == "approved"
    assert comment.decisions.filter(step="honeypot").count() == 1  # local checks not repeated
    assert list(comment.decisions.filter(step="akismet").values_list("outcome", flat=True)) == [
        "error", "pass",
    ]  # fmt: skip


def test_refused_connection_is_an_outage_too(essay, settings, closed_port_url):
    settings.PYTHON_AKISMET_API_KEY = "test-key"
    settings.AKISMET_CLIENT_CLASS = "akismet.SyncClient"
    settings.AKISMET_API_BASE = closed_port_url
    comment = make_pending(essay)
    assert screen(comment.pk) == "pending"
    assert steps(comment)["akismet"] == (
        "error", "spam check unavailable: Akismet could not be reached" + NO_RETRY,
    )  # fmt: skip


def test_the_key_is_verified_once_not_per_comment(essay, fake_akismet):
    for i in range(3):
        screen(make_pending(essay, author_name=f"R{i}").pk)
    verifies = [p for p in fake_akismet.requests if p.endswith("verify-key")]
    checks = [p for p in fake_akismet.requests if p.endswith("comment-check")]
    assert len(verifies) == 1 and len(checks) == 3


def test_retry_is_scheduled_with_backoff_on_a_deferring_backend(essay, akismet_client, settings):
    from django_tasks_db.models import DBTaskResult

    akismet_client("InvalidKey")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MODERATION_RETRY_BASE_SECONDS = 60
    comment = make_pending(essay)
    screen(comment.pk)
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [comment.pk]
    assert task.run_after is not None
    delay = (task.run_after - comment.decisions.get(step="akismet").created_at).total_seconds()
    assert 55 < delay < 65
    assert steps(comment)["akismet"] == (
        "error", "spam check unavailable: the Akismet API key is invalid; will retry",
    )  # fmt: skip


def test_after_the_last_retry_the_reason_says_to_recheck_by_hand(essay, akismet_client, settings):
    from django_tasks_db.models import DBTaskResult

    from moderation.models import Decision
    from moderation.screening import MAX_RETRIES

    akismet_client("InvalidKey")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    comment = make_pending(essay)
    screen(comment.pk)
    Decision.objects.bulk_create(
        [
            Decision(comment=comment, step="akismet", outcome="error", reason="earlier")
            for _ in range(MAX_RETRIES - 2)
        ]
    )
    DBTaskResult.objects.all().delete()
    screen(comment.pk)  # the sixth try
    last = comment.decisions.filter(step="akismet").order_by("pk").last()
    assert last.reason == (
        "spam check unavailable: the Akismet API key is invalid; "
        f"gave up after {MAX_RETRIES} tries; run `python manage.py recheck_comments`"
    )
    assert not DBTaskResult.objects.exists()
    assert comment.status == "pending"


def test_screening_does_not_hold_a_comment_a_moderator_already_approved(
    essay, akismet_client, settings
):
    from moderation import akismet
    from moderation.services import approve_comment

    akismet_client("Ham")
    settings.MODERATION_NOTIFY_HELD = True
    comment = make_pending(essay)
    original = akismet.check

    def approve_while_checking(params):
        approve_comment(comment=Comment.objects.get(pk=comment.pk), moderator=make_user("m"))
        return original(params)

    akismet.check = approve_while_checking
    try:
        assert screen(comment.pk) == "pending"  # screening's own view when it finished
    finally:
        akismet.check = original
    comment.refresh_from_db()
    assert comment.status == "approved"
    assert not comment.decisions.filter(step="policy").exists()
    assert mail.outbox == []


def test_a_comment_already_being_screened_is_not_screened_twice(essay, akismet_client):
    from django.core.cache import cache

    calls = akismet_client("Ham")
    comment = make_pending(essay)
    cache.add(f"moderation:screening:{comment.pk}", 1, 60)
    assert screen(comment.pk) == "pending"
    assert calls == [] and not comment.decisions.exists()
