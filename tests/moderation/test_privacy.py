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

    exported = json.loads(out.getvalue())
    assert [e["comment"] for e in exported] == ["Ana's first words.", "Ana's second words."]
    assert exported[1]["ip_address"] == "203.0.113.8" and exported[0]["essay"] == "An essay"

    dry = io.StringIO()
    call_command("erase_personal_data", "ana@example.org", "--by", "dpo", stdout=dry)
    assert "2 comment(s) would be erased" in dry.getvalue()
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
    assert daily_maintenance.call() == {"cleared": 1}
    old.refresh_from_db()
    assert old.ip_address is None
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("daily_maintenance")
    assert queued.run_after > timezone.now() + timedelta(hours=23)


def test_schedule_maintenance_refuses_without_a_deferring_backend():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="cron"):
        call_command("schedule_maintenance", stdout=io.StringIO())
