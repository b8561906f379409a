"""Screen again every pending comment whose screening never finished (Akismet was down,
or a worker died), in batches, printing a progress line per batch."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db.models import Exists, OuterRef
from django.utils import timezone

from comments.models import Comment
from moderation.models import Decision
from moderation.screening import screen


class Command(BaseCommand):
    help = "Re-run screening for pending comments that have no final decision yet."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=100)
        parser.add_argument(
            "--older-than", type=int, default=2,
            help="Only comments at least this many minutes old (default 2), so a check "
            "still running is left alone.",
        )  # fmt: skip

    def handle(self, *args, batch_size, older_than, **options):
        decided = Decision.objects.filter(
            comment=OuterRef("pk"), step__in=[Decision.Step.POLICY, Decision.Step.MODERATOR]
        )
        cutoff = timezone.now() - timedelta(minutes=older_than)
        ids = list(
            Comment.objects.filter(status=Comment.Status.PENDING, created_at__lte=cutoff)
            .exclude(Exists(decided))
            .order_by("created_at")
            .values_list("pk", flat=True)
        )
        total = len(ids)
        outcomes: dict[str, int] = {}
        for start in range(0, total, batch_size):
            for pk in ids[start : start + batch_size]:
                status = screen(pk) or "gone"
                outcomes[status] = outcomes.get(status, 0) + 1
            done = min(start + batch_size, total)
            summary = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
            self.stdout.write(f"rechecked {done}/{total} ({summary})")
        if not total:
            self.stdout.write("Nothing to recheck.")
