"""Asking for email, confirming it, stopping it: the rules, in one place.

Every request goes through request_subscription(): the moderators' block list, the limits
per requesting IP address and per mailbox, and double opt-in. Nothing here sends mail in
the caller's request: an Email row is written and a task sends it (subscriptions.sending).
"""

import enum
import logging
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from blog.models import ContentWarning
from moderation.screening import disallowed
from subscriptions.models import Address, Email, Subscription
from subscriptions.tokens import BadLink

logger = logging.getLogger(__name__)
Kind = Subscription.Kind


class Asked(enum.Enum):
    """What became of a request."""

    CONFIRMATION_SENT = "sent"
    CONFIRMATION_WAITING = "waiting"
    ACTIVE = "active"
    ALREADY_ACTIVE = "already"
    TOO_MANY = "too many"
    REFUSED = "refused"

    def message(self, address: "Address | None" = None) -> str:
        """What to tell the reader (never more than the masked address)."""
        return ASKED_MESSAGES[self].format(masked=address.masked if address else "")


ASKED_MESSAGES = {
    Asked.CONFIRMATION_SENT: "We have sent a link to {masked}. Follow it to confirm; nothing "
    "else is sent until you do.",
    Asked.CONFIRMATION_WAITING: "We sent a confirmation link to {masked} a short while ago. "
    "Follow it to confirm; it covers this request too when you asked from the same browser.",
    Asked.ACTIVE: "Done: you will get these emails at {masked}. Every one has a link to stop them.",
    Asked.ALREADY_ACTIVE: "{masked} already gets these emails.",
    Asked.TOO_MANY: "Too many requests for email have come from your network in the last "
    "hour, so this one was not taken. Please try again later.",
    Asked.REFUSED: "We cannot send email to that address.",
}


def normalized(email: str) -> str:
    return (email or "").strip().lower()


def request_subscription(
    *,
    email: str,
    kind: str,
    comment=None,
    essay=None,
    excluded_warnings: Iterable[ContentWarning] = (),
    ip: str | None,
    writer_key: str = "",
    confirmed: bool = False,
) -> tuple[Asked, Address | None]:
    """Record a request for email and queue its confirmation, within the limits.

    `confirmed` is for addresses the site already trusts (a moderator's account email);
    everyone else confirms by link, unless this browser made an earlier request that the
    address confirmed (then the address has shown us it trusts this browser).
    """
    email = normalized(email)
    if disallowed(email=email, ip=ip):
        return Asked.REFUSED, None
    now = timezone.now()
    if ip and not confirmed:
        recent = Subscription.objects.filter(
            requested_ip=ip, created_at__gte=now - timedelta(hours=1)
        ).count()
        if recent >= settings.SUBSCRIPTIONS_REQUESTS_PER_IP_HOUR:
            return Asked.TOO_MANY, None
    address = _address(email)
    if address.disabled_at is not None:
        return Asked.REFUSED, None
    target = {"comment": comment, "essay": essay}
    existing = Subscription.objects.filter(
        address=address, kind=kind, ended_at=None, **target
    ).first()
    if existing is not None and existing.confirmed_at is not None:
        return Asked.ALREADY_ACTIVE, address
    trusted = confirmed or bool(
        writer_key
        and Subscription.objects.filter(
            address=address, writer_key=writer_key, confirmed_at__isnull=False
        ).exists()
    )
    with transaction.atomic():
        subscription = existing or Subscription(
            address=address, kind=kind, requested_ip=ip, writer_key=writer_key, **target
        )
        if trusted:
            subscription.confirmed_at, subscription.confirm_nonce = now, ""
            subscription.requested_ip = None
        elif not subscription.confirm_nonce:
            subscription.confirm_nonce = secrets.token_urlsafe(16)
        try:
            with transaction.atomic():
                subscription.save()
        except IntegrityError:  # the same request, sent twice at once: the first one stands
            return Asked.CONFIRMATION_WAITING, address
        if kind == Kind.ESSAYS:
            subscription.excluded_warnings.set(list(excluded_warnings))
        if trusted:
            return Asked.ACTIVE, address
        if not _may_send_confirmation(address, now):
            return Asked.CONFIRMATION_WAITING, address
        queued = Email.objects.create(address=address, kind=Email.Kind.CONFIRM,
                                      subscription=subscription)  # fmt: skip
        from subscriptions.sending import send_soon

        send_soon(queued)
    return Asked.CONFIRMATION_SENT, address


def _address(email: str) -> Address:
    try:
        with transaction.atomic():
            return Address.objects.get_or_create(email=email)[0]
    except IntegrityError:  # created by a request at the same moment
        return Address.objects.get(email=email)


def _may_send_confirmation(address: Address, now) -> bool:
    """At most SUBSCRIPTIONS_CONFIRMATIONS_PER_DAY confirmation emails to one mailbox a
    day, and none within SUBSCRIPTIONS_CONFIRMATION_GAP_MINUTES of the last: the form
    cannot be used to flood a stranger's inbox."""
    sent = list(
        Email.objects.filter(
            address=address, kind=Email.Kind.CONFIRM, created_at__gte=now - timedelta(days=1)
        ).values_list("created_at", flat=True)
    )
    gap = timedelta(minutes=settings.SUBSCRIPTIONS_CONFIRMATION_GAP_MINUTES)
    return len(sent) < settings.SUBSCRIPTIONS_CONFIRMATIONS_PER_DAY and all(
        now - at >= gap for at in sent
    )


class Confirmed(enum.Enum):
    NOW = "now"
    ALREADY = "already"
    ENDED = "ended"


ENDED_MESSAGE = (
    "This subscription was stopped since, so the link no longer starts it. Ask again from "
    "the site if you want it back."
)


NO_LONGER = (
    "This link is no longer valid: the request was forgotten (unconfirmed requests are "
    "kept for 7 days) or its address was erased. Ask again from the site."
)


def pending_subscription(subscription_id: int, nonce: str) -> Subscription:
    """The subscription a confirmation link names, or BadLink."""
    subscription = (
        Subscription.objects.select_related("address", "comment__essay", "essay")
        .filter(pk=subscription_id)
        .first()
    )
    if subscription is None:
        raise BadLink(NO_LONGER)
    if subscription.confirmed_at is None and not (
        subscription.confirm_nonce and secrets.compare_digest(subscription.confirm_nonce, nonce)
    ):
        raise BadLink(NO_LONGER)
    return subscription


def confirm(subscription: Subscription) -> Confirmed:
    """Confirm a subscription (and this browser's other waiting requests to its address)."""
    if subscription.ended_at is not None:
        return Confirmed.ENDED
    if subscription.confirmed_at is not None:
        return Confirmed.ALREADY
    now = timezone.now()
    same = Q(pk=subscription.pk)
    if subscription.writer_key:
        same |= Q(writer_key=subscription.writer_key)
    with transaction.atomic():
        Subscription.objects.filter(
            same, address=subscription.address, confirmed_at=None, ended_at=None
        ).update(confirmed_at=now, confirm_nonce="", requested_ip=None)
        Address.objects.filter(pk=subscription.address_id, confirmed_at=None).update(
            confirmed_at=now
        )
    subscription.confirmed_at = now
    return Confirmed.NOW


def unsubscribe(address: Address, subscription_ids: Iterable[int] = ()) -> int:
    """End these of the address's subscriptions (all of them when none are named); how
    many were still running. Their waiting notifications go with them."""
    running = Subscription.objects.filter(address=address, ended_at=None)
    ids = list(subscription_ids)
    if ids:
        running = running.filter(pk__in=ids)
    return running.update(ended_at=timezone.now(), confirm_nonce="")


def disable_address(email: str, reason: str) -> bool:
    """Stop all mail to an address (a hard bounce, a complaint); whether it was known."""
    return bool(
        Address.objects.filter(email=normalized(email), disabled_at=None).update(
            disabled_at=timezone.now(), disabled_reason=reason
        )
    )


def forget_unconfirmed(*, now=None) -> int:
    """Forget requests never confirmed within SUBSCRIPTIONS_CONFIRM_DAYS, and addresses
    left with nothing and never confirmed; how many requests."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.SUBSCRIPTIONS_CONFIRM_DAYS)
    _, deleted = Subscription.objects.filter(confirmed_at=None, created_at__lt=cutoff).delete()
    Address.objects.filter(
        confirmed_at=None, created_at__lt=cutoff, subscriptions__isnull=True
    ).delete()
    return deleted.get("subscriptions.Subscription", 0)


def describe(subscription: Subscription) -> str:
    """What a subscription sends, in a sentence a reader understands."""
    if subscription.kind == Kind.REPLIES:
        title = subscription.comment.essay.title
        return f"Emails when someone replies to your comment on \u201c{title}\u201d."
    if subscription.kind == Kind.DISCUSSION:
        return f"Emails about new comments on \u201c{subscription.essay.title}\u201d."
    if subscription.kind == Kind.ESSAYS:
        return "Emails when a new essay is published."
    return "Emails when comments wait for review."
