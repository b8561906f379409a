"""Small factory functions for test data."""

from datetime import timedelta
from itertools import count

from django.contrib.auth import get_user_model
from django.utils import timezone

from blog.models import ContentWarning, Essay

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


def make_essay(
    title=None, *, warnings=(), status=Essay.Status.PUBLISHED, days_ago=1, **fields
) -> Essay:
    n = next(_seq)
    title = title or f"Essay {n}"
    essay = Essay.objects.create(
        title=title,
        slug=fields.pop("slug", f"essay-{n}"),
        byline=fields.pop("byline", "A. Writer"),
        summary=fields.pop("summary", f"Summary of essay {n}."),
        body=fields.pop("body", f"The body of essay {n}.\n\nSecond paragraph."),
        status=status,
        published_at=fields.pop("published_at", timezone.now() - timedelta(days=days_ago)),
        **fields,
    )
    if warnings:
        essay.warnings.set(warnings)
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
        ("moderation.migrations.0002_moderators_group", "create_moderators"),
    ]:
        getattr(importlib.import_module(module), function)(apps, None)
