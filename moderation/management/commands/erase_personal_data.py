"""Erase a writer's comments, found by email and/or by comment (an erasure request)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from moderation.management.commands.export_personal_data import add_whose, whose
from moderation.privacy import erase_personal_data


class Command(BaseCommand):
    help = (
        "Erase every comment made with an email address, and/or the comments given by id or "
        "permalink (the rows stay as placeholders)."
    )

    def add_arguments(self, parser):
        add_whose(parser)
        parser.add_argument("--by", required=True, help="username of the staff member asking")
        parser.add_argument("--yes", action="store_true", help="do it (otherwise: count only)")

    def handle(self, *args, by, yes, **options):
        email, comment_ids = whose(options)
        actor = get_user_model().objects.filter(username=by, is_staff=True).first()
        if actor is None:
            raise CommandError(f"No staff user called {by!r}.")
        counts = erase_personal_data(email, comment_ids=comment_ids, actor=actor, dry_run=not yes)
        also = f" and {counts.get('subscriptions', 0)} email subscription(s)" if email else ""
        if not yes:
            self.stdout.write(
                f"{counts['comments']} comment(s){also} would be erased. Run again with --yes."
            )
            return
        self.stdout.write(
            f"Erased {counts['comments']} comment(s){also}; each comment's erase is recorded "
            "as a Decision."
        )
