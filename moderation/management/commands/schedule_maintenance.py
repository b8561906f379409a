"""Start the daily maintenance task (privacy purge and spam purge) on the task backend."""

from django.core.management.base import BaseCommand, CommandError

from moderation.tasks import ensure_maintenance_scheduled


class Command(BaseCommand):
    help = (
        "Run the daily maintenance now and keep it running every day (needs a worker; "
        "`db_worker` does this itself when it starts). Safe to run again."
    )

    def handle(self, *args, **options):
        if not ensure_maintenance_scheduled():
            raise CommandError(
                "The task backend cannot run tasks later; run purge_personal_data and "
                "purge_spam from cron instead (see the README)."
            )
        self.stdout.write("Daily maintenance is scheduled: it runs every day after each run.")
