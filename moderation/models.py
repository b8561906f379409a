"""Moderation's records: every screening step and moderator action, and the word lists."""

from django.conf import settings
from django.db import models

from blog.models import Essay


class Decision(models.Model):
    """One step in a comment's moderation: who or what decided, what, and why."""

    class Step(models.TextChoices):
        HONEYPOT = "honeypot", "Honeypot"
        TIME_TRAP = "time_trap", "Time trap"
        RULES = "rules", "Word and address lists"
        LINKS = "links", "Links"
        AKISMET = "akismet", "Akismet"
        POLICY = "policy", "Policy"
        MODERATOR = "moderator", "Moderator"
        FEEDBACK = "feedback", "Akismet feedback"
        EDITED = "edited", "Edited by its writer"
        WITHDRAWN = "withdrawn", "Deleted by its writer"
        ERASED = "erased", "Erased on request"
        REPORT = "report", "Reader report"
        IMPORTED = "imported", "Imported (never screened)"
        BAN = "ban", "Ban"
        ESSAY_POLICY = "essay_policy", "Essay policy"

    class Outcome(models.TextChoices):
        PASS = "pass", "Passed"
        HOLD = "hold", "Held for review"
        SPAM = "spam", "Spam"
        APPROVE = "approve", "Approved"
        REMOVE = "remove", "Removed"
        RESTORE = "restore", "Restored"
        SKIPPED = "skipped", "Skipped"
        ERROR = "error", "Unavailable"
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        REPORTED = "reported", "Reported"
        KEEP = "keep", "Kept"
        SET = "set", "Set"

    # Nearly every decision is about a comment; a change of an essay's comment policy is
    # about the essay (and names the comment it was made from, if any).
    comment = models.ForeignKey(
        "comments.Comment", null=True, blank=True, on_delete=models.CASCADE,
        related_name="decisions",
    )  # fmt: skip
    essay = models.ForeignKey(
        "blog.Essay", null=True, blank=True, on_delete=models.CASCADE,
        related_name="moderation_decisions",
    )  # fmt: skip
    step = models.CharField(max_length=20, choices=Step.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="moderation_decisions",
    )  # fmt: skip
    # For the Akismet step: exactly what was sent, so submit-spam/submit-ham can repeat it.
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["comment", "step"], name="decision_comment_step_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(comment__isnull=False) | models.Q(essay__isnull=False),
                name="decision_about_something",
            )
        ]

    def __str__(self):
        return f"{self.get_step_display()}: {self.get_outcome_display()} ({self.reason})"

    @property
    def actor_name(self) -> str:
        return self.actor.get_username() if self.actor_id else "system"


class ListEntry(models.Model):
    """A word, IP address or email on one of the lists moderators keep."""

    class Kind(models.TextChoices):
        DISALLOWED_WORD = "disallowed_word", "Disallowed word (spam)"
        DISALLOWED_IP = "disallowed_ip", "Disallowed IP address (spam)"
        DISALLOWED_EMAIL = "disallowed_email", "Disallowed email (spam)"
        MODERATION_WORD = "moderation_word", "Moderation word (hold for review)"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    value = models.CharField(
        max_length=200,
        help_text="Words match anywhere in the name, email, website or comment, ignoring "
        "case. An IP address or email must match exactly; an email entry starting with @ "
        "matches a whole domain.",
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "list entry"
        verbose_name_plural = "word and address lists"
        ordering = ["kind", "value"]
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="list_entry_unique")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"


class Report(models.Model):
    """A reader's report that a published comment does harm.

    Who reported is never shown: moderators see the reason, the note and the counts. The
    `reporter` is a one-way hash of a random token kept in the reporter's browser, so
    reports can be counted per browser without knowing whose browser; the IP address is
    kept only to limit reports per address, and is cleared with other request data.
    """

    class Reason(models.TextChoices):
        HARASSMENT = "harassment", "Harassment or abuse"
        HATE = "hate", "Hateful content"
        PRIVATE = "private", "Reveals someone\u2019s identity or private details"
        SPAM = "spam", "Spam"
        GRAPHIC = "graphic", "Graphic content without a warning"
        OTHER = "other", "Other"

    class State(models.TextChoices):
        OPEN = "open", "Waiting for a moderator"
        DISMISSED = "dismissed", "Dismissed: the comment was kept"
        UPHELD = "upheld", "Upheld: the comment was taken down"

    comment = models.ForeignKey(
        "comments.Comment", on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.TextField(max_length=500, blank=True)
    reporter = models.CharField(max_length=32)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    # The comment's words when it was reported, so an edit cannot hide what was reported.
    comment_text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["comment", "state"], name="report_comment_state_idx"),
            models.Index(fields=["state", "created_at"], name="report_state_created_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="report_once_per_browser")
        ]

    def __str__(self):
        return f"{self.get_reason_display()} ({self.get_state_display()})"


class BanQuerySet(models.QuerySet):
    def active(self, *, now=None):
        """Bans in force: not lifted, and not past their expiry."""
        from django.utils import timezone

        now = now or timezone.now()
        return self.filter(lifted_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class Ban(models.Model):
    """A moderator's ban of a comment author, by email, IP address, range or email domain.

    While active, the author's new comments are held as spam with the ban named, and
    reports sent from a banned address are not counted. It ends by itself at `expires_at`
    or when a moderator lifts it; the row stays, as the record of who did what.
    """

    class Kind(models.TextChoices):
        EMAIL = "email", "Email address"
        IP = "ip", "IP address"
        RANGE = "range", "IP range"
        DOMAIN = "domain", "Email domain"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Normalised: an email or domain case-folded; an address or network in its short form.
    value = models.CharField(max_length=254)
    reason = models.CharField(max_length=500)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: permanent.")
    comment = models.ForeignKey(
        "comments.Comment", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="bans", help_text="The comment it was set from.",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="bans_set",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="bans_lifted",
    )  # fmt: skip

    objects = BanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "value"], name="ban_kind_value_idx")]
        constraints = [
            # One unlifted ban per author at a time: two moderators banning at once get one
            # ban and a message. An expired ban is marked lifted before a new one is set.
            models.UniqueConstraint(
                fields=["kind", "value"], condition=models.Q(lifted_at__isnull=True),
                name="ban_one_in_force",
            ),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.get_kind_display()} {self.value}"

    @property
    def label(self) -> str:
        """What is banned, as moderators read it: "Email domain @example.org"."""
        value = f"@{self.value}" if self.kind == self.Kind.DOMAIN else self.value
        return f"{self.get_kind_display()} {value}"

    @property
    def until(self) -> str:
        from django.utils import timezone

        if self.expires_at is None:
            return "permanently"
        return f"until {timezone.localtime(self.expires_at):%-d %b %Y, %H:%M}"

    @property
    def in_force(self) -> bool:
        """Not lifted and not past its expiry (as Ban.objects.active() selects)."""
        from django.utils import timezone

        return self.lifted_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )


class CommenterNote(models.Model):
    """A moderator's note on a commenter, shown wherever moderators see their comments.

    A commenter is their email address (case-folded) or, for comments without one, their
    name: `commenter` holds "email:<address>" or "name:<name>".
    """

    MAX_LENGTH = 2000

    commenter = models.CharField(max_length=260, db_index=True)
    body = models.TextField(max_length=MAX_LENGTH)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="commenter_notes",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Note on {self.commenter}"


class CommentEdit(models.Model):
    """The words a comment had before its writer edited them, for moderators only.

    Deleted with the comment's words when its writer deletes it, and purged after the
    retention period (moderation.privacy)."""

    comment = models.ForeignKey("comments.Comment", on_delete=models.CASCADE, related_name="edits")
    body = models.TextField()
    content_warning = models.CharField(max_length=200, blank=True)
    written_at = models.DateTimeField(help_text="When these words were first shown.")
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["replaced_at", "id"]

    def __str__(self):
        return f"Earlier text of comment {self.comment_id}"


class EssayCommentPolicy(Essay):
    """Essays as moderators see them in the admin: only their comment policy."""

    class Meta:
        proxy = True
        verbose_name = "essay comment policy"
        verbose_name_plural = "essay comment policies"
