import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from comments.models import Comment
from moderation.models import Decision
from moderation.screening import screen
from tests.factories import make_essay, make_pending

pytestmark = pytest.mark.django_db


def test_request_data_is_cleared_after_the_retention_period(akismet_client, settings):
    akismet_client("Ham")
    settings.PRIVACY_RETENTION_DAYS = 30
    essay = make_essay()
    old = make_pending(essay, author_email="old@example.org", referrer="https://r.example/")
    recent = make_pending(essay, author_name="Recent")
    screen(old.pk)
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))

    out = io.StringIO()
    call_command("purge_personal_data", "--batch-size", "1", stdout=out)
    assert "cleared 1/1 comments" in out.getvalue()

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.ip_address, old.user_agent, old.referrer) == (None, "", "")
    assert old.body and old.author_name and old.author_email == "old@example.org"
    details = Decision.objects.get(comment=old, step="akismet").details
    assert "user_ip" not in details and "comment_author_email" not in details
    assert details["verdict"] == "ham" and details["comment_content"] == old.body
    assert recent.ip_address == "203.0.113.5"
    again = io.StringIO()
    call_command("purge_personal_data", stdout=again)
    assert "Nothing to clear." in again.getvalue()


def test_the_privacy_page_states_the_real_figures(client, settings):
    settings.PRIVACY_RETENTION_DAYS = 21
    settings.MODERATION_SPAM_RETENTION_DAYS = 9
    html = client.get("/privacy/").content.decode()
    assert "deleted 21 days after you comment" in html
    assert "spam are deleted after 9 days" in html


def test_export_and_erase_by_email_from_the_commands():
    from django.contrib.auth import get_user_model

    from tests.factories import make_comment

    staff = get_user_model().objects.create_user("dpo", is_staff=True)
    essay = make_essay("An essay")
    root = make_comment(essay, author_email="Ana@Example.org", body="Ana's first words.")
    reply = make_comment(essay, parent=root, author_email="other@example.org")
    make_comment(essay, author_email="ana@example.org", body="Ana's second words.",
                 ip_address="203.0.113.8")  # fmt: skip

    out = io.StringIO()
    call_command("export_personal_data", "ana@example.org", stdout=out)
    import json

    exported = json.loads(out.getvalue())["comments"]
    assert [e["comment"] for e in exported] == ["Ana's first words.", "Ana's second words."]
    assert exported[1]["ip_address"] == "203.0.113.8" and exported[0]["essay"] == "An essay"

    dry = io.StringIO()
    call_command("erase_personal_data", "ana@example.org", "--by", "dpo", stdout=dry)
    assert "2 comment(s) and 0 email subscription(s) would be erased" in dry.getvalue()
    assert Comment.objects.filter(author_email__iexact="ana@example.org").count() == 2

    call_command("erase_personal_data", "ana@example.org", "--by", "dpo", "--yes",
                 stdout=io.StringIO())  # fmt: skip
    assert not Comment.objects.filter(author_email__iexact="ana@example.org").exists()
    root.refresh_from_db()
    assert (root.status, root.body, root.author_name, root.ip_address) == ("removed", "", "", None)
    assert root.decisions.get(step="erased").actor == staff
    reply.refresh_from_db()
    assert reply.status == "approved"  # others' words stay


def test_erasing_from_the_admin_keeps_replies_in_context(client):
    from django.contrib.auth.models import Group
    from django.urls import reverse

    from tests.factories import make_comment, make_user

    essay = make_essay()
    root = make_comment(essay, author_email="gone@example.org", body="To be erased.")
    make_comment(essay, parent=root, body="A reply that stays.")
    moderator = make_user(is_staff=True, groups=[Group.objects.get(name="Moderators")])
    client.force_login(moderator)
    url = reverse("admin:comments_comment_changelist")
    export = client.post(url, {"action": "export_by_email", "_selected_action": [root.pk]})
    assert export["Content-Type"] == "application/json"
    assert b"To be erased." in export.content
    client.post(url, {"action": "erase_by_email", "_selected_action": [root.pk]})
    html = client.get(essay.get_absolute_url()).content.decode()
    assert "To be erased." not in html
    assert "This comment was removed." in html and "A reply that stays." in html


def test_daily_maintenance_purges_and_schedules_itself(settings):
    from django_tasks_db.models import DBTaskResult

    from moderation.tasks import daily_maintenance

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.PRIVACY_RETENTION_DAYS = 30
    old = make_pending(make_essay())
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    done = daily_maintenance.call()
    assert done["cleared"] == 1
    # Apps above moderation do their own upkeep then (subscriptions: stale requests).
    assert done["subscriptions.receivers"]["forgotten"] == 0
    old.refresh_from_db()
    assert old.ip_address is None
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("daily_maintenance")
    assert queued.run_after > timezone.now() + timedelta(hours=23)


def test_schedule_maintenance_refuses_without_a_deferring_backend():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="cron"):
        call_command("schedule_maintenance", stdout=io.StringIO())


# -- what an edit, a delete and an erase leave behind -------------------------------------


def _everything_kept_about(comment) -> str:
    """Every copy of a comment's data the site keeps, as one string to search."""
    import json

    from django.contrib.admin.models import LogEntry

    comment.refresh_from_db()
    rows = [
        [comment.body, comment.body_html, comment.author_name, comment.author_email,
         comment.ip_address, comment.user_agent, comment.referrer, comment.writer_key],
        list(comment.decisions.values_list("reason", "details")),
        list(comment.reports.values_list("note", "comment_text")),
        list(comment.edits.values_list("body", "content_warning")),
        list(LogEntry.objects.filter(object_id=str(comment.pk))
             .values_list("object_repr", "change_message")),
    ]  # fmt: skip
    return json.dumps(rows, default=str)


def _writer_posts(client, essay, body, **data):
    from tests.factories import comment_form_data

    headers = {"user-agent": "Writer's browser/1.0", "referer": "https://ref.example/"}
    client.post(
        f"/essays/{essay.slug}/comment/", comment_form_data(body=body, **data), headers=headers
    )
    return Comment.objects.get(body=body)


def test_a_writers_edit_replaces_the_words_kept_for_akismet(
    client, akismet_client, settings, django_capture_on_commit_callbacks
):
    """Identifying details edited out must not survive in the Akismet copy (moderators keep
    them, for the retention period), nor the purge."""
    calls = akismet_client("Ham")
    essay = make_essay()
    with django_capture_on_commit_callbacks(execute=True):
        comment = _writer_posts(client, essay, "I am Jo Bloggs of 12 Elm Street.")
    assert "12 Elm Street" in _everything_kept_about(comment)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/comments/{comment.pk}/edit/", {"body": "I am someone.", "content_warning": ""}
        )
    assert "12 Elm Street" not in str(list(comment.decisions.values_list("details", flat=True)))
    assert comment.edits.get().body == "I am Jo Bloggs of 12 Elm Street."
    # Feedback still sends what the comment says now.
    from moderation.services import mark_spam

    with django_capture_on_commit_callbacks(execute=True):
        mark_spam(comment=comment, moderator=_staff())
    assert calls[-1][0] == "submit_spam" and calls[-1][1]["comment_content"] == "I am someone."
    settings.PRIVACY_RETENTION_DAYS = 0
    call_command("purge_personal_data", stdout=io.StringIO())
    assert "12 Elm Street" not in _everything_kept_about(comment)


def test_an_editors_correction_replaces_the_words_kept_for_akismet(akismet_client, rf):
    from django.contrib import admin
    from django.contrib.messages.storage.fallback import FallbackStorage

    akismet_client("Ham")
    comment = make_pending(make_essay(), author_name="Jo Bloggs", body="My phone: 555-0100.")
    screen(comment.pk)
    assert "555-0100" in _everything_kept_about(comment)
    model_admin = admin.site._registry[Comment]
    request = rf.post("/")
    request.user, request.session = _staff(), {}
    request._messages = FallbackStorage(request)
    comment.author_name, comment.body = "J.", "My phone: [removed by an editor]."
    model_admin.save_model(request, comment, form=None, change=True)
    kept = _everything_kept_about(comment)
    assert "555-0100" not in kept and "Jo Bloggs" not in kept
    details = comment.decisions.get(step="akismet").details
    assert details["comment_author"] == "J." and details["verdict"] == "ham"


def test_a_writers_delete_drops_request_data_and_akismet_copies_at_once(
    client, akismet_client, django_capture_on_commit_callbacks
):
    akismet_client("Ham")
    essay = make_essay()
    with django_capture_on_commit_callbacks(execute=True):
        comment = _writer_posts(client, essay, "Words I regret.")
    assert comment.ip_address and comment.user_agent and comment.referrer and comment.writer_key
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/comments/{comment.pk}/delete/")
    comment.refresh_from_db()
    assert (comment.ip_address, comment.user_agent, comment.referrer, comment.writer_key) == (
        None, "", "", ""
    )  # fmt: skip
    kept = _everything_kept_about(comment)
    assert "Words I regret." not in kept and "Writer's browser" not in kept
    assert "127.0.0.1" not in kept


def test_feedback_queued_before_a_delete_is_not_sent_and_does_not_fail(
    akismet_client, django_capture_on_commit_callbacks
):
    from comments.services import withdraw_own_comment
    from moderation.services import deliver_feedback, mark_spam

    calls = akismet_client("Ham")
    comment = make_pending(make_essay())
    screen(comment.pk)
    mark_spam(comment=comment, moderator=_staff())  # feedback queued (not yet sent)
    Comment.objects.filter(pk=comment.pk).update(status="approved")
    comment.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_own_comment(comment=comment)
    feedback = comment.decisions.get(step="feedback")
    deliver_feedback(feedback.pk)
    feedback.refresh_from_db()
    assert feedback.outcome == "skipped" and "deleted or erased" in feedback.reason
    assert [name for name, _ in calls] == ["comment_check"]


def _staff(username="dpo"):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return User.objects.filter(username=username).first() or User.objects.create_superuser(
        username, password="pw-for-tests-only"
    )


def _logged_correction(comment):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    return LogEntry.objects.create(
        user=_staff(), content_type=ContentType.objects.get_for_model(Comment),
        object_id=str(comment.pk), object_repr=str(comment), action_flag=CHANGE,
        change_message="Changed the words of Jo Bloggs",
    )  # fmt: skip


def _reported(comment, note):
    from moderation.models import Report

    return Report.objects.create(comment=comment, reason="private", note=note, reporter="x" * 32)


def test_the_export_holds_everything_stored_about_the_writer(akismet_client):
    import json

    from moderation.models import ListEntry

    akismet_client("Ham")
    ListEntry.objects.create(kind="moderation_word", value="Elm")
    comment = make_pending(make_essay(), author_name="Jo Bloggs", author_email="jo@example.org",
                           body="Jo Bloggs of Elm Street.", writer_key="k" * 64)  # fmt: skip
    screen(comment.pk)
    _reported(comment, "This is my neighbour; I am Sam from number 14.")
    _logged_correction(comment)
    out = io.StringIO()
    call_command("export_personal_data", "jo@example.org", stdout=out)
    (exported,) = json.loads(out.getvalue())["comments"]
    assert exported["browser_key"] == "k" * 64
    akismet = next(d for d in exported["decisions"] if d["step"] == "Akismet")
    assert akismet["data_kept"]["comment_content"] == "Jo Bloggs of Elm Street."
    assert akismet["data_kept"]["user_ip"] == "203.0.113.5"
    assert any('moderation word "Elm"' in d["reason"] for d in exported["decisions"])
    (report,) = exported["reports"]
    assert report["reason"] == "Reveals someone\u2019s identity or private details"
    assert "Sam" not in out.getvalue()  # the reporter's note, which can name the reporter
    (entry,) = exported["admin_history"]
    assert entry["what"].startswith("Jo Bloggs on") and "Jo Bloggs" in entry["change"]


def test_erase_by_comment_permalink_finds_a_writer_who_gave_no_email(akismet_client):
    from django.contrib.admin.models import LogEntry

    from tests.factories import make_comment

    akismet_client("Ham")
    essay = make_essay()
    comment = make_pending(essay, author_name="Jo Bloggs", body="Jo Bloggs lives on Elm Street.")
    screen(comment.pk)
    other = make_comment(essay, author_name="Jo Bloggs", body="Another Jo, not erased.")
    _reported(comment, "Jo Bloggs of Elm Street is my neighbour.")
    _logged_correction(comment)

    out = io.StringIO()
    url = f"https://essays.example/comments/{comment.pk}/"
    call_command("export_personal_data", "--comment", url, stdout=out)
    assert "Jo Bloggs lives on Elm Street." in out.getvalue()
    dry = io.StringIO()
    call_command("erase_personal_data", "--comment", url, "--by", _staff().username, stdout=dry)
    assert "1 comment(s) would be erased" in dry.getvalue()
    call_command("erase_personal_data", "--comment", f"/essays/{essay.slug}/#comment-{comment.pk}",
                 "--by", "dpo", "--yes", stdout=io.StringIO())  # fmt: skip
    kept = _everything_kept_about(comment)
    assert "Jo Bloggs" not in kept and "Elm" not in kept and "203.0.113.5" not in kept
    entry = LogEntry.objects.get(object_id=str(comment.pk))
    assert entry.object_repr == f"Comment {comment.pk} (erased)" and entry.change_message == ""
    assert comment.decisions.get(step="erased").actor.username == "dpo"
    other.refresh_from_db()
    assert other.body == "Another Jo, not erased."  # the same name is not the same person


def test_erasing_by_email_removes_the_address_from_decision_reasons(akismet_client):
    from moderation.models import ListEntry

    akismet_client("Ham")
    ListEntry.objects.create(kind="disallowed_email", value="jo@example.org")
    comment = make_pending(make_essay(), author_email="Jo@Example.org")
    screen(comment.pk)
    assert "jo@example.org" in _everything_kept_about(comment).lower()
    call_command("erase_personal_data", "jo@example.org", "--by", _staff().username, "--yes",
                 stdout=io.StringIO())  # fmt: skip
    assert "jo@example.org" not in _everything_kept_about(comment).lower()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Give an email address, or --comment"),
        (["--comment", "not-a-comment"], "is not a comment id, permalink or #comment- anchor"),
        (["--comment", "999999"], "No comment with id 999999"),
    ],
)
def test_export_and_erase_need_a_clear_target(args, message):
    from django.core.management.base import CommandError

    for command in (["export_personal_data"], ["erase_personal_data", "--by", _staff().username]):
        with pytest.raises(CommandError, match=message):
            call_command(*command, *args, stdout=io.StringIO())


# -- the retention promise without cron ----------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the worker closes and reopens connections
def test_the_worker_schedules_the_daily_maintenance_itself_once(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.PRIVACY_RETENTION_DAYS = 30
    old = make_pending(make_essay())
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))

    def worker():
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload",
                     stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip

    worker()
    old.refresh_from_db()
    assert old.ip_address is None  # maintenance ran as soon as the worker started
    maintenance = DBTaskResult.objects.filter(task_path="moderation.tasks.daily_maintenance")
    assert maintenance.filter(status="SUCCESSFUL").count() == 1
    waiting = maintenance.filter(status="READY")
    assert waiting.count() == 1 and waiting.get().run_after > timezone.now() + timedelta(hours=23)
    worker()  # a restart, or a second worker: still one daily run waiting, none run twice
    call_command("schedule_maintenance", stdout=io.StringIO())
    assert waiting.count() == 1 and maintenance.filter(status="SUCCESSFUL").count() == 1


def test_the_admin_exports_and_erases_writers_who_gave_no_email(client):
    import json

    from django.contrib.auth.models import Group
    from django.urls import reverse

    from tests.factories import make_comment, make_user

    essay = make_essay()
    nameless = make_comment(essay, author_name="No Email", body="Words without an address.")
    make_comment(essay, author_name="No Email", body="Same name, another writer.")
    moderator = make_user(is_staff=True, groups=[Group.objects.get(name="Moderators")])
    client.force_login(moderator)
    url = reverse("admin:comments_comment_changelist")
    export = client.post(url, {"action": "export_by_email", "_selected_action": [nameless.pk]})
    data = json.loads(export.content)
    comments = data[f"comment {nameless.pk}"]["comments"]
    assert [c["comment"] for c in comments] == ["Words without an address."]
    client.post(url, {"action": "erase_by_email", "_selected_action": [nameless.pk]})
    nameless.refresh_from_db()
    assert (nameless.status, nameless.body) == ("removed", "")
    assert Comment.objects.filter(body="Same name, another writer.").exists()


def test_the_privacy_page_names_the_writer_cookie(client):
    html = client.get("/privacy/").content.decode()
    assert "<strong>comment_writer</strong>" in html
    assert "send us a link to each of your comments" in html
