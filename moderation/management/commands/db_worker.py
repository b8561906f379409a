"""django-tasks-db's worker, which first makes sure the daily maintenance is scheduled.

The privacy page promises that request data goes after PRIVACY_RETENTION_DAYS; with a
worker that holds without cron. This command takes the place of django_tasks_db's own
(moderation comes before it in INSTALLED_APPS, and Django runs the first app's command),
adds nothing to its options, and queues daily_maintenance unless a run is already waiting.
"""

from django_tasks_db.management.commands.db_worker import Command as WorkerCommand

from moderation.tasks import ensure_maintenance_scheduled


class Command(WorkerCommand):
    help = f"{WorkerCommand.help}, after scheduling the daily maintenance if none is waiting."

    def handle(self, *args, **options):
        ensure_maintenance_scheduled()
        return super().handle(*args, **options)
