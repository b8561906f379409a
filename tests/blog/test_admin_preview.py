"""Previews of the essay admin's unsaved form, and the live preview of the body."""

import re
from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from blog.admin import BODY_PREVIEW_LIMIT
from blog.models import Essay, EssayAuthor
from tests.factories import make_author, make_essay, make_topic, make_user, make_warning

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return make_user("editor", is_staff=True, groups=[Group.objects.get(name="Editors")])


@pytest.fixture
def moderator():
    return make_user("mod", is_staff=True, groups=[Group.objects.get(name="Moderators")])


def management(prefix: str, rows: list[dict], *, initial: int = 0, max_num: int = 1000) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": str(max_num),
    }
    for i, row in enumerate(rows):
        data |= {f"{prefix}-{i}-{name}": value for name, value in row.items()}
    return data


def essay_form(*, stored: Essay | None = None, authors=(), warnings=(), topics=(), **fields):
    """The essay admin form as the browser posts it: for `stored`, its rows as they are
    (plus any new authors and warnings given), otherwise new ones."""
    author_rows, warning_rows, initial_authors, initial_warnings = [], [], 0, 0
    if stored is not None:
        for link in EssayAuthor.objects.filter(essay=stored):
            author_rows.append(
                {"id": link.pk, "essay": stored.pk, "author": link.author_id, "position": 0}
            )
        initial_authors = len(author_rows)
        for link in stored.warnings.through.objects.filter(essay=stored):
            warning_rows.append(
                {"id": link.pk, "essay": stored.pk, "warning": link.warning_id,
                 "position": link.position}
            )  # fmt: skip
        initial_warnings = len(warning_rows)
    author_rows += [{"author": a.pk, "position": i + 1} for i, a in enumerate(authors)]
    data = {
        "title": "An unsaved title",
        "slug": "an-unsaved-title",
        "summary": "What the essay is about.",
        "body": "Unsaved *body* text.",
        "body_format": "markdown",
        "topics": [t.pk for t in topics],
        "warning_note": "",
        "status": "draft",
        "published_at_0": "2026-01-01",
        "published_at_1": "10:00:00",
        "comments_open": "on",
        "featured_image_alt": "",
        "image_creator": "",
        "image_source": "",
        "image_source_url": "",
        **management("essayauthor_set", author_rows, initial=initial_authors),
        **management("series_part", [], max_num=1),
    }
    warning_rows += [{"warning": w.pk, "position": i + 1} for i, w in enumerate(warnings)]
    data |= management("essaywarning_set", warning_rows, initial=initial_warnings)
    return data | fields


def nothing_stored(before: dict) -> bool:
    return before == {"essays": Essay.objects.count(), "versions": Version.objects.count()}


def counts() -> dict:
    return {"essays": Essay.objects.count(), "versions": Version.objects.count()}


ADD_PREVIEW = reverse("admin:blog_essay_add_preview")


def test_add_form_preview_shows_the_unsaved_essay_as_readers_will(client, editor):
    author = make_author("Ana Ruiz")
    warning = make_warning("Grief")
    topic = make_topic("Loss")
    client.force_login(editor)
    before = counts()
    response = client.post(
        ADD_PREVIEW,
        essay_form(
            authors=[author], warnings=[warning], topics=[topic], body="## Part\n\nA *new* body."
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>An unsaved title</h1>" in html
    assert "<em>new</em>" in html
    assert "Ana Ruiz" in html and "Grief" in html and "Loss" in html
    assert "Nothing has been saved" in html
    assert nothing_stored(before)


def test_add_form_preview_stores_no_essay_revision_or_cache_entry(client, editor, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "preview-test"}}  # fmt: skip
    data = essay_form(authors=[make_author()], warnings=[make_warning()])
    client.force_login(editor)
    cache.clear()
    before = counts()
    response = client.post(ADD_PREVIEW, data)
    assert response.status_code == 200
    assert nothing_stored(before)
    assert list(cache._cache) == []  # the local-memory cache's own store: nothing was put in


def test_preview_responses_are_never_stored_or_indexed(client, editor):
    client.force_login(editor)
    response = client.post(ADD_PREVIEW, essay_form(authors=[make_author()]))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"


def test_change_form_preview_shows_the_edited_text_not_the_stored(client, editor):
    essay = make_essay("Stored title", body="Stored body.", warnings=[make_warning("Grief")])
    stored = Essay.objects.values().get(pk=essay.pk)
    client.force_login(editor)
    before = counts()
    response = client.post(
        reverse("admin:blog_essay_form_preview", args=[essay.pk]),
        essay_form(stored=essay, title="Edited title", slug=essay.slug, body="Edited **body**."),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Edited title" in html and "<strong>body</strong>" in html
    assert "Stored body." not in html
    assert "Grief" in html  # the stored warning, still on the form
    assert nothing_stored(before)
    assert Essay.objects.values().get(pk=essay.pk) == stored


def test_warning_screen_preview_names_the_unsaved_warnings(client, editor):
    gating = make_warning("Suicide", gates=True, support_text="Call 116 123")
    client.force_login(editor)
    response = client.post(
        ADD_PREVIEW + "?gate=1", essay_form(authors=[make_author()], warnings=[gating])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Before you read: content warning" in html
    assert "Suicide" in html and "Call 116 123" in html
    assert "Unsaved <em>body</em>" not in html  # the screen stands in front of the body


def test_continue_on_the_unsaved_warning_screen_opens_the_unsaved_essay(client, editor):
    gating = make_warning("Suicide", gates=True)
    client.force_login(editor)
    before = Essay.objects.count()
    form = essay_form(authors=[make_author()], warnings=[gating], title="A title — with “quotes”")
    screen = client.post(ADD_PREVIEW + "?gate=1", form).content.decode()
    start = screen.index('<form class="gate-form"')
    gate_form = screen[start : screen.index("</form>", start)]
    assert f'method="post" action="{ADD_PREVIEW}"' in gate_form
    assert "remember_topics" not in gate_form  # a reader's choice, not an editor's
    posted = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', gate_form))
    assert "csrfmiddlewaretoken" in posted
    assert unescape(posted["title"]) == "A title — with “quotes”"
    assert unescape(posted["body"]) == form["body"]

    essay = client.post(ADD_PREVIEW, {k: unescape(v) for k, v in posted.items()})
    page = essay.content.decode()
    assert essay.status_code == 200 and "Unsaved <em>body</em> text." in page
    assert "A title — with “quotes”" in page
    assert Essay.objects.count() == before


def test_warning_screen_preview_without_warnings_says_there_is_none(client, editor):
    client.force_login(editor)
    response = client.post(ADD_PREVIEW + "?gate=1", essay_form(authors=[make_author()]))
    html = response.content.decode()
    assert "readers see no warning screen" in html
    assert "Unsaved <em>body</em>" in html


def test_preview_names_the_warnings_in_the_order_of_their_rows(client, editor):
    first, second = make_warning("Zebra", display_order=1), make_warning("Alpha", display_order=9)
    client.force_login(editor)
    data = essay_form(authors=[make_author()], warnings=[second, first])
    html = client.post(ADD_PREVIEW, data).content.decode()
    assert "Alpha and zebra" in html  # the notice names them in a sentence, in row order


def test_preview_of_a_form_with_errors_lists_them_and_saves_nothing(client, editor):
    client.force_login(editor)
    before = counts()
    response = client.post(ADD_PREVIEW, essay_form(title="", body=""))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Title:</strong> This field is required." in html
    assert "<strong>Body:</strong> This field is required." in html
    assert "Name at least one author" in html
    assert "Nothing was saved" in html and "other tab" in html
    assert nothing_stored(before)


DOT_GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00"
           b"\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")  # fmt: skip


def test_preview_with_a_new_featured_image_keeps_it_out_of_storage(
    client, editor, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(editor)
    data = essay_form(authors=[make_author()], featured_image_alt="A dot")
    data["featured_image"] = SimpleUploadedFile("dot.gif", DOT_GIF, content_type="image/gif")
    response = client.post(ADD_PREVIEW, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "newly chosen featured image is not shown" in html
    assert "dot.gif" not in html
    assert list(tmp_path.rglob("*")) == []


def test_change_preview_with_a_new_featured_image_shows_the_one_saved_before(
    client, editor, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    essay = make_essay(featured_image_alt="The saved photo")
    essay.featured_image.save("saved.gif", ContentFile(DOT_GIF))
    before = sorted(tmp_path.rglob("*"))
    client.force_login(editor)
    data = essay_form(stored=essay, featured_image_alt="The saved photo")
    data["featured_image"] = SimpleUploadedFile("new.gif", DOT_GIF, content_type="image/gif")
    response = client.post(reverse("admin:blog_essay_form_preview", args=[essay.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "The preview shows the one saved before." in html
    assert essay.featured_image.url in html and "new.gif" not in html
    assert sorted(tmp_path.rglob("*")) == before
    essay.refresh_from_db()
    assert essay.featured_image.name.endswith("saved.gif")


def test_preview_asks_anonymous_visitors_to_log_in(client):
    response = client.post(ADD_PREVIEW, essay_form())
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_preview_is_refused_to_staff_without_the_essay_permissions(client, moderator):
    essay = make_essay()
    client.force_login(moderator)
    assert client.post(ADD_PREVIEW, essay_form()).status_code == 403
    change = reverse("admin:blog_essay_form_preview", args=[essay.pk])
    assert client.post(change, essay_form(stored=essay)).status_code == 403


def test_preview_needs_the_forms_csrf_token(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(ADD_PREVIEW, essay_form(authors=[make_author()])).status_code == 403


def test_preview_is_only_for_posted_forms(client, editor):
    client.force_login(editor)
    assert client.get(ADD_PREVIEW).status_code == 405


def test_add_and_change_forms_offer_the_preview_buttons(client, editor):
    essay = make_essay()
    client.force_login(editor)
    add = client.get(reverse("admin:blog_essay_add")).content.decode()
    assert f'formaction="{ADD_PREVIEW}"' in add and f'formaction="{ADD_PREVIEW}?gate=1"' in add
    assert 'formtarget="_blank"' in add
    assert "Save the essay to preview it." not in add
    change = client.get(reverse("admin:blog_essay_change", args=[essay.pk])).content.decode()
    assert reverse("admin:blog_essay_form_preview", args=[essay.pk]) in change


BODY_PREVIEW = reverse("admin:blog_essay_body_preview")


def test_body_preview_renders_sanitized_markdown(client, editor):
    client.force_login(editor)
    response = client.post(
        BODY_PREVIEW,
        {"body": "Hello *there*\n\n<script>alert(1)</script>", "body_format": "markdown"},
    )
    assert response.status_code == 200
    html = response.json()["html"]
    assert "<em>there</em>" in html and "<script" not in html
    assert "no-store" in response["Cache-Control"]


def test_body_preview_sanitizes_imported_html(client, editor):
    client.force_login(editor)
    body = '<p onclick="x()">Imported</p><script>alert(1)</script>'
    html = client.post(BODY_PREVIEW, {"body": body, "body_format": "html"}).json()["html"]
    assert "Imported" in html and "onclick" not in html and "<script" not in html


def test_body_preview_refuses_bodies_over_the_limit_with_a_message(client, editor):
    client.force_login(editor)
    response = client.post(BODY_PREVIEW, {"body": "x" * (BODY_PREVIEW_LIMIT + 1)})
    assert response.status_code == 413
    assert "too long to preview" in response.json()["error"]


def test_body_preview_is_for_editors_only(client, moderator):
    assert client.post(BODY_PREVIEW, {"body": "x"}).status_code == 302
    client.force_login(moderator)
    assert client.post(BODY_PREVIEW, {"body": "x"}).status_code == 403


def test_body_preview_needs_the_csrf_token(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(BODY_PREVIEW, {"body": "x"}).status_code == 403
