"""The essay admin asks once before a save makes an essay public, and says where it stands."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.admin import GOING_LIVE
from blog.models import Essay
from tests.blog.test_admin_preview import essay_form
from tests.factories import make_author, make_essay

pytestmark = pytest.mark.django_db

ADD = reverse("admin:blog_essay_add")


def published(at) -> dict:
    local = timezone.localtime(at)
    return {
        "status": "published",
        "published_at_0": local.strftime("%Y-%m-%d"),
        "published_at_1": local.strftime("%H:%M:%S"),
    }


def past() -> dict:
    return published(timezone.now() - timedelta(hours=1))


def test_first_save_that_publishes_now_asks_for_confirmation_and_saves_nothing(client, editor):
    response = client.post(ADD, essay_form(authors=[make_author()], **past()))
    html = response.content.decode()
    assert response.status_code == 200
    assert GOING_LIVE in html
    assert 'type="checkbox" name="confirm_publish"' in html and "Yes, publish it now" in html
    # The box sits far down the form: a note at the top says what to do and links to it.
    assert '<a href="#id_confirm_publish">Nothing is saved yet' in html
    assert not Essay.objects.exists()


def test_confirmation_field_stays_hidden_until_it_is_needed(client, editor):
    html = client.get(ADD).content.decode()
    assert 'type="hidden" name="confirm_publish"' in html
    assert GOING_LIVE not in html


def test_ticking_yes_publish_it_now_publishes_and_says_where(client, editor, settings):
    data = essay_form(authors=[make_author()], confirm_publish="on", **past())
    response = client.post(ADD, data, follow=True)
    essay = Essay.objects.get()
    assert essay.is_public
    url = settings.SITE_URL + essay.get_absolute_url()
    assert f'It is live at <a href="{url}">{url}</a>.' in response.content.decode()


def test_scheduled_essay_saves_without_confirmation_and_says_when(client, editor):
    when = timezone.now() + timedelta(days=3)
    response = client.post(ADD, essay_form(authors=[make_author()], **published(when)), follow=True)
    essay = Essay.objects.get()
    assert essay.is_scheduled
    html = response.content.decode()
    assert "It is scheduled for" in html
    assert timezone.localtime(when).strftime("%H:%M") in html


def test_draft_saves_without_confirmation_and_says_so(client, editor):
    response = client.post(ADD, essay_form(authors=[make_author()]), follow=True)
    assert Essay.objects.get().status == Essay.Status.DRAFT
    assert "It is saved as a draft" in response.content.decode()


def test_editing_a_live_essay_needs_no_confirmation(client, editor):
    essay = make_essay("Live one")
    data = essay_form(stored=essay, title="Live, edited", slug=essay.slug, **past())
    response = client.post(reverse("admin:blog_essay_change", args=[essay.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    essay.refresh_from_db()
    assert essay.title == "Live, edited"


def test_publishing_a_stored_draft_now_asks_first(client, editor):
    essay = make_essay("Still a draft", status=Essay.Status.DRAFT)
    url = reverse("admin:blog_essay_change", args=[essay.pk])
    data = essay_form(stored=essay, title="Still a draft", slug=essay.slug, **past())
    response = client.post(url, data)
    assert response.status_code == 200 and GOING_LIVE in response.content.decode()
    essay.refresh_from_db()
    assert essay.status == Essay.Status.DRAFT
    assert client.post(url, data | {"confirm_publish": "on"}).status_code == 302
    essay.refresh_from_db()
    assert essay.is_public


def test_publishing_a_scheduled_essay_early_asks_first(client, editor):
    essay = make_essay("Later", published_at=timezone.now() + timedelta(days=2))
    url = reverse("admin:blog_essay_change", args=[essay.pk])
    response = client.post(url, essay_form(stored=essay, slug=essay.slug, **past()))
    assert GOING_LIVE in response.content.decode()
    essay.refresh_from_db()
    assert essay.is_scheduled


def test_change_list_badges_say_live_scheduled_or_draft(client, editor):
    live = make_essay("Live one")
    make_essay("Draft one", status=Essay.Status.DRAFT)
    when = timezone.now() + timedelta(days=3)
    make_essay("Later one", published_at=when)
    html = client.get(reverse("admin:blog_essay_changelist")).content.decode()
    assert '<span class="essay-state essay-state-live">Live</span>' in html
    assert f'<a href="{live.get_absolute_url()}"' in html and ">View<" in html
    stamp = timezone.localtime(when)
    assert f"Scheduled · {stamp.day} {stamp:%b %Y, %H:%M}</span>" in html
    assert '<span class="essay-state essay-state-draft">Draft</span>' in html
    assert "?state=live" in html and ">Live</a>" in html  # the filter's choice
