"""The small things an editor meets in the admin: where they are, what each warning choice
does, and what happens to a field left empty."""

import pytest
from django.urls import reverse

from blog.models import ContentWarning, Essay
from tests.factories import make_essay

pytestmark = pytest.mark.django_db


def test_the_breadcrumb_names_the_section_once(client, editor):
    html = client.get(reverse("admin:blog_essay_changelist")).content.decode()
    crumbs = html[html.index('class="breadcrumbs"') :].split("</ol>", 1)[0]
    assert "Publishing" in crumbs and crumbs.count("Essays") == 1


def test_the_byline_and_the_warnings_sit_beside_what_they_belong_to(client, editor):
    html = client.get(reverse("admin:blog_essay_add")).content.decode()
    heading = 'class="fieldset-heading">'
    where = [html.index(marker) for marker in [
        'id="id_body"', 'id="essayauthor_set-group"', f"{heading}Content warnings<",
        'id="essaywarning_set-group"', f"{heading}Publishing<", 'id="series_part-group"',
    ]]  # fmt: skip
    assert where == sorted(where)
    assert html.count('id="essayauthor_set-group"') == 1
    assert html.count('id="essaywarning_set-group"') == 1


def test_a_new_warning_offers_two_plain_choices_and_starts_with_the_screen(client, editor):
    html = client.get(reverse("admin:blog_contentwarning_add")).content.decode()
    assert "Warning screen: readers see the warnings and choose to continue" in html
    assert "Notice only: the warning is named above the essay, which opens at once." in html
    chosen = html[html.index('name="gates" value="True"') :].split(">", 1)[0]
    assert "checked" in chosen, chosen

    def add(name, gates):
        return client.post(
            reverse("admin:blog_contentwarning_add"),
            {
                "name": name,
                "slug": name.lower(),
                "gates": gates,
                "display_order": 100,
                "description": "",
                "support_text": "",
            },  # fmt: skip
        )

    assert add("Grief", "True").status_code == 302
    assert add("Loss", "False").status_code == 302
    assert ContentWarning.objects.get(name="Grief").gates is True
    assert ContentWarning.objects.get(name="Loss").gates is False
    refused = add("Odd", "")
    assert refused.status_code == 200 and "This field is required." in refused.content.decode()
    assert not ContentWarning.objects.filter(name="Odd").exists()


def test_an_empty_summary_becomes_the_first_paragraph_cut_at_a_word():
    long_first = "The first paragraph " + "goes on and on " * 40 + "until it stops."
    essay = make_essay("No summary", summary="", body=f"{long_first}\n\nThe second one.")
    assert essay.summary.startswith("The first paragraph goes on")
    assert len(essay.summary) <= 300 and essay.summary.endswith("\u2026")
    short = make_essay("Short", summary="  ", body="*Only* this.\n\nAnd this.")
    assert short.summary == "Only this."
    kept = make_essay("Kept", summary="An editor's own summary.", body="Body.")
    assert Essay.objects.get(pk=kept.pk).summary == "An editor's own summary."


def test_the_help_texts_say_what_happens_when_left_empty(client, editor):
    html = client.get(reverse("admin:blog_essay_add")).content.decode()
    assert "Left empty, the essay's first paragraph is used" in html
    assert "An essay needs at least one: the form is refused without." in html
    assert "- Name or ~ Name for its attribution" in html
