"""What operators and moderators see and do: bounces, the export and erase of personal
data, the admin lists, held-comment emails, the email's shape."""

import io
import json
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from subscriptions.models import Address, Email, Subscription
from tests.factories import make_comment, make_user
from tests.subscriptions.conftest import approve, committed, confirmed, links, site_path

pytestmark = pytest.mark.django_db
Kind = Subscription.Kind


def test_the_bounce_command_turns_addresses_off(tmp_path, essay):
    confirmed("ana@example.org", kind=Kind.DISCUSSION, essay=essay)
    listing = tmp_path / "bounces.txt"
    listing.write_text("ANA@example.org\nnobody@example.org\nnot-an-address\n")
    out = io.StringIO()
    call_command("disable_addresses", "--from-file", str(listing), stdout=out)
    assert "Turned off 1 address(es)." in out.getvalue()
    assert "nobody@example.org" in out.getvalue() and "not-an-address" in out.getvalue()
    assert Address.objects.get().disabled_reason == Address.Disabled.BOUNCED
    mail.outbox.clear()
    approve(make_comment(essay, status="pending"))
    assert mail.outbox == []
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("disable_addresses", "--from-file", str(tmp_path / "missing"))
    with pytest.raises(CommandError, match="at least one address"):
        call_command("disable_addresses")


def test_anymails_tracking_webhook_turns_off_a_hard_bounce_but_not_a_soft_one(essay):
    from anymail.signals import AnymailTrackingEvent, tracking

    confirmed("ana@example.org", kind=Kind.DISCUSSION, essay=essay)
    soft = AnymailTrackingEvent(event_type="deferred", recipient="ana@example.org")
    tracking.send(sender=object, event=soft, esp_name="Test")
    assert Address.objects.get().disabled_at is None
    hard = AnymailTrackingEvent(event_type="bounced", recipient="Ana@example.org")
    tracking.send(sender=object, event=hard, esp_name="Test")
    assert Address.objects.get().disabled_reason == Address.Disabled.BOUNCED


def test_subscriptions_are_in_the_export_and_go_with_the_erase(essay):
    make_comment(essay, author_email="ana@example.org", body="My words.")
    confirmed("ana@example.org", kind=Kind.DISCUSSION, essay=essay)
    staff = make_user("dpo", is_staff=True)
    out = io.StringIO()
    call_command("export_personal_data", "ana@example.org", stdout=out)
    data = json.loads(out.getvalue())
    assert [c["comment"] for c in data["comments"]] == ["My words."]
    (subscription,) = data["subscriptions"]
    assert subscription["what"] == "Emails about new comments on \u201cTelling it slowly\u201d."
    assert subscription["confirmed_at"] and data["email_address"]["email"] == "ana@example.org"
    assert [e["kind"] for e in data["emails_sent"]] == ["Confirmation link"]
    dry = io.StringIO()
    call_command("erase_personal_data", "ana@example.org", "--by", staff.username, stdout=dry)
    assert "1 comment(s) and 1 email subscription(s) would be erased" in dry.getvalue()
    assert Address.objects.exists()
    call_command("erase_personal_data", "ana@example.org", "--by", staff.username, "--yes",
                 stdout=io.StringIO())  # fmt: skip
    assert not Address.objects.exists() and not Subscription.objects.exists()
    assert not Email.objects.exists()


def test_moderators_see_that_an_address_is_subscribed_readers_never_do(client, essay):
    confirmed("ana@example.org", kind=Kind.DISCUSSION, essay=essay)
    moderator = make_user(is_staff=True, groups=[Group.objects.get(name="Moderators")])
    staff = Client()
    staff.force_login(moderator)
    page = staff.get(reverse("admin:subscriptions_subscription_changelist"))
    assert page.status_code == 200 and b"a\xe2\x80\xa6@example.org" in page.content
    addresses = staff.get(reverse("admin:subscriptions_address_changelist"))
    assert b"ana@example.org" in addresses.content
    for path in (essay.get_absolute_url(), "/", "/subscribe/"):
        assert b"ana@example.org" not in client.get(path).content
    assert client.get(reverse("admin:subscriptions_address_changelist")).status_code == 302


def test_held_comments_reach_moderators_through_the_same_digests(essay, settings):
    settings.MODERATION_NOTIFY_HELD = True
    make_user("mod", email="Mod@example.org", groups=[Group.objects.get(name="Moderators")])
    from moderation.screening import screen

    first = make_comment(essay, status="pending", form_seconds=30.0, ip_address="203.0.113.5")
    with committed():
        screen(first.pk)
    (sent,) = mail.outbox
    assert sent.to == ["mod@example.org"]
    assert "held for review" in sent.body and "?status=pending" in sent.body
    # A second within the digest window waits, like readers' emails.
    second = make_comment(essay, status="pending", form_seconds=30.0, author_name="Other")
    with committed():
        screen(second.pk)
    assert len(mail.outbox) == 1
    # The moderator stops them with the link: held comments no longer email them.
    (link,) = links(sent, "/unsubscribe/")
    Client().post(site_path(link), {"scope": "these"})
    Address.objects.update(digest_due_at=None, last_digest_at=None)
    third = make_comment(essay, status="pending", form_seconds=30.0, author_name="Third")
    with committed():
        screen(third.pk)
    assert len(mail.outbox) == 1


class _Shape(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.links, self.styles = set(), [], 0

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        attrs = dict(attrs)
        if "href" in attrs:
            self.links.append(attrs["href"])
        self.styles += "style" in attrs


@pytest.mark.parametrize("kind", ["confirm", "replies", "essay"])
def test_every_email_has_both_parts_and_passes_a_basic_email_check(essay, kind):
    if kind == "confirm":
        with committed():
            Client().post("/subscribe/", {"email": "ana@example.org"})
    elif kind == "replies":
        confirmed("ana@example.org", kind=Kind.DISCUSSION, essay=essay)
        mail.outbox.clear()
        approve(make_comment(essay, status="pending", body="See https://example.org/x <b>now</b>"))
    else:
        from tests.subscriptions.test_essays import draft, publish, subscribers

        subscribers(1)
        publish(draft())
    message = mail.outbox[-1]
    html = message.alternatives[0].content
    assert message.body.strip() and message.alternatives[0].mimetype == "text/html"
    shape = _Shape()
    shape.feed(html)
    # No images or other external resources, no script, no CSS needed: links only.
    assert not shape.tags & {"img", "link", "script", "style", "iframe", "object", "form"}
    assert shape.styles == 0 and '<html lang="en">' in html and "<title>" in html
    assert shape.links and all(
        href.startswith(("http://127.0.0.1:8000/", "https://example.org/")) for href in shape.links
    )
    assert message.extra_headers["Message-ID"].endswith("@127.0.0.1>")


def test_the_record_of_sent_emails_is_forgotten_after_the_retention_period(essay, settings):
    from datetime import timedelta

    from django.utils import timezone

    from subscriptions.models import Notification
    from tests.subscriptions.conftest import send_due_mail

    confirmed("ana@example.org", kind=Kind.DISCUSSION, essay=essay)
    approve(make_comment(essay, status="pending"))
    assert Email.objects.count() == 2 and Notification.objects.count() == 1
    old = timezone.now() - timedelta(days=settings.PRIVACY_RETENTION_DAYS + 1)
    Email.objects.update(created_at=old)
    assert '"emails_forgotten": 2' in send_due_mail()
    assert not Email.objects.exists() and not Notification.objects.exists()
    assert Subscription.objects.get().is_active  # the subscription itself stays
