"""What operators rely on: the health check, security headers, the admin's address."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_answers_200_without_details(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_says_degraded_but_answers_200_when_the_cache_is_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.redis_fail_open.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 200  # the site still serves, without its cache
    assert response.content == b"degraded: cache\n"


@pytest.mark.django_db
def test_healthz_answers_over_plain_http_while_other_pages_redirect(client, settings):
    # A load balancer checks the backend over plain HTTP; a 301 would read as "down".
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"
    for path in ["/", "/healthz/", "/healthzx", "/moderation/"]:
        redirect = client.get(path)
        assert redirect.status_code == 301, path
        assert redirect["Location"] == f"https://testserver{path}"


def test_healthz_answers_503_when_the_database_is_down(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert b"database" not in response.content


@pytest.mark.django_db
def test_reader_pages_send_the_security_headers(client):
    response = client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_csrf_cookie_is_samesite_and_secure_in_production(client, settings):
    from tests.factories import make_essay, make_user

    settings.CSRF_COOKIE_SECURE = True
    essay = make_essay()
    assert "csrftoken" not in client.get(essay.get_absolute_url()).cookies  # readers: none
    client.force_login(make_user(is_staff=True))
    cookie = client.get(essay.get_absolute_url()).cookies["csrftoken"]
    assert cookie["samesite"] == "Lax" and cookie["secure"] and cookie["httponly"]


def production_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY="a-long-random-production-secret-" + "k" * 40,
        DJANGO_ALLOWED_HOSTS="essays.example.org",
        DJANGO_HSTS_PRELOAD="true",
        SITE_URL="https://essays.example.org",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.example.org:587",
        CACHE_URL="redis://127.0.0.1:6379/14",
    )
    env.update(extra)
    return env


def test_check_deploy_is_clean_with_the_documented_production_environment():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=production_env(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_admin_address_is_configurable():
    code = "from django.urls import reverse; print(reverse('admin:index'))"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT,
        env=production_env(DJANGO_ADMIN_URL="/desk-7f3a/"), capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert result.stdout.strip().splitlines()[-1] == "/desk-7f3a/", result.stderr


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_out(client, settings):
    from django.contrib.auth import get_user_model

    settings.AXES_FAILURE_LIMIT = 3
    get_user_model().objects.create_user("mod", password="the-right-password", is_staff=True)
    login = "/admin/login/?next=/moderation/"
    for _ in range(3):
        response = client.post(login, {"username": "mod", "password": "wrong"})
        assert response.status_code in (200, 429)
    locked = client.post(login, {"username": "mod", "password": "the-right-password"})
    assert locked.status_code == 429
    assert "Too many attempts to sign in" in locked.content.decode()
    # Another account from the same address is not locked out.
    get_user_model().objects.create_user("ed", password="another-password", is_staff=True)
    other = client.post(login, {"username": "ed", "password": "another-password"})
    assert other.status_code == 302


@pytest.mark.django_db
def test_hsts_is_sent_over_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/")


def test_trusting_the_proxys_https_header_is_opt_in():
    code = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"

    def proxy_header(**extra):
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT,
            env=production_env(**extra), capture_output=True, text=True, check=False,
        )  # fmt: skip
        return result.stdout.strip().splitlines()[-1]

    assert proxy_header() == "None"
    assert proxy_header(DJANGO_BEHIND_TLS_PROXY="true") == "('HTTP_X_FORWARDED_PROTO', 'https')"


def start_django(code="import django; django.setup(); print('started')", **extra):
    """Run `code` in a fresh interpreter with the production environment plus `extra`."""
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT,
        env=production_env(**extra), capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_production_refuses_to_start_without_site_url():
    # An empty value also keeps a developer's .env out of it (it never overrides the env).
    result = start_django(SITE_URL="")
    assert result.returncode != 0 and "started" not in result.stdout
    assert "ImproperlyConfigured: SITE_URL is not set." in result.stderr
    assert "SITE_URL=https://essays.example.org" in result.stderr


def test_production_refuses_a_site_url_without_a_scheme():
    result = start_django(SITE_URL="essays.example.org")
    assert result.returncode != 0
    assert "SITE_URL must start with http:// or https://" in result.stderr


def test_development_falls_back_to_the_local_site_url():
    code = "import django; django.setup(); from django.conf import settings as s; print(s.SITE_URL)"
    result = start_django(SITE_URL="", DJANGO_DEBUG="true", code=code)
    assert result.stdout.strip() == "http://127.0.0.1:8000", result.stderr
