"""Reader POSTs refused by Fetch Metadata (blog/cross_origin.py); tokens for signed-in users."""

import re
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory

from blog.cross_origin import REFUSED, cross_origin_refusal
from comments.models import Comment
from moderation.models import Report
from tests.factories import (
    comment_form_data,
    make_comment,
    make_essay,
    make_user,
    make_warning,
)

pytestmark = pytest.mark.django_db

HOST = "essays.example"


def refusal(settings, *, secure=False, **headers):
    settings.ALLOWED_HOSTS = [HOST]
    request = RequestFactory().post("/essays/x/comment/", HTTP_HOST=HOST, secure=secure, **headers)
    return cross_origin_refusal(request)


# -- the rule, header by header ------------------------------------------------------------


@pytest.mark.parametrize("site", ["same-origin", "none"])
def test_same_origin_and_user_initiated_requests_pass(settings, site):
    assert refusal(settings, HTTP_SEC_FETCH_SITE=site) is None


@pytest.mark.parametrize("site", ["same-site", "cross-site", "something-new"])
def test_same_site_and_cross_site_requests_are_refused(settings, site):
    assert "Sec-Fetch-Site" in refusal(settings, HTTP_SEC_FETCH_SITE=site)
    # An Origin naming this very site does not overrule what the browser said.
    assert refusal(settings, HTTP_SEC_FETCH_SITE=site, HTTP_ORIGIN=f"http://{HOST}")


def test_without_sec_fetch_site_a_matching_origin_passes(settings):
    assert refusal(settings, HTTP_ORIGIN=f"http://{HOST}") is None


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        f"http://{HOST}.evil.example",
        f"http://sub.{HOST}",
        f"https://{HOST}",  # another scheme is another origin
        f"http://{HOST}:8080",
        "null",  # sandboxed frames, data: URLs, some redirects
    ],
)
def test_without_sec_fetch_site_any_other_origin_is_refused(settings, origin):
    assert "Origin" in refusal(settings, HTTP_ORIGIN=origin)


def test_without_either_header_the_request_passes(settings):
    assert refusal(settings) is None


def test_trusted_origins_pass_with_or_without_sec_fetch_site(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://forms.example", "https://*.partner.example"]
    assert refusal(settings, HTTP_ORIGIN="https://forms.example") is None
    assert refusal(settings, HTTP_ORIGIN="https://a.partner.example") is None
    assert (
        refusal(settings, HTTP_SEC_FETCH_SITE="cross-site", HTTP_ORIGIN="https://forms.example")
        is None
    )
    assert refusal(settings, HTTP_ORIGIN="http://forms.example")  # the scheme counts
    assert refusal(settings, HTTP_ORIGIN="https://partner.example.evil.example")
    assert refusal(settings, HTTP_SEC_FETCH_SITE="cross-site")  # trusted needs an Origin


def test_https_behind_a_tls_proxy_is_this_sites_origin(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    https = {"HTTP_ORIGIN": f"https://{HOST}", "HTTP_X_FORWARDED_PROTO": "https"}
    assert refusal(settings, **https) is None
    assert refusal(settings, HTTP_ORIGIN=f"http://{HOST}", HTTP_X_FORWARDED_PROTO="https")
    settings.SECURE_PROXY_SSL_HEADER = None  # a proxy header nobody asked us to trust
    assert refusal(settings, **https)


# -- every reader form ---------------------------------------------------------------------


@pytest.fixture
def reader_posts():
    """name -> (url, data, how many rows or cookies the POST would change)."""
    gated = make_essay(warnings=[make_warning(gates=True)])
    essay = make_essay()
    comment = make_comment(essay, body="Published words.")
    return {
        "comment": (f"/essays/{essay.slug}/comment/", comment_form_data(body="Hello.")),
        "reply": (
            f"/essays/{essay.slug}/comment/",
            comment_form_data(body="A reply.", parent=str(comment.pk)),
        ),
        "report": (f"/comments/{comment.pk}/report/", {"reason": "spam"}),
        "hide": (f"/comments/{comment.pk}/hide/", {"hide": "1"}),
        "show": (f"/comments/{comment.pk}/hide/", {"show": "1"}),
        "continue": (f"/essays/{gated.slug}/continue/", {"remember_topics": "on"}),
        "preferences": ("/preferences/", {"forget_essays": "on"}),
    }


READER_FORMS = ["comment", "reply", "report", "hide", "show", "continue", "preferences"]


@pytest.mark.parametrize("name", READER_FORMS)
@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site", "origin": "https://evil.example"},
        {"sec-fetch-site": "same-site", "origin": "https://sub.testserver"},
        {"origin": "https://evil.example"},
        {"origin": "null"},
    ],
)
def test_a_reader_form_sent_from_another_site_is_refused(reader_posts, name, headers):
    url, data = reader_posts[name]
    response = Client().post(url, data, headers=headers)
    assert response.status_code == 403
    assert "sent from another website" in response.content.decode()
    assert not response.cookies  # no choice remembered, no comment marked as theirs
    assert not Comment.objects.exclude(body="Published words.").exists()
    assert not Report.objects.exists()


@pytest.mark.parametrize("name", READER_FORMS)
@pytest.mark.parametrize(
    "headers",
    [{"sec-fetch-site": "same-origin"}, {"sec-fetch-site": "none"},
     {"origin": "http://testserver"}, {}],
)  # fmt: skip
def test_a_reader_form_sent_from_this_site_needs_no_token(reader_posts, name, headers):
    url, data = reader_posts[name]
    response = Client(enforce_csrf_checks=True).post(url, data, headers=headers)
    assert response.status_code == 302
    assert "csrftoken" not in response.cookies


@pytest.mark.parametrize("name", ["report", "hide"])
def test_the_inline_dialogs_get_the_refusal_as_json(reader_posts, name):
    url, data = reader_posts[name]
    response = Client().post(
        url, data, headers={"sec-fetch-site": "cross-site", "accept": "application/json"}
    )
    assert response.status_code == 403
    assert response.json() == {"ok": False, "message": REFUSED}


def test_a_writers_edit_and_delete_are_refused_from_another_site():
    essay = make_essay()
    writer = Client()
    writer.post(f"/essays/{essay.slug}/comment/", comment_form_data(body="Mine to change."))
    comment = Comment.objects.get()
    cross = {"sec-fetch-site": "cross-site"}
    edit = writer.post(f"/comments/{comment.pk}/edit/", {"body": "Forged."}, headers=cross)
    delete = writer.post(f"/comments/{comment.pk}/delete/", headers=cross)
    assert edit.status_code == delete.status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Mine to change." and comment.status == "pending"
    same = {"sec-fetch-site": "same-origin"}
    assert writer.post(f"/comments/{comment.pk}/edit/", {"body": "Changed."},
                       headers=same).status_code == 302  # fmt: skip
    assert writer.post(f"/comments/{comment.pk}/delete/", headers=same).status_code == 302
    comment.refresh_from_db()
    assert comment.status == "removed"


# -- pages readers get ---------------------------------------------------------------------


def test_anonymous_reader_pages_carry_no_token_and_set_no_csrf_cookie():
    gated = make_essay(warnings=[make_warning(gates=True)])
    essay = make_essay()
    comment = make_comment(essay)
    reader = Client()
    for url in [essay.get_absolute_url(), gated.get_absolute_url(), "/preferences/",
                f"/comments/{comment.pk}/report/"]:  # fmt: skip
        response = reader.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "<form" in html and "csrfmiddlewaretoken" not in html, url
        assert "csrftoken" not in response.cookies, url


def test_two_anonymous_readers_get_the_same_comment_form(monkeypatch):
    # One shared-cache window for both readers (the form's stamp changes between windows).
    monkeypatch.setattr("comments.forms.time", SimpleNamespace(time=lambda: 1_800_000_000.5))
    essay = make_essay()

    def form(client):
        html = client.get(essay.get_absolute_url()).content.decode()
        return re.search(r'<form class="comment-form".*?</form>', html, re.S).group(0)

    assert form(Client()) == form(Client())


# -- signed-in users keep Django's token ---------------------------------------------------


@pytest.fixture
def member():
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("editor", is_staff=True))
    return client


def test_a_signed_in_users_comment_without_its_token_is_refused(member):
    essay = make_essay()
    response = member.post(
        f"/essays/{essay.slug}/comment/", comment_form_data(),
        headers={"sec-fetch-site": "same-origin"},
    )  # fmt: skip
    assert response.status_code == 403
    assert "security token" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_signed_in_users_comment_with_its_token_is_taken(member):
    essay = make_essay()
    html = member.get(essay.get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = member.post(
        f"/essays/{essay.slug}/comment/",
        comment_form_data(csrfmiddlewaretoken=token, body="Signed in and tokened."),
        headers={"sec-fetch-site": "same-origin"},
    )
    assert response.status_code == 302
    assert Comment.objects.get().body == "Signed in and tokened."


def test_a_signed_in_user_gets_no_pass_from_another_site_with_a_token(member):
    essay = make_essay()
    html = member.get(essay.get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = member.post(
        f"/essays/{essay.slug}/comment/", comment_form_data(csrfmiddlewaretoken=token),
        headers={"sec-fetch-site": "cross-site"},
    )  # fmt: skip
    assert response.status_code == 403 and not Comment.objects.exists()


def test_the_admin_still_needs_its_token():
    make_user("admin", is_staff=True, is_superuser=True)
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/admin/login/", {"username": "admin", "password": "pw-for-tests-only"},
        headers={"sec-fetch-site": "same-origin"},
    )  # fmt: skip
    assert response.status_code == 403
    assert "_auth_user_id" not in strict.session


def test_the_moderation_queue_still_needs_its_token():
    essay = make_essay()
    pending = make_comment(essay, status="pending")
    moderator = make_user("mod", is_staff=True, groups=[Group.objects.get(name="Moderators")])
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(moderator)
    response = strict.post(
        "/moderation/act/", {"do": f"approve:{pending.pk}"},
        headers={"sec-fetch-site": "same-origin"},
    )  # fmt: skip
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"
