"""Asking for email, confirming it, stopping it: the rules, in one place.

Every request goes through request_subscription(): the moderators' block list, the limits
per requesting IP address and per mailbox, and double opt-in. Nothing here sends mail in
the caller's request: an Email row is written and a task sends it (subscriptions.sending).
"""

import enum
import logging
import re
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from blog.models import ContentWarning
from moderation.limits import address_key
from moderation.screening import disallowed
from subscriptions.models import Address, ConfirmedBrowser, Email, Subscription
from subscriptions.tokens import BadLink

logger = logging.getLogger(__name__)
Kind = Subscription.Kind


class Asked(enum.Enum):
    """What became of a request. Outcomes that would tell a stranger something about an
    address (already subscribed, turned off, on the block list, a link sent minutes ago)
    share one answer: QUEUED."""

    QUEUED = "queued"  # a link went out, went out lately, or is not needed, or cannot be
    ACTIVE = "active"  # a browser the address confirmed in: done, no email needed
    ALREADY_ACTIVE = "already"  # ditto, and it was running already
    TOO_MANY = "too many"  # the requesting network's limit
    BLOCKED = "blocked"  # the requesting network is on the moderators' block list

    def message(self, address: "Address | None" = None) -> str:
        """What to tell the reader (never more than the masked address)."""
        return ASKED_MESSAGES[self].format(masked=address.masked if address else "")


ASKED_MESSAGES = {
    Asked.QUEUED: "If {masked} can receive our emails, a link to confirm is on its way to "
    "it, or went out a few minutes ago. Nothing else is sent until the link is followed. "
    "If that address gets these emails already, nothing changes.",
    Asked.ACTIVE: "Done: you will get these emails at {masked}. Every one has a link to stop them.",
    Asked.ALREADY_ACTIVE: "{masked} already gets these emails.",
    Asked.TOO_MANY: "Too many requests for email have come from your network in the last "
    "hour, so this one was not taken. Please try again later.",
    Asked.BLOCKED: "Requests for email are not taken from your network.",
}

# Addresses we never send to: a quoted local part or a literal IP domain can spell one
# mailbox many ways past every per-address rule, and no reader needs them.
UNUSUAL = re.compile(r'["\\\[\]()<>,;:\s]')


def normalized(email: str) -> str:
    return (email or "").strip().lower()


def deliverable(email: str) -> bool:
    """Whether we would send to this address at all (see UNUSUAL)."""
    local, _, domain = email.rpartition("@")
    return bool(local and domain and "." in domain and not UNUSUAL.search(email))


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
    everyone else confirms by link, unless the request comes from a browser in which the
    address's owner followed one of our confirmation links (ConfirmedBrowser).
    """
    email = normalized(email)
    network = address_key(ip)
    if network and disallowed(ip=ip):
        return Asked.BLOCKED, None
    if network and not confirmed and _over_network_limit(network):
        return Asked.TOO_MANY, None
    if not deliverable(email):
        return Asked.QUEUED, None
    address = _address(email)
    if _refused(address):
        return Asked.QUEUED, address
    now = timezone.now()
    trusted = confirmed or bool(
        writer_key and address.browsers.filter(writer_key=writer_key).exists()
    )
    target = {"comment": comment, "essay": essay}
    existing = Subscription.objects.filter(
        address=address, kind=kind, ended_at=None, **target
    ).first()
    if existing is not None and existing.confirmed_at is not None:
        return (Asked.ALREADY_ACTIVE if trusted else Asked.QUEUED), address
    if not trusted and not _may_send_confirmation(address, now):
        return Asked.QUEUED, address  # a pending request is changed only with a new link
    with transaction.atomic():
        subscription = existing or Subscription(address=address, kind=kind, **target)
        subscription.requested_ip, subscription.writer_key = network, writer_key
        # A new link every time one is sent: a link mailed earlier, for whatever choices
        # someone else made, no longer confirms anything.
        subscription.confirm_nonce = secrets.token_urlsafe(16)
        if trusted:
            subscription.confirmed_at, subscription.requested_ip = now, None
        try:
            with transaction.atomic():
                subscription.save()
        except IntegrityError:  # the same request, sent twice at once: the first one stands
            return Asked.QUEUED, address
        if kind == Kind.ESSAYS:
            subscription.excluded_warnings.set(list(excluded_warnings))
        if trusted:
            return Asked.ACTIVE, address
        queued = Email.objects.create(address=address, kind=Email.Kind.CONFIRM,
                                      subscription=subscription)  # fmt: skip
        from subscriptions.sending import send_soon

        send_soon(queued)
    return Asked.QUEUED, address


def _over_network_limit(network: str) -> bool:
    """Count this request against its network (an IPv4 address or IPv6 /64); whether it
    is over SUBSCRIPTIONS_REQUESTS_PER_IP_HOUR. Every request counts, in the shared
    cache; when the cache is down, the requests stored this hour still do."""
    limit = settings.SUBSCRIPTIONS_REQUESTS_PER_IP_HOUR
    key = f"subscriptions:requests:{network}"
    try:
        counted = 1 if cache.add(key, 1, timeout=3600) else cache.incr(key)
    except Exception:  # noqa: BLE001  an expired key, or the cache unreachable
        counted = 0
    stored = Subscription.objects.filter(
        requested_ip=network, created_at__gte=timezone.now() - timedelta(hours=1)
    ).count()
    return max(counted or 0, stored + 1) > limit


def _refused(address: Address) -> bool:
    """An address we must not mail: turned off, its inbox's owner complained, or on the
    moderators' block list (as spelled, or as its inbox)."""
    if address.disabled_at is not None:
        return True
    if disallowed(address.email, address.inbox):
        return True
    return Address.objects.filter(
        inbox=address.inbox, disabled_reason=Address.Disabled.COMPLAINED
    ).exists()


def _address(email: str) -> Address:
    try:
        with transaction.atomic():
            return Address.objects.get_or_create(email=email)[0]
    except IntegrityError:  # created by a request at the same moment
        return Address.objects.get(email=email)


def _may_send_confirmation(address: Address, now) -> bool:
    """At most SUBSCRIPTIONS_CONFIRMATIONS_PER_DAY confirmation emails to one inbox a
    day (however its address is spelled), and none within
    SUBSCRIPTIONS_CONFIRMATION_GAP_MINUTES of the last: the forms cannot be used to flood
    a stranger's inbox."""
    sent = list(
        Email.objects.filter(
            address__inbox=address.inbox, kind=Email.Kind.CONFIRM,
            created_at__gte=now - timedelta(days=1),
        ).values_list("created_at", flat=True)
    )  # fmt: skip
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
    """The subscription a confirmation link names, if the link's secret is still its own
    (a later request sent a new link), or BadLink."""
    subscription = (
        Subscription.objects.select_related("address", "comment__essay", "essay")
        .filter(pk=subscription_id)
        .first()
    )
    if subscription is None or not (
        subscription.confirm_nonce and secrets.compare_digest(subscription.confirm_nonce, nonce)
    ):
        raise BadLink(NO_LONGER)
    return subscription


def confirm(subscription: Subscription, *, browser_key: str = "") -> Confirmed:
    """Confirm the one subscription the link names. The browser it was confirmed in
    (`browser_key`, a hash of its writer token) is remembered as the address owner's: its
    later requests need no new email."""
    if subscription.ended_at is not None:
        return Confirmed.ENDED
    if subscription.confirmed_at is not None:
        return Confirmed.ALREADY
    now = timezone.now()
    with transaction.atomic():
        updated = Subscription.objects.filter(
            pk=subscription.pk, confirmed_at=None, ended_at=None
        ).update(confirmed_at=now, requested_ip=None)
        Address.objects.filter(pk=subscription.address_id, confirmed_at=None).update(
            confirmed_at=now
        )
        if browser_key:
            ConfirmedBrowser.objects.get_or_create(
                address_id=subscription.address_id, writer_key=browser_key
            )
    subscription.confirmed_at = now
    return Confirmed.NOW if updated else Confirmed.ALREADY


def unsubscribe(address: Address, subscription_ids: Iterable[int] = ()) -> int:
    """End these of the address's subscriptions (all of them, and the trust in every
    browser it confirmed in, when none are named); how many were still running."""
    running = Subscription.objects.filter(address=address, ended_at=None)
    ids = list(subscription_ids)
    with transaction.atomic():
        if ids:
            running = running.filter(pk__in=ids)
        else:
            ConfirmedBrowser.objects.filter(address=address).delete()
        return running.update(ended_at=timezone.now())


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


def forget_old_emails(*, now=None) -> int:
    """Forget the record of emails sent (or given up) more than PRIVACY_RETENTION_DAYS
    ago, with the notifications they carried; how many emails."""
    from subscriptions.models import Notification

    cutoff = (now or timezone.now()) - timedelta(days=settings.PRIVACY_RETENTION_DAYS)
    old = Email.objects.filter(created_at__lt=cutoff).exclude(state=Email.State.QUEUED)
    with transaction.atomic():
        # Notifications first: with their email gone they would look unsent.
        Notification.objects.filter(email__in=old).delete()
        _, deleted = old.delete()
    return deleted.get("subscriptions.Email", 0)


def subscribe_moderators() -> None:
    """Every moderator with an email address hears of held comments (their accounts'
    addresses are set by the site's admins, so they need no confirmation), unless they
    stopped these emails with the link in one."""
    from django.contrib.auth import get_user_model

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
        Subscription.objects.filter(kind=Kind.HELD, ended_at__isnull=False)
        .exclude(address__subscriptions__kind=Kind.HELD, address__subscriptions__ended_at=None)
        .values_list("address__email", flat=True)
    )
    for email in {e.lower() for e in moderators} - stopped:
        request_subscription(email=email, kind=Kind.HELD, ip=None, confirmed=True)


def describe(subscription: Subscription) -> str:
    """What a subscription sends, in a sentence a reader understands."""
    if subscription.kind == Kind.REPLIES:
        title = subscription.comment.essay.title
        return f"Emails when someone replies to your comment on \u201c{title}\u201d."
    if subscription.kind == Kind.DISCUSSION:
        return f"Emails about new comments on \u201c{subscription.essay.title}\u201d."
    if subscription.kind == Kind.ESSAYS:
        skipped = [w.name for w in subscription.excluded_warnings.all()]
        if skipped:
            return (
                "Emails when a new essay is published, except essays with these warnings: "
                + ", ".join(skipped) + "."
            )  # fmt: skip
        return "Emails when a new essay is published."
    return "Emails when comments wait for review."
