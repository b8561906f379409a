"""Security review of blog/cross_origin.py: ways past the Fetch Metadata check on every
reader POST endpoint. All of these held; kept as regressions."""

import pytest
from django.test import Client

from comments.models import Comment
from moderation.models import Report
from tests.factories import comment_form_data, make_comment, make_essay, make_user, make_warning

pytestmark = pytest.mark.django_db

HOST = "essays.example"


@pytest.fixture
def site(settings):
    settings.ALLOWED_HOSTS = [HOST, "xn--bcher-kva.example"]
    essay = make_essay(warnings=[make_warning(gates=True)])
    comment = make_comment(essay)
    return essay, comment


def endpoints(essay, comment):
    return [
        (f"{essay.get_absolute_url()}comment/", comment_form_data()),
        (f"{essay.get_absolute_url()}continue/", {"remember_topics": "on"}),
        ("/preferences/", {"forget_essays": "on"}),
        (f"/comments/{comment.pk}/hide/", {}),
        (f"/comments/{comment.pk}/report/", {"reason": "harassment", "note": ""}),
        (f"/comments/{comment.pk}/edit/", {"body": "x"}),
        (f"/comments/{comment.pk}/delete/", {}),
    ]


FORGED = [
    {"HTTP_SEC_FETCH_SITE": "cross-site"},
    {"HTTP_SEC_FETCH_SITE": "same-site"},
    {"HTTP_SEC_FETCH_SITE": "Same-Origin"},  # not a value browsers send: refused
    {"HTTP_SEC_FETCH_SITE": "same-origin, cross-site"},
    {"HTTP_ORIGIN": f"http://{HOST}/"},
    {"HTTP_ORIGIN": f"http://{HOST.upper()}"},
    {"HTTP_ORIGIN": f"http://{HOST}:80"},
    {"HTTP_ORIGIN": f"https://{HOST}"},
    {"HTTP_ORIGIN": "null"},
    {"HTTP_ORIGIN": f"http://{HOST}.evil.example"},
    {"HTTP_ORIGIN": "http://bücher.example"},
]


@pytest.mark.parametrize("headers", FORGED, ids=lambda h: repr(h)[:60])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_no_forged_header_or_method_gets_past_the_check(site, headers, method):
    essay, comment = site
    client = Client(HTTP_HOST=HOST)
    for path, data in endpoints(essay, comment):
        kwargs = {"data": data} if method == "post" else {
            "data": "a=b", "content_type": "application/x-www-form-urlencoded"}  # fmt: skip
        response = getattr(client, method)(path, **kwargs, **headers)
        assert response.status_code == 403, (path, response.status_code)
        assert not response.cookies, path
    assert Comment.objects.count() == 1 and not Report.objects.exists()


@pytest.mark.parametrize("content_type", ["text/plain", "multipart/form-data; boundary=x"])
def test_other_bodies_from_another_site_are_refused_too(site, content_type):
    essay, comment = site
    client = Client(HTTP_HOST=HOST)
    for path, _ in endpoints(essay, comment):
        response = client.generic(
            "POST", path, "a=b", content_type=content_type, HTTP_SEC_FETCH_SITE="cross-site",
            HTTP_ACCEPT="application/json",
        )  # fmt: skip
        assert response.status_code == 403 and response.json()["ok"] is False, path


def test_a_signed_in_user_on_a_reader_form_needs_the_token_even_with_sec_fetch_site_none(site):
    essay, comment = site
    client = Client(HTTP_HOST=HOST, enforce_csrf_checks=True)
    client.force_login(make_user())
    for path, data in endpoints(essay, comment)[:5]:
        response = client.post(path, data, HTTP_SEC_FETCH_SITE="none")
        assert response.status_code == 403, path
    assert Comment.objects.count() == 1 and not Report.objects.exists()
