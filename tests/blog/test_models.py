from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from blog.models import Essay, join_warning_names
from tests.factories import make_essay, make_warning

pytestmark = pytest.mark.django_db


def test_only_published_essays_whose_date_has_come_are_public():
    live = make_essay(days_ago=1)
    make_essay(status=Essay.Status.DRAFT)
    scheduled = make_essay(published_at=timezone.now() + timedelta(hours=2))
    assert list(Essay.objects.published()) == [live]
    assert scheduled.is_scheduled and not scheduled.is_public
    later = timezone.now() + timedelta(hours=3)
    assert set(Essay.objects.published(now=later)) == {live, scheduled}


def test_saving_renders_body_and_reading_time():
    essay = make_essay(body="word " * 700)
    assert essay.body_html.startswith("<p>word word")
    assert essay.reading_minutes == 3
    essay.body = "Changed *text*."
    essay.save(update_fields=["body"])
    essay.refresh_from_db()
    assert essay.body_html == "<p>Changed <em>text</em>.</p>\n"


def test_an_image_without_alt_text_is_refused_by_the_database():
    essay = make_essay()
    with pytest.raises(IntegrityError):
        Essay.objects.filter(pk=essay.pk).update(featured_image="essays/x.jpg")


def test_warning_line_lists_names_in_display_order_with_the_note():
    mental = make_warning("Mental health", display_order=30)
    violence = make_warning("Sexual violence", display_order=10)
    rape = make_warning("Rape", display_order=20)
    essay = make_essay(warnings=[mental, violence, rape], warning_note="Section three.")
    assert essay.warning_line() == (
        "Content warning: Sexual violence, rape, and mental health. Section three."
    )


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["Suicide"], "Suicide"),
        (["Grief", "Self-harm"], "Grief and self-harm"),
        (["Abuse", "PTSD", "Grief"], "Abuse, PTSD, and grief"),
    ],
)
def test_warning_names_read_as_a_phrase(names, expected):
    assert join_warning_names(names) == expected
