"""Background tasks (django.tasks): every email is sent from one of these, never in a
reader's request (with the default ImmediateBackend they run at once, as screening does)."""

import time

from django.conf import settings
from django.tasks import task

from subscriptions import sending


@task
def deliver_email(email_id: int) -> str:
    return sending.deliver(email_id)


@task
def ask_for_replies(comment_id: int) -> str:
    """Record what a comment's writer asked to be emailed about, and queue the
    confirmation; nothing for a comment found to be spam or removed meanwhile."""
    from comments.models import Comment
    from subscriptions.models import Subscription
    from subscriptions.services import request_subscription

    comment = Comment.objects.select_related("essay").filter(pk=comment_id).first()
    live = (Comment.Status.PENDING, Comment.Status.APPROVED)
    if comment is None or comment.status not in live or not comment.author_email:
        return "nothing"
    discussion = comment.notify == Comment.Notify.DISCUSSION
    asked, _ = request_subscription(
        email=comment.author_email,
        kind=Subscription.Kind.DISCUSSION if discussion else Subscription.Kind.REPLIES,
        comment=None if discussion else comment,
        essay=comment.essay if discussion else None,
        ip=comment.ip_address,
        writer_key=comment.writer_key,
    )
    return asked.name


@task
def notify_subscribers(comment_id: int) -> int:
    return sending.notify_subscribers(comment_id)


@task
def notify_moderators(comment_id: int) -> int:
    return sending.notify_moderators(comment_id)


@task
def send_digest(address_id: int) -> list[str]:
    return sending.send_digest(address_id)


@task
def announce_essay(essay_id: int) -> bool:
    return sending.announce(essay_id)


@task
def mail_essay(mailing_id: int) -> int:
    """Send a new essay, batch after batch; after SUBSCRIPTIONS_TASK_SECONDS it queues
    itself to go on, so one mailing never holds a worker for long. Subscriptions sent."""
    from blog.models import Essay
    from subscriptions.models import EssayMailing

    mailing = EssayMailing.objects.filter(pk=mailing_id, finished_at=None).first()
    if mailing is None:
        return 0
    public = Essay.objects.published().prefetch_related("warnings")
    essay = public.filter(pk=mailing.essay_id).first()
    if essay is None:  # taken back before it went out: stop here
        return 0
    context = sending.essay_context(essay)
    deadline = time.monotonic() + settings.SUBSCRIPTIONS_TASK_SECONDS
    covered = 0
    while batch := sending.mail_batch(mailing, essay, context):
        covered += batch
        if time.monotonic() > deadline:
            mail_essay.enqueue(mailing_id)
            break
    return covered


@task
def send_due_mail() -> dict:
    return sending.due_work()
