"""Clear what a comment's writer never chose to publish, once it is no longer needed.

After PRIVACY_RETENTION_DAYS (default 30) a comment keeps its text, name and (hidden)
email, but loses the IP address, user agent and referrer it was sent with, and the copy of
them kept for Akismet feedback. Moderators' copies of earlier words (what an edit
replaced, what a report was made on) are forgotten on the same schedule. Runs in batches
with a progress line; run it daily.
"""

from django.core.management.base import BaseCommand

from moderation.privacy import purge_personal_data


class Command(BaseCommand):
    help = (
        "Clear IP addresses, user agents, referrers and earlier words of comments older "
        "than PRIVACY_RETENTION_DAYS."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        total = purge_personal_data(
            batch_size=batch_size,
            progress=lambda done, total: self.stdout.write(f"cleared {done}/{total} comments"),
        )
        if not total:
            self.stdout.write("Nothing to clear.")
