"""Reader comments, threaded by a materialized path so a page of threads is one query."""

import secrets
import time

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from blog import markup
from blog.models import Essay

# A path is the concatenation of one segment per level: 13 hex digits of microseconds since
# the epoch and 3 random ones. Fixed width, so sorting by path gives thread order (a parent
# before its replies, siblings oldest first) on any database and collation, and a reply's
# path is known before it is inserted: no renumbering, no second query.
SEGMENT_LENGTH = 16


def new_segment() -> str:
    return f"{time.time_ns() // 1000:013x}{secrets.randbelow(16**3):03x}"


class CommentQuerySet(models.QuerySet):
    def public(self):
        """Comments anyone may read."""
        return self.filter(status=Comment.Status.APPROVED)

    def visible_roots(self, essay, *, own_ids=()):
        """Top-level comments of an essay that appear in its thread list, in thread order.

        Approved roots, the viewer's own pending ones, and roots that are no longer public
        but have public replies (they stay as placeholders so the replies keep context).
        """
        public_reply = Comment.objects.filter(
            essay=essay, thread=OuterRef("thread"), status=Comment.Status.APPROVED, depth__gt=0
        )
        return self.filter(essay=essay, depth=0).filter(
            Q(status=Comment.Status.APPROVED) | Q(pk__in=list(own_ids)) | Exists(public_reply)
        )

    def for_thread_page(self, essay, thread_keys):
        """Every comment of the given threads, in display order, in one query."""
        return self.filter(essay=essay, thread__in=thread_keys).order_by("thread", "path")


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        REMOVED = "removed", "Removed"

    class Notify(models.TextChoices):
        """What its writer asked to be emailed about (the subscriptions app acts on it)."""

        NOTHING = "", "Nothing"
        REPLIES = "replies", "Replies to this comment"
        DISCUSSION = "discussion", "Every new comment on the essay"

    essay = models.ForeignKey(Essay, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    thread = models.CharField(max_length=SEGMENT_LENGTH, editable=False)
    path = models.CharField(max_length=SEGMENT_LENGTH * 16, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    author_name = models.CharField("name", max_length=100)
    author_email = models.EmailField("email", max_length=254, blank=True)
    author_url = models.URLField("website", max_length=500, blank=True)
    body = models.TextField()
    body_html = models.TextField(editable=False, default="")
    content_warning = models.CharField(max_length=200, blank=True)
    notify = models.CharField(
        max_length=10, choices=Notify.choices, blank=True, default="", editable=False
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When its writer last changed the words (readers see "edited"); None: never.
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)

    # What spam checks need, kept so spam/ham feedback can send the very same values later.
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    referrer = models.CharField(max_length=1000, blank=True)
    permalink = models.CharField(max_length=1000, blank=True)
    # Facts about how the form was filled in: what a bot typed into the field people cannot
    # see, and the seconds between showing the form and sending it (None: stamp missing or
    # tampered with).
    form_honeypot = models.CharField(max_length=200, blank=True, editable=False)
    form_seconds = models.FloatField(null=True, blank=True, editable=False)
    # One token per rendered form: a double click or a resent POST finds the first comment.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # A hash of the random token kept in the writer's browser (comments.reader_state): the
    # proof, which nobody can copy from the page, that two comments came from one browser.
    writer_key = models.CharField(max_length=64, blank=True, editable=False, db_index=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["thread", "path"]
        permissions = [("moderate_comment", "Can moderate comments")]
        indexes = [
            models.Index(fields=["essay", "thread", "path"], name="comment_thread_idx"),
            models.Index(fields=["essay", "depth", "status", "thread"], name="comment_roots_idx"),
            models.Index(fields=["status", "created_at"], name="comment_status_age_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "spam", "removed"]),
                name="comment_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, depth=0) | Q(parent__isnull=False, depth__gt=0),
                name="comment_depth_matches_parent",
            ),
            models.UniqueConstraint(fields=["essay", "path"], name="comment_path_unique"),
        ]

    def __str__(self):
        return f"{self.author_name} on {self.essay_id}: {self.body[:40]}"

    def save(self, *args, **kwargs):
        if not self.path:
            segment = new_segment()
            if self.parent is None:
                self.path, self.thread, self.depth = segment, segment, 0
            else:
                self.path = self.parent.path + segment
                self.thread = self.parent.thread
                self.depth = self.parent.depth + 1
        self.body_html = markup.render_comment(self.body)
        if kwargs.get("update_fields") is not None and "body" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html"}
        # Derived fields only: changes readers see go through comments.services, which
        # retires the cached threads.
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("comments:permalink", kwargs={"pk": self.pk})

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None
