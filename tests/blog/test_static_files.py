"""Static files in production: hashed names, compressed copies, far-future cache headers."""

import pytest
from django.core.management import call_command
from django.test import Client


@pytest.fixture
def collected(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = False
    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", "--noinput", verbosity=0)
    return settings.STATIC_ROOT


@pytest.mark.django_db
def test_hashed_compressed_static_files_are_cached_for_a_long_time(collected):
    from django.templatetags.static import static

    url = static("css/site.css")
    assert url != "/static/css/site.css" and url.endswith(".css")
    assert (collected / url.removeprefix("/static/")).exists()
    assert (collected / (url.removeprefix("/static/") + ".gz")).exists()
    assert (collected / (url.removeprefix("/static/") + ".br")).exists()

    response = Client().get(url, HTTP_ACCEPT_ENCODING="br, gzip")
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    assert "max-age=315360000" in response["Cache-Control"]
    assert response["Content-Encoding"] in ("br", "gzip")
