"""WordPress's own theme test export: every count of its README accounted for in the report.

The file lives in the project's shared data folder, not in this repository.
"""

import pytest
from django.conf import settings as django_settings

from blog.models import Essay, Topic
from comments.models import Comment
from tests.wordpress.exports import THEME_EXPORT
from wordpress.importer import import_wordpress

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not THEME_EXPORT.is_file(),
        reason=f"WordPress's theme test export is not at {THEME_EXPORT} (shared/data/wxr/)",
    ),
]


@pytest.fixture
def report():
    return import_wordpress(THEME_EXPORT)


def test_every_item_is_counted(report):
    assert report.items == {"post": 58, "page": 21, "attachment": 37, "nav_menu_item": 70}
    assert report.site_url == "https://wpthemetestdata.wordpress.com"
    assert report.version == "1.2"


def test_posts_by_status_and_what_they_became(report):
    assert report.posts_by_status == {"publish": 56, "draft": 1, "future": 1}
    assert len(report.essays_created) == 58 and not report.essays_skipped
    # The password-protected post is kept as a draft (the site has no passwords).
    assert report.essays_by_state == {"published": 55, "scheduled": 1, "draft": 2}
    scheduled = Essay.objects.get(title="Scheduled")
    assert scheduled.is_scheduled and scheduled.published_at.year == 2030


def test_every_comment_is_accounted_for(report):
    assert report.comments_in_file == 33
    assert report.comments_by_approval == {"1": 30, "0": 3}
    assert report.pings_skipped == 4
    assert report.comments_on_skipped_items == 5  # on pages
    assert report.comments_imported == 24 == Comment.objects.count()
    assert report.comments_imported + report.pings_skipped + 5 == 33
    assert report.comments_created == {"approved": 23, "pending": 1}
    assert not report.comments_skipped


def test_the_ten_deep_chain_keeps_its_real_parents(report):
    chain = [904, 905, 906, 907, 910, 911, 912, 913, 914, 915]
    from wordpress.models import ImportedObject

    ids = dict(
        ImportedObject.objects.filter(
            kind="comment", wordpress_id__in=[str(n) for n in chain]
        ).values_list("wordpress_id", "object_id")
    )
    comments = Comment.objects.in_bulk([ids[str(n)] for n in chain])
    for parent_id, reply_id in zip(chain, chain[1:], strict=False):
        reply = comments[ids[str(reply_id)]]
        assert reply.parent_id == ids[str(parent_id)]
    deepest = comments[ids["915"]]
    assert deepest.depth == 9 > django_settings.COMMENTS_MAX_DEPTH


def test_categories_and_tags_become_topics(report):
    assert report.terms_listed == {"category": 68, "post_tag": 110}
    assert report.terms_listed_twice == 1  # category 6.1, as wp:category and wp:term
    assert report.topics_created + report.topics_reused == 68 + 110 + report.terms_on_posts_only
    assert Topic.objects.count() == report.topics_created
    assert Topic.objects.filter(parent__isnull=False).count() == 10
    many = Essay.objects.get(title="Edge Case: Many Categories")
    assert many.topics.count() >= 60


def test_titles_bodies_and_summaries_are_usable(report):
    assert Essay.objects.filter(title="Markup: Title With Markup").exists()
    assert Essay.objects.filter(title="Untitled (WordPress post 1169)").exists()
    assert not Essay.objects.filter(summary="").exists()
    assert not Essay.objects.filter(body_html__contains="<!-- wp:").exists()
    assert not Essay.objects.filter(body_html__contains="[caption").exists()
    comments_post = Essay.objects.get(title="Template: Comments")
    assert comments_post.comments.count() == 20
    closed = Essay.objects.get(title="Template: Pingbacks And Trackbacks")
    assert not closed.comments_open


def test_the_long_html_comment_keeps_its_words_and_entities(report):
    from wordpress.models import ImportedObject

    record = ImportedObject.objects.get(kind="comment", wordpress_id="881")
    comment = Comment.objects.get(pk=record.object_id)
    assert len(comment.body) > django_settings.COMMENTS_MAX_LENGTH  # kept whole
    # Readers see "<blockquote>" as words: the entity is decoded once, by the browser.
    assert "<code>&lt;blockquote&gt;</code>" in comment.body_html
    assert "&amp;lt;" not in comment.body_html
    assert "<h1" not in comment.body_html and "<table" not in comment.body_html
    assert "Header one" in comment.body_html


def test_a_second_run_changes_nothing(report):
    counts = (Essay.objects.count(), Comment.objects.count(), Topic.objects.count())
    again = import_wordpress(THEME_EXPORT)
    assert (Essay.objects.count(), Comment.objects.count(), Topic.objects.count()) == counts
    assert again.essays_created == [] and again.comments_imported == 0
    assert again.comments_already_imported == 24 and again.topics_created == 0
