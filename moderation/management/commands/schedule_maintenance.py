"""Start the daily maintenance task (privacy purge and spam purge) on the task backend."""

from django.core.management.base import BaseCommand, CommandError

from moderation.tasks import daily_maintenance, schedule_next_maintenance


class Command(BaseCommand):
    help = "Run the daily maintenance now and keep it running every day (needs a worker)."

    def handle(self, *args, **options):
        if not schedule_next_maintenance():
            raise CommandError(
                "The task backend cannot run tasks later; run purge_personal_data and "
                "purge_spam from cron instead (see the README)."
            )
        daily_maintenance.enqueue()
        self.stdout.write("Daily maintenance queued: now, and every day after each run.")
