"""Delete spam past its retention period (sooner for Akismet's "discard" verdict)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Exists, OuterRef
from django.utils import timezone

from comments.models import Comment
from moderation.models import Decision


class Command(BaseCommand):
    help = "Delete spam older than MODERATION_SPAM_RETENTION_DAYS (discarded spam sooner)."

    def handle(self, *args, **options):
        now = timezone.now()
        discarded = Decision.objects.filter(
            comment=OuterRef("pk"), step=Decision.Step.AKISMET, details__verdict="discard"
        )
        has_replies = Comment.objects.filter(parent=OuterRef("pk"))
        spam = Comment.objects.filter(status=Comment.Status.SPAM).exclude(Exists(has_replies))
        old = spam.filter(
            updated_at__lt=now - timedelta(days=settings.MODERATION_SPAM_RETENTION_DAYS)
        )
        old_discarded = spam.filter(Exists(discarded)).filter(
            updated_at__lt=now - timedelta(days=settings.MODERATION_DISCARD_RETENTION_DAYS)
        )
        ids = set(old.values_list("pk", flat=True)) | set(
            old_discarded.values_list("pk", flat=True)
        )
        deleted, _ = Comment.objects.filter(pk__in=ids).delete()
        self.stdout.write(f"Purged {len(ids)} spam comment(s) ({deleted} rows with decisions).")
