"""Subscriptions' answers to what blog, comments and moderation announce (connected in
SubscriptionsConfig.ready). Each queues a task: nothing is sent in the request."""

import logging

from django.dispatch import receiver
from django.utils import timezone

from blog.signals import essay_published
from comments.signals import comment_published, comment_submitted
from moderation.signals import comment_held, daily_maintenance

logger = logging.getLogger(__name__)


@receiver(comment_submitted, dispatch_uid="subscriptions.comment_submitted")
def writer_asked_for_replies(sender, comment, **kwargs):
    """The writer ticked a box under the form: the request is made by a task (one INSERT
    in the reader's request, with the database backend)."""
    if comment.notify and comment.author_email:
        from subscriptions.tasks import ask_for_replies

        ask_for_replies.enqueue(comment.pk)


@receiver(comment_published, dispatch_uid="subscriptions.comment_published")
def tell_subscribers(sender, comment, **kwargs):
    from subscriptions.tasks import notify_subscribers

    notify_subscribers.enqueue(comment.pk)


@receiver(comment_held, dispatch_uid="subscriptions.comment_held")
def tell_moderators(sender, comment, **kwargs):
    from subscriptions.tasks import notify_moderators

    notify_moderators.enqueue(comment.pk)


@receiver(essay_published, dispatch_uid="subscriptions.essay_published")
def announce_when_public(sender, essay, **kwargs):
    """Queue the essay's mailing for the moment it becomes public (now, or its scheduled
    time where the task backend can wait; else `send_due_mail` finds it then)."""
    from subscriptions.sending import later
    from subscriptions.tasks import announce_essay

    when = max(essay.published_at, timezone.now())
    if not later(announce_essay, when, essay.pk):
        logger.info("essay %s is scheduled; send_due_mail will mail it at %s", essay.pk,
                    essay.published_at.isoformat())  # fmt: skip


@receiver(daily_maintenance, dispatch_uid="subscriptions.daily")
def daily(sender, **kwargs) -> dict:
    """Once a day in the worker: forget stale requests and old records, send what is due."""
    from subscriptions.sending import due_work

    return due_work()
