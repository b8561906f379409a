"""A confirmed demo subscriber, so the admin's subscription pages have something in them.

Seeded as if it had been running for a while: new essays (leaving out one warning) and
replies to a demo comment, with the replies already sent in a past digest and every demo
essay already mailed, so seeding sends nothing (the console would print it all)."""

from django.db.models import Count
from django.utils import timezone

from blog.models import ContentWarning, Essay
from comments.models import Comment
from subscriptions.models import Address, Email, EssayMailing, Notification, Subscription

DEMO_EMAIL = "demo.reader@example.org"


def seed_subscriber() -> Address:
    now = timezone.now()
    for essay in Essay.objects.all():
        EssayMailing.objects.get_or_create(essay=essay, defaults={"finished_at": now})
    address, _ = Address.objects.get_or_create(email=DEMO_EMAIL, defaults={"confirmed_at": now})
    essays, created = Subscription.objects.get_or_create(
        address=address, kind=Subscription.Kind.ESSAYS, ended_at=None,
        defaults={"confirmed_at": now},
    )  # fmt: skip
    if created:
        essays.excluded_warnings.set(ContentWarning.objects.filter(slug="suicide"))
    answered = (
        Comment.objects.filter(depth=0, status=Comment.Status.APPROVED, ip_address="192.0.2.10")
        .annotate(replies_count=Count("replies"))
        .filter(replies_count__gt=0)
        .order_by("pk")
        .first()
    )
    if answered is None:
        return address
    replies, _ = Subscription.objects.get_or_create(
        address=address, kind=Subscription.Kind.REPLIES, comment=answered, ended_at=None,
        defaults={"confirmed_at": now},
    )  # fmt: skip
    waiting = answered.replies.filter(status=Comment.Status.APPROVED).exclude(
        pk__in=Notification.objects.filter(address=address).values("comment_id")
    )
    if waiting.exists():
        digest = Email.objects.create(address=address, kind=Email.Kind.REPLIES,
                                      state=Email.State.SENT, sent_at=now, attempts=1)  # fmt: skip
        Notification.objects.bulk_create(
            Notification(address=address, subscription=replies, comment=c, email=digest)
            for c in waiting
        )
        Address.objects.filter(pk=address.pk).update(last_digest_at=now)
    return address
