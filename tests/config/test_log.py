"""What the log shows of refused requests: one line each, nothing about the reader."""

import io
import logging

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from blog.models import Essay
from tests.factories import make_essay, make_user

pytestmark = pytest.mark.django_db

BIG_HEADER = "h" * 8000


@pytest.fixture
def log_lines():
    """What the site's console handler (LOGGING in settings) writes, as a list of lines."""
    handler = logging.getHandlerByName("console")
    assert handler is not None, "LOGGING has no 'console' handler"
    buffer = io.StringIO()
    old = handler.setStream(buffer)
    yield lambda: buffer.getvalue().splitlines()
    handler.setStream(old)


def assert_one_plain_line(lines, *expected):
    # Other loggers (axes on a login) may write too; the request's record is what is checked.
    lines = [line for line in lines if " django." in line]
    assert len(lines) == 1, lines
    line = lines[0]
    assert len(line) < 300, line
    assert "Traceback" not in line
    for part in expected:
        assert part in line, line
    # Nothing about the reader: no query string, headers or address.
    for private in ("secret-query", BIG_HEADER[:50], "203.0.113.9", "cookie-value"):
        assert private not in line, line


def test_a_bad_host_header_is_one_warning_line(log_lines):
    client = Client(HTTP_X_PADDING=BIG_HEADER, HTTP_COOKIE="a=cookie-value")
    response = client.get(
        "/essays/x/?q=secret-query", HTTP_HOST="evil.example", REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 400
    assert_one_plain_line(
        log_lines(), "WARNING", "GET /essays/x/ 400", "Invalid HTTP_HOST header: 'evil.example'"
    )


def test_a_very_long_bad_host_header_is_cut_short(log_lines):
    response = Client().get("/", HTTP_HOST="evil-" + "x" * 8000 + ".example")
    assert response.status_code == 400
    assert_one_plain_line(log_lines(), "GET / 400 Invalid HTTP_HOST header")


def test_a_post_refused_by_csrf_is_one_line(log_lines):
    client = Client(enforce_csrf_checks=True, HTTP_X_PADDING=BIG_HEADER)
    response = client.post(
        "/preferences/?q=secret-query", {"hide": []}, REMOTE_ADDR="203.0.113.9",
        headers={"sec-fetch-site": "cross-site"},
    )  # fmt: skip
    assert response.status_code == 403
    assert_one_plain_line(log_lines(), "POST /preferences/ 403 Forbidden")


def test_permission_denied_is_one_line_without_its_traceback(log_lines):
    draft = make_essay(status=Essay.Status.DRAFT)
    client = Client(HTTP_X_PADDING=BIG_HEADER)
    client.force_login(make_user(is_staff=True, groups=[Group.objects.get(name="Moderators")]))
    url = reverse("blog:essay_preview", kwargs={"pk": draft.pk})
    assert client.get(url + "?q=secret-query").status_code == 403
    assert_one_plain_line(log_lines(), f"GET {url} 403 Forbidden (Permission denied)")


def test_a_path_cannot_forge_a_second_log_line(log_lines):
    assert Client().get("/nope%0A2026-01-01 ERROR forged/").status_code == 404
    assert_one_plain_line(log_lines(), "404 Not Found", "\\n2026-01-01 ERROR forged")


def test_a_server_error_keeps_its_traceback(log_lines, monkeypatch):
    def broken(self, **kwargs):
        raise RuntimeError("the bug to fix")

    monkeypatch.setattr("blog.views.PrivacyView.get_context_data", broken)
    client = Client(raise_request_exception=False)
    assert client.get(reverse("blog:privacy")).status_code == 500
    text = "\n".join(log_lines())
    assert "ERROR django.request Internal Server Error: /privacy/" in text
    assert "Traceback" in text and "RuntimeError: the bug to fix" in text
