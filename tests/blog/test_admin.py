import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from blog.models import Essay
from tests.factories import make_author, make_essay, make_topic, make_user, make_warning

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return make_user("editor", is_staff=True, groups=[Group.objects.get(name="Editors")])


def test_editors_group_has_exactly_the_publishing_permissions():
    perms = set(
        Group.objects.get(name="Editors").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    assert perms == {
        ("blog", f"{action}_{model}")
        for action in ("add", "change", "delete", "view")
        for model in ("essay", "contentwarning", "topic", "series", "seriespart", "author",
                      "essayauthor", "essaywarning", "libraryimage")
    }  # fmt: skip


def inline_forms(*authors, series=None, warnings=()) -> dict:
    """The essay form's inlines as the admin posts them: its authors, its warnings (in the
    order given) and its series."""
    data = {
        "essayauthor_set-TOTAL_FORMS": str(len(authors)),
        "essayauthor_set-INITIAL_FORMS": "0",
        "essayauthor_set-MIN_NUM_FORMS": "1",
        "essayauthor_set-MAX_NUM_FORMS": "1000",
        "essaywarning_set-TOTAL_FORMS": str(len(warnings)),
        "essaywarning_set-INITIAL_FORMS": "0",
        "essaywarning_set-MIN_NUM_FORMS": "0",
        "essaywarning_set-MAX_NUM_FORMS": "1000",
        "series_part-TOTAL_FORMS": "1" if series else "0",
        "series_part-INITIAL_FORMS": "0",
        "series_part-MIN_NUM_FORMS": "0",
        "series_part-MAX_NUM_FORMS": "1",
    }
    for i, author in enumerate(authors):
        data |= {f"essayauthor_set-{i}-author": author.pk, f"essayauthor_set-{i}-position": i}
    for i, warning in enumerate(warnings):
        pk = getattr(warning, "pk", warning)
        data |= {f"essaywarning_set-{i}-warning": pk, f"essaywarning_set-{i}-position": i + 1}
    if series:
        data |= {"series_part-0-series": series.pk, "series_part-0-position": "2"}
    return data


def test_editor_can_publish_an_essay_through_the_admin(client, editor):
    gating = make_warning("Suicide", gates=True)
    topic = make_topic("Recovery")
    author = make_author("A. Writer")
    client.force_login(editor)
    response = client.post(
        reverse("admin:blog_essay_add"),
        {
            "title": "New essay",
            "slug": "new-essay",
            "summary": "About something hard.",
            "topics": [topic.pk],
            **inline_forms(author, warnings=[gating]),
            "body": "Body with *emphasis*.",
            "body_format": "markdown",
            "warning_note": "",
            "status": "published",
            "confirm_publish": "on",
            "published_at_0": "2026-01-01",
            "published_at_1": "10:00:00",
            "featured_image_alt": "",
            "image_creator": "",
            "image_source": "",
            "image_source_url": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    essay = Essay.objects.get(slug="new-essay")
    assert essay.created_by == editor
    assert essay.body_html == "<p>Body with <em>emphasis</em>.</p>\n"
    assert list(essay.warnings.all()) == [gating]
    assert list(essay.topics.all()) == [topic] and essay.author_names() == "A. Writer"
    assert "New essay" in client.get("/").content.decode()


def test_admin_change_list_offers_filters_search_and_previews(client, editor):
    essay = make_essay("Findable essay", warnings=[make_warning("Grief", gates=True)])
    client.force_login(editor)
    html = client.get(reverse("admin:blog_essay_changelist") + "?q=Findable").content.decode()
    assert "Findable essay" in html
    assert "By state" in html and "By warnings" in html
    assert reverse("blog:essay_preview", kwargs={"pk": essay.pk}) in html
    assert "?gate=1" in html


def test_state_filter_separates_drafts_scheduled_and_live(client, editor):
    from datetime import timedelta

    from django.utils import timezone

    make_essay("Live one")
    make_essay("Draft one", status=Essay.Status.DRAFT)
    make_essay("Later one", published_at=timezone.now() + timedelta(days=3))
    client.force_login(editor)
    url = reverse("admin:blog_essay_changelist")
    scheduled = client.get(url + "?state=scheduled").content.decode()
    assert "Later one" in scheduled and "Live one" not in scheduled and "Draft one" not in scheduled
    assert "Scheduled" in scheduled
    live = client.get(url + "?state=live").content.decode()
    assert "Live one" in live and "Later one" not in live


def test_editor_cannot_manage_users(client, editor):
    client.force_login(editor)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_warning_autocomplete_is_available_to_editors(client, editor):
    make_warning("Sexual violence")
    client.force_login(editor)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "term": "sex",
            "app_label": "blog",
            "model_name": "essaywarning",
            "field_name": "warning",
        },
    )
    assert response.status_code == 200
    assert response.json()["results"][0]["text"] == "Sexual violence"


def test_non_staff_cannot_reach_the_admin(client):
    client.force_login(make_user(is_staff=False))
    response = client.get(reverse("admin:blog_essay_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_essay_with_image_needs_alt_text_in_the_admin(client, editor):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (90, 120, 150)).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "pic.png"
    client.force_login(editor)
    response = client.post(
        reverse("admin:blog_essay_add"),
        {
            "title": "With image",
            "slug": "with-image",
            **inline_forms(make_author("A. Writer")),
            "summary": "S.",
            "body": "B.",
            "body_format": "markdown",
            "status": "draft",
            "published_at_0": "2026-01-01",
            "published_at_1": "10:00:00",
            "featured_image": buffer,
            "featured_image_alt": "",
        },
    )
    assert response.status_code == 200
    assert "Describe the image for readers who cannot see it." in response.content.decode()
    assert not Essay.objects.filter(slug="with-image").exists()


def essay_form(**fields) -> dict:
    return {
        "title": "Essay from the form", "slug": "essay-from-the-form", "summary": "S.",
        "body": "B.", "body_format": "markdown", "status": "draft",
        "published_at_0": "2026-01-01",
        "published_at_1": "10:00:00", "warning_note": "", "featured_image_alt": "",
        "image_creator": "", "image_source": "", "image_source_url": "",
    } | fields  # fmt: skip


def test_an_essay_needs_an_author_and_can_join_a_series_from_its_form(client, editor):
    from blog.models import Series

    client.force_login(editor)
    refused = client.post(reverse("admin:blog_essay_add"), essay_form(**inline_forms()))
    assert refused.status_code == 200 and "Name at least one author" in refused.content.decode()
    series = Series.objects.create(title="Afterwards", slug="afterwards")
    ana, sam = make_author("Ana Ruiz"), make_author("Sam Lee")
    response = client.post(
        reverse("admin:blog_essay_add"), essay_form(**inline_forms(ana, sam, series=series))
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    essay = Essay.objects.get(slug="essay-from-the-form")
    assert essay.author_names() == "Ana Ruiz and Sam Lee"
    assert essay.series_part.series == series and essay.series_part.position == 2


def test_editors_manage_topics_authors_and_series_and_pick_topics_by_autocomplete(client, editor):
    client.force_login(editor)
    for name in ("topic", "author", "series"):
        assert client.get(reverse(f"admin:blog_{name}_add")).status_code == 200
    response = client.post(
        reverse("admin:blog_topic_add"),
        {"name": "Recovery", "slug": "recovery", "parent": "", "description": "After."},
    )
    assert response.status_code == 302
    make_topic("Reporting")
    found = client.get(
        "/admin/autocomplete/",
        {"term": "reco", "app_label": "blog", "model_name": "essay", "field_name": "topics"},
    ).json()
    assert [r["text"] for r in found["results"]] == ["Recovery"]


def test_an_editor_can_switch_an_imported_html_body_to_markdown(client, editor):
    from blog.models import Essay

    essay = make_essay(body="<p>Imported <em>words</em></p>", body_format="html")
    assert essay.body_html == "<p>Imported <em>words</em></p>"  # kept as HTML, not escaped
    client.force_login(editor)
    form = essay_form(
        title=essay.title, slug=essay.slug, body="Now *Markdown*.", body_format="markdown",
        **inline_forms(make_author("Another Writer")),
    )  # fmt: skip
    response = client.post(reverse("admin:blog_essay_change", args=[essay.pk]), form)
    assert response.status_code == 302
    essay = Essay.objects.get(pk=essay.pk)
    assert essay.body_html == "<p>Now <em>Markdown</em>.</p>\n"
