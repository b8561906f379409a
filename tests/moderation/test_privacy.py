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
