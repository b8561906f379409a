import feedparser
import pytest

from tests.factories import make_essay, make_warning

pytestmark = pytest.mark.django_db


@pytest.fixture
def essays():
    violence = make_warning("Sexual violence", gates=True, display_order=1)
    grief = make_warning("Grief", display_order=2)
    gated = make_essay(
        "Gated essay",
        warnings=[violence, grief],
        body="Secret body text.",
        summary="Gated summary.",
        days_ago=1,
    )
    open_ = make_essay(
        "Open essay",
        warnings=[grief],
        body="Open body text.",
        warning_note="A funeral.",
        days_ago=2,
    )
    plain = make_essay("Plain essay", body="Plain body text.", days_ago=3)
    return gated, open_, plain


@pytest.mark.parametrize("url", ["/feed/", "/feed/rss/"])
def test_feed_entries_lead_with_warnings_and_gated_ones_omit_the_body(client, essays, url):
    gated, open_, plain = essays
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    entries = {e.title: e for e in feed.entries}
    assert list(entries) == ["Gated essay", "Open essay", "Plain essay"]

    gated_entry = entries["Gated essay"]
    assert gated_entry.summary.startswith(
        "<p><strong>Content warning:</strong> Sexual violence and grief.</p>"
    )
    assert "Gated summary." in gated_entry.summary
    assert "Secret body text." not in gated_entry.summary
    assert f'href="http://127.0.0.1:8000{gated.get_absolute_url()}"' in gated_entry.summary
    assert [t.term for t in gated_entry.tags] == ["Sexual violence", "Grief"]

    open_entry = entries["Open essay"]
    assert open_entry.summary.startswith(
        "<p><strong>Content warning:</strong> Grief. A funeral.</p>"
    )
    assert "Open body text." in open_entry.summary
    assert "Plain body text." in entries["Plain essay"].summary
    assert entries["Plain essay"].link.endswith(plain.get_absolute_url())


def test_feeds_leave_out_drafts_and_scheduled_essays(client):
    from datetime import timedelta

    from django.utils import timezone

    from blog.models import Essay

    make_essay("Draft", status=Essay.Status.DRAFT)
    make_essay("Scheduled", published_at=timezone.now() + timedelta(days=1))
    feed = feedparser.parse(client.get("/feed/").content)
    assert feed.entries == []


def test_sitemap_lists_published_essays_only(client):
    from blog.models import Essay

    live = make_essay()
    draft = make_essay(status=Essay.Status.DRAFT)
    xml = client.get("/sitemap.xml").content.decode()
    assert live.get_absolute_url() in xml
    assert draft.get_absolute_url() not in xml
    assert "/privacy/</loc>" in xml


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_private_pages(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Disallow: /moderation/" in text and "Disallow: /preview/" in text
    assert "/admin/" not in text  # the admin address may be secret; do not advertise it
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in text
