"""Print, as JSON, every comment written with an email address (a data-access request)."""

import json

from django.core.management.base import BaseCommand

from moderation.privacy import export_comments


class Command(BaseCommand):
    help = "Export every comment made with an email address, as JSON."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        self.stdout.write(json.dumps(export_comments(email), indent=2, ensure_ascii=False))
