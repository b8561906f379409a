"""Property-based tests: arbitrary input never causes a 500 or a half-written row."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from comments.forms import CommentForm
from comments.models import Comment
from comments.views import ALREADY_PUBLISHED, ALREADY_RECEIVED
from tests.factories import comment_form_data, make_comment, make_essay, make_user

pytestmark = pytest.mark.django_db

SETTINGS = hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture, HealthCheck.data_too_large, HealthCheck.too_slow,
    ],
)  # fmt: skip
# What an HTTP client can send: any Unicode but lone surrogates (UTF-8 cannot carry them).
http_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)
anything = st.one_of(
    http_text,
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    # Past every length limit, built cheaply from a short random piece.
    st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=20).map(
        lambda piece: (piece * (6000 // len(piece) + 1))[:6000]
    ),
    st.just("\x00" * 10),
)


@pytest.fixture
def essay(settings):
    settings.MODERATION_RATE = 0  # the flood limit is tested elsewhere
    return make_essay()


@SETTINGS
@given(body=anything, name=anything, email=anything, url=anything, warning=anything,
       parent=anything)  # fmt: skip
def test_comment_form_never_fails_and_never_half_writes(client, essay, body, name, email,
                                                        url, warning, parent):  # fmt: skip
    before = Comment.objects.count()
    data = comment_form_data(body=body, author_name=name, author_email=email, author_url=url,
                             content_warning=warning, parent=parent)  # fmt: skip
    response = client.post(f"/essays/{essay.slug}/comment/", data)
    assert response.status_code in (302, 400), response.status_code
    after = Comment.objects.count()
    if response.status_code == 302:
        # The examples share one database: an example that repeats an earlier one (same
        # name and words from the same address within the hour) is taken to the comment
        # already saved, as a double click is, and says so.
        notes = [str(m) for m in get_messages(response.wsgi_request)]
        if after == before:
            assert any(n in (ALREADY_RECEIVED, ALREADY_PUBLISHED) for n in notes), notes
        else:
            assert after == before + 1
        comment = Comment.objects.latest("pk")
        assert "\x00" not in comment.body and comment.body.strip()
    else:
        assert after == before


@SETTINGS
@given(text=st.text(max_size=200))
def test_the_form_strips_what_no_database_can_store(text):
    form = CommentForm(comment_form_data(body=f"x{text}", author_name=f"n{text}"))
    if form.is_valid():
        for value in (form.cleaned_data["body"], form.cleaned_data["author_name"]):
            value.encode("utf-8")  # no lone surrogates
            assert "\x00" not in value


@SETTINGS
@given(value=anything)
def test_reply_and_page_parameters_never_fail(client, essay, value):
    if not Comment.objects.exists():
        make_comment(essay)
    for param in ("replytocom", "cpage"):
        response = client.get(essay.get_absolute_url(), {param: value})
        assert response.status_code == 200
    assert client.get(f"/comments/{value}/").status_code in (404, 302)


@SETTINGS
@given(cookie=st.text(st.characters(min_codepoint=33, max_codepoint=126,
                                    exclude_characters=";,\\\""), max_size=500))  # fmt: skip
def test_any_preferences_cookie_is_survived(client, essay, cookie):
    client.cookies["reading_prefs"] = cookie
    client.cookies["comment_author"] = cookie
    assert client.get("/").status_code == 200
    assert client.get(essay.get_absolute_url()).status_code == 200
    assert client.get("/preferences/").status_code == 200


@SETTINGS
@given(action=anything, ids=st.lists(anything, max_size=5), seen=anything, next_url=anything)
def test_moderation_actions_never_fail(client, essay, action, ids, seen, next_url):
    moderator = make_user(groups=[Group.objects.get(name="Moderators")])
    client.force_login(moderator)
    target = make_comment(essay, status="pending")
    for data in [{"do": action}, {"do": f"approve:{action}"}, {"bulk": action, "ids": ids},
                 {"do": f"spam:{target.pk}", "seen_status": seen, "next": next_url}]:  # fmt: skip
        response = client.post("/moderation/act/", data)
        assert response.status_code == 302
        assert not response["Location"].startswith(("http://", "https://", "//"))
