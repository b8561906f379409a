"""Small factory functions for test data."""

from datetime import timedelta
from itertools import count

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify

from blog.models import Author, ContentWarning, Essay, EssayAuthor, Topic

_seq = count(1)


def make_warning(name=None, *, gates=False, display_order=100, **fields) -> ContentWarning:
    n = next(_seq)
    name = name or f"Warning {n}"
    return ContentWarning.objects.create(
        name=name,
        slug=fields.pop("slug", f"warning-{n}"),
        gates=gates,
        display_order=display_order,
        **fields,
    )


def make_author(name=None, **fields) -> Author:
    """The author with this name (made on first use)."""
    name = name or f"Writer {next(_seq)}"
    author = Author.objects.filter(name=name).first()
    if author is None:
        slug = fields.pop("slug", f"{slugify(name) or 'author'}-{next(_seq)}")
        author = Author.objects.create(name=name, slug=slug, **fields)
    return author


def make_topic(name=None, *, parent=None, **fields) -> Topic:
    n = next(_seq)
    name = name or f"Topic {n}"
    return Topic.objects.create(
        name=name, slug=fields.pop("slug", f"topic-{n}"), parent=parent, **fields
    )


def make_essay(
    title=None, *, warnings=(), topics=(), status=Essay.Status.PUBLISHED, days_ago=1, **fields
) -> Essay:
    """An essay by `byline` (an author's name, or several in `authors`)."""
    n = next(_seq)
    title = title or f"Essay {n}"
    authors = fields.pop("authors", None) or [fields.pop("byline", "A. Writer")]
    essay = Essay.objects.create(
        title=title,
        slug=fields.pop("slug", f"essay-{n}"),
        summary=fields.pop("summary", f"Summary of essay {n}."),
        body=fields.pop("body", f"The body of essay {n}.\n\nSecond paragraph."),
        status=status,
        published_at=fields.pop("published_at", timezone.now() - timedelta(days=days_ago)),
        **fields,
    )
    for position, author in enumerate(authors):
        author = author if isinstance(author, Author) else make_author(author)
        EssayAuthor.objects.create(essay=essay, author=author, position=position)
    if warnings:
        essay.warnings.set(warnings)
    if topics:
        essay.topics.set(topics)
    return essay


def make_user(username=None, *, groups=(), **fields):
    user = get_user_model().objects.create_user(
        username=username or f"user{next(_seq)}", password="pw-for-tests-only", **fields
    )
    for group in groups:
        user.groups.add(group)
    return user


def make_comment(essay, *, parent=None, status="approved", **fields):
    from comments.models import Comment

    n = next(_seq)
    comment = Comment(
        essay=essay,
        parent=parent,
        author_name=fields.pop("author_name", f"Reader {n}"),
        body=fields.pop("body", f"Comment number {n}."),
        status=status,
        **fields,
    )
    comment.save()
    return comment


def comment_form_data(**overrides) -> dict:
    data = {
        "body": "A thoughtful comment.",
        "author_name": "A reader",
        "author_email": "",
        "author_url": "",
        "content_warning": "",
        "parent": "",
    }
    data.update(overrides)
    return data


def make_pending(essay, **fields):
    """A freshly submitted comment, as the form would leave it (not yet screened)."""
    fields.setdefault("form_seconds", 30.0)
    fields.setdefault("ip_address", "203.0.113.5")
    fields.setdefault("user_agent", "Mozilla/5.0 (test)")
    fields.setdefault("permalink", f"https://essays.example{essay.get_absolute_url()}")
    return make_comment(essay, status="pending", **fields)


def ensure_groups():
    """Recreate the Editors and Moderators groups (a transactional test's flush drops them)."""
    import importlib

    from django.apps import apps

    for module, function in [
        ("blog.migrations.0002_editors_group", "create_editors"),
        ("blog.migrations.0007_editors_manage_topics_series_authors", "grant"),
        ("blog.migrations.0010_essay_warning_order", "grant"),
        ("blog.migrations.0011_body_images", "grant"),
        ("moderation.migrations.0002_moderators_group", "create_moderators"),
        ("subscriptions.migrations.0002_moderators_see_subscriptions", "grant"),
    ]:
        getattr(importlib.import_module(module), function)(apps, None)
