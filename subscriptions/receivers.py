"""Subscriptions' answers to what blog, comments and moderation announce (connected in
SubscriptionsConfig.ready). Each queues a task: nothing is sent in the request."""

import logging

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from blog.signals import essay_published
from comments.signals import comment_published, comment_submitted
from moderation.signals import comment_held, daily_maintenance
from subscriptions.models import Subscription

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
    """Every moderator with an email address hears of held comments (their accounts'
    addresses are set by the site's admins, so they need no confirmation), unless they
    stopped these emails with the link in one."""
    from subscriptions.services import request_subscription
    from subscriptions.tasks import notify_moderators

    User = get_user_model()
    moderators = (
        User.objects.filter(
            Q(groups__permissions__codename="moderate_comment") | Q(is_superuser=True),
            is_active=True,
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    stopped = set(
        Subscription.objects.filter(kind=Subscription.Kind.HELD, ended_at__isnull=False)
        .exclude(address__subscriptions__kind=Subscription.Kind.HELD,
                 address__subscriptions__ended_at=None)
        .values_list("address__email", flat=True)
    )  # fmt: skip
    for email in {e.lower() for e in moderators} - stopped:
        request_subscription(email=email, kind=Subscription.Kind.HELD, ip=None, confirmed=True)
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
