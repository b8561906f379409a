"""The site may call its warnings "Trigger warning" (WARNING_LABEL): every place a reader,
a subscriber or a moderator meets the label says it the same way."""

import pytest
from django.urls import reverse

from blog.labels import warning_label
from tests.factories import make_comment, make_essay, make_warning

pytestmark = pytest.mark.django_db


@pytest.fixture
def trigger(settings):
    settings.WARNING_LABEL = "Trigger warning"


def test_the_default_label_is_content_warning():
    label = warning_label()
    assert (label.one, label.many, label.one_lower) == (
        "Content warning",
        "Content warnings",
        "content warning",
    )


def test_an_acronym_stays_upper_case_and_a_plural_may_be_set(settings):
    settings.WARNING_LABEL, settings.WARNING_LABEL_PLURAL = "CW", "CWs"
    assert (warning_label().one_lower, warning_label().many) == ("CW", "CWs")


def test_the_essay_page_gate_and_feed_use_the_sites_label(client, trigger):
    essay = make_essay("Labelled", slug="labelled", warnings=[make_warning("Grief", gates=True)])
    gate = client.get(essay.get_absolute_url()).content.decode()
    assert "Before you read: trigger warning" in gate
    assert "<title>Trigger warning: Labelled" in gate
    assert "Content warning" not in gate

    client.post(f"{essay.get_absolute_url()}continue/", HTTP_SEC_FETCH_SITE="same-origin")
    page = client.get(essay.get_absolute_url()).content.decode()
    assert 'aria-label="Trigger warning"' in page and "<strong>Trigger warning:</strong>" in page
    assert "Content warning" not in page
    assert essay.warning_line() == "Trigger warning: Grief."

    feed = client.get(reverse("blog:feed_atom")).content.decode()
    assert "Trigger warning:" in feed and "behind a trigger warning" in feed
    listed = client.get(reverse("blog:essay_list")).content.decode()
    assert 'aria-label="Trigger warnings"' in listed


def test_comments_use_the_sites_label(client, trigger):
    essay = make_essay("Discussed", slug="discussed")
    make_comment(essay, content_warning="self-harm", body="Behind the fold.")
    page = client.get(essay.get_absolute_url()).content.decode()
    assert "Trigger warning (optional)" in page  # the comment form's field
    assert "<summary>Trigger warning: self-harm</summary>" in page
    assert "Content warning" not in page
