import re

import pytest
from django.core import signing
from django.test import Client

from blog.preferences import SALT
from tests.factories import make_essay, make_warning

pytestmark = pytest.mark.django_db

BODY = "This sentence is only in the body."


@pytest.fixture
def violence():
    return make_warning(
        "Sexual violence",
        gates=True,
        display_order=10,
        description="Rape or sexual assault.",
        support_text="Support line: 0808 000 0000",
    )


@pytest.fixture
def gated(violence):
    mental = make_warning("Mental health", display_order=20)
    return make_essay(
        warnings=[violence, mental],
        body=BODY,
        summary="What happened after.",
        warning_note="Aftermath in detail.",
    )


def continue_url(essay):
    return f"{essay.get_absolute_url()}continue/"


def test_gated_essay_shows_the_warning_screen_and_not_the_body(client, gated):
    response = client.get(gated.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert BODY not in html
    assert "<title>Content warning:" in html
    assert "This essay discusses sexual violence." in html
    assert "<strong>Sexual violence</strong>: Rape or sexual assault." in html
    assert "<strong>Mental health</strong>" in html
    assert "What happened after." in html and "Aftermath in detail." in html
    assert "Support line: 0808 000 0000" in html
    assert '<button type="submit" class="button button-primary">Continue to the essay</button>' in (
        html
    )
    assert ">Go back</a>" in html
    assert "Don't warn me again about these topics" in html


def test_continuing_sets_a_cookie_and_the_essay_then_opens_directly(client, gated):
    response = client.post(continue_url(gated))
    assert response.status_code == 302
    assert response["Location"] == gated.get_absolute_url()
    cookie = response.cookies["reading_prefs"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"

    html = client.get(gated.get_absolute_url()).content.decode()
    assert BODY in html
    assert "<strong>Content warning:</strong> Sexual violence and mental health." in html


def test_passing_one_essay_does_not_open_another_on_the_same_topic(client, gated, violence):
    other = make_essay(warnings=[violence], body="Other body.")
    client.post(continue_url(gated))
    assert "Other body." not in client.get(other.get_absolute_url()).content.decode()


def test_dont_warn_again_remembers_the_topics(client, gated, violence):
    other = make_essay(warnings=[violence], body="Other body.")
    unrelated = make_essay(warnings=[make_warning("Suicide", gates=True)], body="Unrelated.")
    client.post(continue_url(gated), {"remember_topics": "on"})
    assert "Other body." in client.get(other.get_absolute_url()).content.decode()
    assert "Unrelated." not in client.get(unrelated.get_absolute_url()).content.decode()


def test_new_gating_warning_on_a_passed_essay_shows_the_screen_again(client, gated):
    client.post(continue_url(gated))
    gated.warnings.add(make_warning("Self-harm", gates=True))
    assert BODY not in client.get(gated.get_absolute_url()).content.decode()


def test_essays_without_gating_warnings_open_directly(client):
    essay = make_essay(warnings=[make_warning("Grief")], body=BODY)
    assert BODY in client.get(essay.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "cookie",
    [
        "garbage",
        "",
        "x" * 5000,
        signing.dumps({"s": [1, 2, 3]}, salt="some-other-salt"),
        signing.dumps(["not", "a", "dict"], salt=SALT),
        signing.dumps({"s": "all", "h": {"a": 1}, "p": [1, 2]}, salt=SALT),
        signing.dumps({"s": [True, -1, "1", 1.5], "p": {"x": [1], "1": "a"}}, salt=SALT),
    ],
    ids=["garbage", "empty", "oversized", "other-salt", "not-a-dict", "bad-types", "mixed"],
)
def test_forged_or_malformed_cookies_are_ignored(client, gated, cookie):
    client.cookies["reading_prefs"] = cookie
    response = client.get(gated.get_absolute_url())
    assert response.status_code == 200
    assert BODY not in response.content.decode()
    assert client.get("/").status_code == 200


def test_cookie_signed_for_one_site_claiming_to_have_passed_everything_is_refused(
    client, gated, violence, settings
):
    forged = signing.dumps({"s": [violence.pk]}, salt=SALT, key="another-secret-key")
    client.cookies["reading_prefs"] = forged
    assert BODY not in client.get(gated.get_absolute_url()).content.decode()


def test_continue_needs_a_post_from_this_site(gated):
    strict = Client(enforce_csrf_checks=True)
    assert strict.get(continue_url(gated)).status_code == 405
    response = strict.post(continue_url(gated), headers={"sec-fetch-site": "cross-site"})
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()
    assert "reading_prefs" not in response.cookies
    passed = strict.post(continue_url(gated), headers={"sec-fetch-site": "same-origin"})
    assert passed.status_code == 302 and "reading_prefs" in passed.cookies


def test_continue_on_an_unknown_essay_is_404(client):
    assert client.post("/essays/nothing-here/continue/").status_code == 404


def test_go_back_is_the_same_page_whatever_the_referer(client, gated):
    """The warning screen is shared by every reader without cookies, so it cannot depend on
    where a reader came from; static/js/gate.js takes them back to the list page they left."""
    pages = [
        client.get(gated.get_absolute_url(), HTTP_REFERER=referer).content
        for referer in ["http://testserver/?page=2", "https://evil.example/", ""]
    ]
    assert pages[0] == pages[1] == pages[2]
    assert 'href="/" data-go-back>Go back' in pages[0].decode()


def test_gate_form_works_without_javascript(client, gated):
    html = client.get(gated.get_absolute_url()).content.decode()
    assert f'<form class="gate-form" method="post" action="{continue_url(gated)}">' in html
    # No script is needed (gate.js only points "Go back" at the list page the reader left).
    executable = [s for s in re.findall(r"<script[^>]*>", html) if "ld+json" not in s]
    assert executable == ['<script src="/static/js/gate.js" defer>']
