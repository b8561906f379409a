"""Email subscriptions: who asked for what, what waits to be sent, and what was sent.

An Address is one mailbox (kept lowercased) with a random key that every link we mail it
carries. A Subscription is one thing it asked for: replies to a comment, every new comment
on an essay, new essays, or (for moderators) comments waiting for review. Nothing is sent
for a subscription until it is confirmed through a link mailed to the address (double
opt-in). A Notification is one comment an address is to hear about; an Email is one
message to an address, the record that makes sending idempotent and retried.
"""

import secrets

from django.db import models
from django.db.models import Q

from blog.models import ContentWarning, Essay
from comments.models import Comment


def new_key() -> str:
    return secrets.token_urlsafe(16)


GMAIL = {"gmail.com", "googlemail.com"}


def inbox_of(email: str) -> str:
    """The mailbox an address reaches, for the limits: "a.b+news@gmail.com" and
    "ab@gmail.com" are one inbox, so spelling an address ten ways gets no more mail."""
    local, _, domain = email.lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in GMAIL:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


class Address(models.Model):
    class Disabled(models.TextChoices):
        BOUNCED = "bounced", "Mail to it bounced"
        COMPLAINED = "complained", "Its owner marked our mail as spam"
        OPERATOR = "operator", "Turned off by an operator"

    email = models.EmailField(max_length=254, unique=True)
    inbox = models.CharField(max_length=254, editable=False, db_index=True)
    key = models.CharField(max_length=32, default=new_key, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The first time its owner followed one of our confirmation links.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=20, choices=Disabled.choices, blank=True)
    # Digests: when the last one went, and when the next one is due (None: none waiting).
    last_digest_at = models.DateTimeField(null=True, blank=True, editable=False)
    digest_due_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = "addresses"
        indexes = [models.Index(fields=["digest_due_at"], name="address_digest_due_idx")]

    def __str__(self):
        return self.masked

    def save(self, *args, **kwargs):
        self.inbox = inbox_of(self.email)
        super().save(*args, **kwargs)

    @property
    def masked(self) -> str:
        """The address as a page may show it to whoever holds one of its links."""
        local, _, domain = self.email.partition("@")
        return f"{local[:1]}\u2026@{domain}"


class ConfirmedBrowser(models.Model):
    """A browser in which the owner of an address followed one of our confirmation links
    (by a hash of its writer token, comments.reader_state). Its later requests for that
    address need no new confirmation; "stop every email" forgets it."""

    address = models.ForeignKey(Address, on_delete=models.CASCADE, related_name="browsers")
    writer_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["address", "writer_key"], name="browser_once")
        ]

    def __str__(self):
        return f"A browser of {self.address}"


class SubscriptionQuerySet(models.QuerySet):
    def active(self):
        """Confirmed, not ended, to an address we may still mail."""
        return self.filter(confirmed_at__isnull=False, ended_at=None, address__disabled_at=None)


class Subscription(models.Model):
    class Kind(models.TextChoices):
        REPLIES = "replies", "Replies to a comment"
        DISCUSSION = "discussion", "Every new comment on an essay"
        ESSAYS = "essays", "New essays"
        HELD = "held", "Comments waiting for review"

    address = models.ForeignKey(Address, on_delete=models.CASCADE, related_name="subscriptions")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    essay = models.ForeignKey(
        Essay, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    excluded_warnings = models.ManyToManyField(
        ContentWarning, blank=True, related_name="+",
        help_text="New essays with any of these warnings are not sent.",
    )  # fmt: skip
    # What it is about, as one value ("comment:12", "essay:5", ""): one open subscription
    # per address and target.
    target = models.CharField(max_length=40, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # The confirmation link's secret: a new request sent again makes the old link void.
    confirm_nonce = models.CharField(max_length=32, blank=True, editable=False)
    # Who asked: the network the request came from (an IPv4 address or IPv6 /64, for the
    # per-network limit; cleared on confirmation, the row forgotten after 7 days
    # unconfirmed) and a hash of the browser's writer token, never the token (its own
    # comments are not news to it).
    requested_ip = models.GenericIPAddressField(null=True, blank=True, editable=False)
    writer_key = models.CharField(max_length=64, blank=True, editable=False)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["kind", "essay"], name="subscription_essay_idx"),
            models.Index(fields=["kind", "comment"], name="subscription_comment_idx"),
            models.Index(fields=["requested_ip", "created_at"], name="subscription_ip_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["address", "kind", "target"], condition=Q(ended_at=None),
                name="subscription_one_open_per_target",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="replies", comment__isnull=False, essay__isnull=True)
                    | Q(kind="discussion", essay__isnull=False, comment__isnull=True)
                    | Q(kind__in=["essays", "held"], essay__isnull=True, comment__isnull=True)
                ),
                name="subscription_target_matches_kind",
            ),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.get_kind_display()} for {self.address}"

    def save(self, *args, **kwargs):
        self.target = target_of(self.kind, comment_id=self.comment_id, essay_id=self.essay_id)
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.ended_at is None


def target_of(kind: str, *, comment_id=None, essay_id=None) -> str:
    if kind == Subscription.Kind.REPLIES:
        return f"comment:{comment_id}"
    if kind == Subscription.Kind.DISCUSSION:
        return f"essay:{essay_id}"
    return ""


class Email(models.Model):
    """One message to one address. Written before it is sent and marked once the mail
    server took it, so a retry sends it again under the same Message-ID, never a second
    message."""

    class Kind(models.TextChoices):
        CONFIRM = "confirm", "Confirmation link"
        REPLIES = "replies", "New comments"
        HELD = "held", "Comments waiting for review"
        ESSAY = "essay", "A new essay"

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Given up after repeated failures"
        CANCELLED = "cancelled", "Not sent: nothing left to say"

    address = models.ForeignKey(Address, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    essay = models.ForeignKey(
        Essay, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="email_due_idx"),
            models.Index(fields=["address", "kind", "created_at"], name="email_address_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["address", "essay"], condition=Q(kind="essay"),
                name="email_one_per_essay_and_address",
            )
        ]  # fmt: skip

    def __str__(self):
        return f"{self.get_kind_display()} to {self.address} ({self.state})"


class Notification(models.Model):
    """A comment an address is to hear about (once, whichever subscriptions cover it)."""

    address = models.ForeignKey(Address, on_delete=models.CASCADE, related_name="+")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="notifications"
    )
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    email = models.ForeignKey(
        Email, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["address", "comment"], name="notification_once")
        ]
        indexes = [models.Index(fields=["address", "email"], name="notification_waiting_idx")]

    def __str__(self):
        return f"Comment {self.comment_id} for {self.address_id}"


class EssayMailing(models.Model):
    """Sending one new essay to its subscribers, a batch at a time, in subscription order."""

    essay = models.OneToOneField(Essay, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The last subscription a batch reached: the next batch starts after it.
    reached = models.BigIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"Mailing of essay {self.essay_id}"
