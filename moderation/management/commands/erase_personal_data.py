"""Erase every comment written with an email address (an erasure request); recorded."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from moderation.privacy import comments_by_email, erase_comments


class Command(BaseCommand):
    help = "Erase every comment made with an email address (the rows stay as placeholders)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--by", required=True, help="username of the staff member asking")
        parser.add_argument("--yes", action="store_true", help="do it (otherwise: count only)")

    def handle(self, *args, email, by, yes, **options):
        actor = get_user_model().objects.filter(username=by, is_staff=True).first()
        if actor is None:
            raise CommandError(f"No staff user called {by!r}.")
        count = comments_by_email(email).count()
        if not yes:
            self.stdout.write(f"{count} comment(s) would be erased. Run again with --yes.")
            return
        erased = erase_comments(email, actor=actor)
        self.stdout.write(f"Erased {erased} comment(s); each erase is recorded as a Decision.")
