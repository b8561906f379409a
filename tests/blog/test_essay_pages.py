import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.models import Essay
from tests.factories import make_essay, make_topic, make_user, make_warning

pytestmark = pytest.mark.django_db


def test_home_lists_published_essays_newest_first_with_their_details(client):
    grief = make_warning("Grief")
    older = make_essay("Older essay", days_ago=5, byline="Sam Lee")
    newer = make_essay("Newer essay", days_ago=1, warnings=[grief], summary="What it is about.")
    make_essay("A draft", status=Essay.Status.DRAFT)
    make_essay("Tomorrow's essay", published_at=timezone.now() + timedelta(days=1))

    response = client.get("/")
    html = response.content.decode()
    assert html.index(newer.title) < html.index(older.title)
    assert "A draft" not in html and "Tomorrow" not in html
    assert "Sam Lee" in html and "What it is about." in html
    assert '<li class="cw-label">Grief</li>' in html
    assert "min read" in html


def test_home_is_paginated(settings, client):
    settings.ESSAYS_PER_PAGE = 2
    essays = [make_essay(f"Essay number {i}", days_ago=i) for i in range(1, 6)]
    first = client.get("/").content.decode()
    assert essays[0].title in first and essays[2].title not in first
    assert 'href="?page=2"' in first and "Page 1 of 3" in first
    last = client.get("/?page=3").content.decode()
    assert essays[4].title in last and "Newer essays" in last


@pytest.mark.parametrize("page", ["-1", "abc", "0", "99999", "1.5", "%00", "1e9"])
def test_garbage_page_numbers_give_a_real_page(page, settings, client):
    settings.ESSAYS_PER_PAGE = 2
    for i in range(3):
        make_essay(days_ago=i + 1)
    response = client.get(f"/?page={page}&unknown=filter&warnings[]=x")
    assert response.status_code == 200
    assert response.content.decode().count('<article class="card">') in (1, 2)


@pytest.mark.parametrize("n_essays", [1, 50])
def test_home_query_count_does_not_grow_with_essays(
    n_essays, django_assert_max_num_queries, client
):
    warnings = [make_warning(gates=i % 2 == 0) for i in range(4)]
    for _ in range(n_essays):
        make_essay(warnings=warnings)
    # freshness, count, essays, warnings, authors, comment counts
    with django_assert_max_num_queries(6):
        response = client.get("/")
    assert response.status_code == 200


@pytest.mark.parametrize("n_essays", [1, 50])
def test_essay_page_query_count_is_constant(n_essays, django_assert_max_num_queries, client):
    warnings = [make_warning() for _ in range(5)]
    essays = [make_essay(warnings=warnings) for _ in range(n_essays)]
    # essay, warnings, authors, topics, comment count, threads (2)
    with django_assert_max_num_queries(7):
        response = client.get(essays[-1].get_absolute_url())
    assert response.status_code == 200


def test_essay_page_shows_title_byline_notice_image_credit_and_body_in_order(client):
    cw = make_warning("Grief", support_text="Call a friend: https://help.example/grief")
    essay = make_essay(
        "A long goodbye",
        byline="Ana Ruiz",
        warnings=[cw],
        warning_note="A death is described in the second half.",
        body="The body text starts here.",
        featured_image="essays/2026/pic.jpg",
        featured_image_alt="A quiet shoreline",
        featured_image_width=1600,
        featured_image_height=900,
        image_creator="Ana Ruiz",
        image_source="Example Photos",
        image_source_url="https://photos.example/1",
    )
    html = client.get(essay.get_absolute_url()).content.decode()
    html = html[html.index("<article") :]
    positions = [
        html.index("<h1>A long goodbye</h1>"),
        html.index('By <a href="/authors/ana-ruiz-'),
        html.index("<strong>Content warning:</strong> Grief."),
        html.index("A death is described in the second half."),
        html.index('<figure class="featured-image">'),
        html.index("<figcaption>Featured image via Ana Ruiz on"),
        html.index("</figure>"),
        html.index("The body text starts here."),
    ]
    assert positions == sorted(positions)
    assert '<a href="https://help.example/grief" rel="nofollow">' in html
    assert 'alt="A quiet shoreline" width="1600" height="900"' in html
    assert '<a href="https://photos.example/1" rel="noopener">Example Photos</a>' in html


def test_link_previews_and_description_carry_the_warnings(client, settings):
    settings.SITE_URL = "https://essays.example"
    cw = make_warning("Self-harm", gates=True)
    essay = make_essay(warnings=[cw], summary="About recovery.")
    html = client.get(essay.get_absolute_url()).content.decode()
    expected = "Content warning: Self-harm. About recovery."
    assert f'<meta name="description" content="{expected}">' in html
    assert f'<meta property="og:description" content="{expected}">' in html
    url = f"https://essays.example{essay.get_absolute_url()}"
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html


@pytest.mark.parametrize("slug", ["no-such-essay", "draft-one", "scheduled-one"])
def test_unknown_draft_and_scheduled_essays_are_404_for_readers(slug, client):
    make_essay(slug="draft-one", status=Essay.Status.DRAFT)
    make_essay(slug="scheduled-one", published_at=timezone.now() + timedelta(days=2))
    response = client.get(f"/essays/{slug}/")
    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()


def group(name):
    from django.contrib.auth.models import Group

    return Group.objects.get(name=name)  # made by the migrations, as in production


def test_editor_preview_shows_a_draft_as_readers_will_see_it(client):
    cw = make_warning("Suicide", gates=True)
    draft = make_essay(status=Essay.Status.DRAFT, warnings=[cw], body="Draft body here.")
    url = reverse("blog:essay_preview", kwargs={"pk": draft.pk})

    client.force_login(make_user(is_staff=True, groups=[group("Editors")]))
    gate = client.get(url).content.decode()
    assert "This is a draft; readers cannot see it." in gate
    assert "Continue to the essay" in gate and "Draft body here." not in gate
    body = client.get(url + "?read=1").content.decode()
    assert "Draft body here." in body and 'content="noindex"' in body


def test_superuser_can_preview_a_scheduled_essay(client):
    later = make_essay(published_at=timezone.now() + timedelta(days=2), body="Not yet out.")
    client.force_login(make_user(is_staff=True, is_superuser=True))
    response = client.get(reverse("blog:essay_preview", kwargs={"pk": later.pk}) + "?read=1")
    assert response.status_code == 200 and "Not yet out." in response.content.decode()


@pytest.mark.parametrize(
    ("groups", "is_staff", "expected"),
    [
        (["Moderators"], True, 403),  # staff, but for comments
        ([], True, 403),  # staff with no permissions at all
        (["Editors"], False, 302),  # not staff: the admin login, as for the signed-out
    ],
    ids=["moderator", "staff-without-permissions", "editor-not-staff"],
)
def test_only_editors_can_preview_drafts(groups, is_staff, expected, client):
    draft = make_essay(status=Essay.Status.DRAFT, body="Secret draft body.")
    client.force_login(make_user(is_staff=is_staff, groups=[group(g) for g in groups]))
    for query in ("", "?read=1", "?gate=1"):
        response = client.get(reverse("blog:essay_preview", kwargs={"pk": draft.pk}) + query)
        assert response.status_code == expected
        assert "Secret draft body." not in response.content.decode()
        if expected == 302:
            assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_preview_is_sent_to_the_admin_login(client):
    draft = make_essay(status=Essay.Status.DRAFT, body="Secret draft body.")
    url = reverse("blog:essay_preview", kwargs={"pk": draft.pk})
    response = client.get(url + "?read=1")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login") + "?next=")
    assert "Secret draft body." not in response.content.decode()


def test_pages_send_a_strict_content_security_policy(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp


def test_no_inline_scripts_or_style_attributes_on_reader_pages(client):
    cw = make_warning("Suicide", gates=True)
    gated = make_essay(warnings=[cw])
    open_essay = make_essay()
    topic = make_topic("Recovery")
    open_essay.topics.add(topic)
    for url in [
        "/",
        gated.get_absolute_url(),
        open_essay.get_absolute_url(),
        topic.get_absolute_url(),
        "/topics/",
        "/search/?q=essay",
        "/preferences/",
        "/privacy/",
        "/nope/",
    ]:
        html = client.get(url).content.decode()
        # The one inline element allowed is JSON-LD: a data block, never run, which CSP
        # does not govern.
        scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert set(scripts) <= {'<script type="application/ld+json">'}, url
        assert " style=" not in html, url
