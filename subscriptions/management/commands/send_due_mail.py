"""Send what should have gone by now: run it from cron every few minutes where the task
backend cannot run tasks later (the default ImmediateBackend), or after an outage."""

import json

from django.core.management.base import BaseCommand

from subscriptions.sending import due_work


class Command(BaseCommand):
    help = (
        "Send queued emails that are due (retries too), digests that are due, and new "
        "essays whose publication time has come; forget requests never confirmed."
    )

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(due_work()))
