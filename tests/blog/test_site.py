import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import path

ROOT = Path(__file__).resolve().parents[2]


def test_missing_secret_key_in_production_is_a_clear_startup_error():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def broken_view(request):
    raise RuntimeError("boom")


urlpatterns = [path("broken/", broken_view)]


@pytest.mark.django_db
@pytest.mark.urls("tests.blog.test_site")
def test_server_errors_get_the_friendly_500_page():
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.django_db
def test_privacy_page_explains_akismet_and_what_is_stored(client):
    html = client.get("/privacy/").content.decode()
    assert "Akismet" in html and "IP address" in html and "pseudonym" in html
