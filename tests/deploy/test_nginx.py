"""deploy/nginx.conf, as shipped, in front of the site: what its micro-cache keeps and what
it must never share.

Runs Debian's nginx against pytest-django's live_server (the `nginx` fixture in
tests/deploy/conftest.py).
"""

import re
import time
from pathlib import Path

import httpx
import pytest

from moderation.services import remove_comment
from tests.factories import comment_form_data, make_comment, make_essay, make_user, make_warning

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def get(url, **kwargs):
    return httpx.get(url, timeout=10, **kwargs)


def test_static_files_are_served_by_nginx_for_a_year(nginx):
    response = get(f"{nginx}/static/site.css")
    assert response.status_code == 200 and "color: black" in response.text
    assert "immutable" in response.headers["cache-control"]


def test_an_anonymous_page_is_served_from_the_proxy_cache(nginx):
    essay = make_essay("Cached at the front", body="Words kept by nginx.")
    first = get(f"{nginx}{essay.get_absolute_url()}")
    second = get(f"{nginx}{essay.get_absolute_url()}")
    assert first.status_code == second.status_code == 200
    assert first.headers["x-cache-status"] == "MISS"
    assert second.headers["x-cache-status"] == "HIT"
    assert second.content == first.content and "Words kept by nginx." in second.text
    assert "set-cookie" not in second.headers


def test_a_reader_who_passed_a_warning_never_gets_someone_elses_page(nginx):
    essay = make_essay(body="Behind the warning.", warnings=[make_warning(gates=True)])
    url = f"{nginx}{essay.get_absolute_url()}"
    assert "Behind the warning." not in get(url).text  # the gate, now in the proxy cache
    with httpx.Client(base_url=nginx, timeout=10, headers={"Sec-Fetch-Site": "same-origin"}) as me:
        passed = me.post(f"{essay.get_absolute_url()}continue/", follow_redirects=True)
        assert "Behind the warning." in passed.text
        assert passed.headers["x-cache-status"] == "BYPASS"
        assert "Behind the warning." in me.get(essay.get_absolute_url()).text
    # Nobody else gets the page the reader who passed it was given.
    again = get(url)
    assert "Behind the warning." not in again.text and again.headers["x-cache-status"] == "HIT"


def test_a_pending_comment_is_seen_by_its_writer_only(nginx):
    essay = make_essay()
    url = essay.get_absolute_url()
    get(f"{nginx}{url}")  # the shared copy, in the proxy cache
    with httpx.Client(base_url=nginx, timeout=10, headers={"Sec-Fetch-Site": "same-origin"}) as me:
        data = comment_form_data(body="My words, waiting for a moderator.")
        posted = me.post(f"{url}comment/", data=data, follow_redirects=True)
        assert posted.status_code == 200 and "My words, waiting" in posted.text
        assert "awaiting moderation" in me.get(url).text
    theirs = get(f"{nginx}{url}")
    assert "My words, waiting" not in theirs.text


def test_a_removed_comment_is_gone_for_every_reader_once_s_maxage_has_passed(nginx):
    essay = make_essay()
    comment = make_comment(essay, body="Words a moderator will take down.")
    url = f"{nginx}{essay.get_absolute_url()}"
    assert "Words a moderator will take down." in get(url).text
    assert get(url).headers["x-cache-status"] == "HIT"
    remove_comment(comment=comment, moderator=make_user("mod"))
    time.sleep(2 + 1)  # s-maxage (CACHE_SHARED_SECONDS) and a second
    for _ in range(3):
        assert "Words a moderator will take down." not in get(url).text


def test_the_proxy_bypasses_every_cookie_that_shapes_a_page(settings):
    """deploy/nginx.conf names the cookies itself: it must know every one the site sets."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    names = re.search(r"\(\^\|;\\s\*\)\(([^)]+)\)=", site).group(1).split("|")
    from django.contrib.messages.storage.cookie import CookieStorage

    shaping = {settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name,
               settings.READING_PREFS_COOKIE, *settings.PERSONAL_COOKIES}  # fmt: skip
    assert shaping <= set(names)
    # The writer token shapes nothing: listing it would send returning writers past the cache.
    assert settings.COMMENTS_WRITER_COOKIE not in names


def csrf_from(page: httpx.Response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]


def test_an_editor_uploading_a_twenty_megabyte_photo_is_told_why_not_a_bare_413(
    nginx, settings, tmp_path
):
    from django.contrib.auth.models import Group

    from blog.models import LibraryImage
    from tests.factories import ensure_groups

    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_groups()
    make_user("ed", is_staff=True, groups=[Group.objects.get(name="Editors")])
    headers = {"Sec-Fetch-Site": "same-origin"}
    with httpx.Client(base_url=nginx, timeout=30, headers=headers) as editor:
        login = editor.get("/admin/login/")
        editor.post("/admin/login/", data={"username": "ed", "password": "pw-for-tests-only",
                    "csrfmiddlewaretoken": csrf_from(login), "next": "/admin/"})  # fmt: skip
        form = editor.get("/admin/blog/libraryimage/add/")
        assert form.status_code == 200
        photo = b"\xff\xd8\xff\xe0" + b"\0" * (20 * 1024 * 1024)
        answer = editor.post(
            "/admin/blog/libraryimage/add/",
            data={"alt": "A photo too large", "csrfmiddlewaretoken": csrf_from(form)},
            files={"image": ("huge.jpg", photo, "image/jpeg")},
        )
    assert answer.status_code == 200
    assert "This file is 20 MB; the largest image accepted is 15 MB." in answer.text
    assert not LibraryImage.objects.exists()
    # The reader-facing site still refuses large bodies at the door.
    essay = make_essay()
    too_big = httpx.post(f"{nginx}{essay.get_absolute_url()}comment/", timeout=10,
                         content=b"x" * (2 * 1024 * 1024))  # fmt: skip
    assert too_big.status_code == 413
