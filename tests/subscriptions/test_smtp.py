"""End to end over SMTP: the messages a real mail server receives, their links followed."""

import re

import pytest
from django.test import Client

from subscriptions.models import Subscription
from tests.subscriptions.conftest import committed, site_path
from tests.subscriptions.smtp import SMTPServer, html_part, text_part
from tests.subscriptions.test_essays import draft, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    server = SMTPServer()
    settings.MAILERS = {"default": server.mailer()}
    settings.DEFAULT_FROM_EMAIL = "Hard Subjects <essays@127.0.0.1>"
    yield server
    server.stop()


def test_confirm_receive_and_unsubscribe_through_a_real_mail_server(smtp):
    with committed():
        answer = Client().post("/subscribe/", {"email": "Reader@Example.org"})
    assert answer.status_code == 200
    ((to, confirmation),) = smtp.wait_for(1)
    assert to == ["reader@example.org"]
    assert confirmation["Subject"] == "Please confirm your email for Hard Subjects"
    assert confirmation["From"] == "Hard Subjects <essays@127.0.0.1>"
    assert confirmation["Auto-Submitted"] == "auto-generated"
    assert confirmation.get_content_type() == "multipart/alternative"
    (link,) = re.findall(
        r"http://127\.0\.0\.1:8000(/subscribe/confirm/\S+/)", text_part(confirmation)
    )
    assert link in html_part(confirmation)
    assert Client().post(link).status_code == 200
    assert Subscription.objects.get().confirmed_at is not None

    publish(draft("Over the wire", summary="A summary that travels."))
    (_, essay_mail) = smtp.wait_for(2)[1]
    assert essay_mail["Subject"] == "New essay: Over the wire"
    assert "A summary that travels." in text_part(essay_mail)
    assert essay_mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = essay_mail["List-Unsubscribe"]
    assert header.startswith("<http://127.0.0.1:8000/unsubscribe/") and header.endswith(">")
    # The mail client's one-click button: a POST of exactly this body, nothing else.
    answer = Client(enforce_csrf_checks=True).post(
        site_path(header.strip("<>")), "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert answer.status_code == 200
    assert Subscription.objects.get().ended_at is not None
    publish(draft("Not sent"))
    assert len(smtp.wait_for(3, timeout=0.5)) == 2


def test_the_mail_server_down_loses_nothing(settings):
    from subscriptions.models import Email
    from tests.subscriptions.smtp import free_port

    settings.MAILERS = {"default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 1},
    }}  # fmt: skip
    with committed():
        assert Client().post("/subscribe/", {"email": "reader@example.org"}).status_code == 200
    email = Email.objects.get()
    assert (email.state, email.attempts) == (Email.State.QUEUED, 1)
    assert "ConnectionRefusedError" in email.last_error
