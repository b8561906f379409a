"""Print, as JSON, all the site holds about a writer (a data-access request)."""

import json

from django.core.management.base import BaseCommand, CommandError

from comments.models import Comment
from moderation.privacy import comment_id_from, export_personal_data


def add_whose(parser) -> None:
    """The arguments that say whose data: an email, and/or comments (for writers who gave
    no email)."""
    parser.add_argument("email", nargs="?", default="", help="every comment with this email")
    parser.add_argument(
        "--comment", action="append", default=[], metavar="ID_OR_URL",
        help="a comment's id, permalink (/comments/123/) or anchor (#comment-123); repeatable",
    )  # fmt: skip


def whose(options) -> tuple[str, list[int]]:
    """(email, comment ids) from the arguments, or a clear error."""
    email, ids = options["email"].strip(), []
    for value in options["comment"]:
        pk = comment_id_from(value)
        if pk is None:
            raise CommandError(f"{value!r} is not a comment id, permalink or #comment- anchor.")
        ids.append(pk)
    if not email and not ids:
        raise CommandError("Give an email address, or --comment with a comment id or URL.")
    missing = sorted(
        set(ids) - set(Comment.objects.filter(pk__in=ids).values_list("pk", flat=True))
    )
    if missing:
        raise CommandError(f"No comment with id {', '.join(map(str, missing))}.")
    return email, ids


class Command(BaseCommand):
    help = (
        "Export, as JSON, every comment made with an email address and/or the comments "
        "given, with their decisions, reports and admin history, and the address's email "
        "subscriptions."
    )

    def add_arguments(self, parser):
        add_whose(parser)

    def handle(self, *args, **options):
        email, comment_ids = whose(options)
        data = export_personal_data(email, comment_ids=comment_ids)
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
