"""End the login lockouts of a username: the per-account lock and axes' records."""

from axes.utils import reset
from django.core.management.base import BaseCommand

from moderation.logins import unlock_account


class Command(BaseCommand):
    help = "End every login lockout of USERNAME (per account, and axes' per address)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        account = "ended" if unlock_account(username) else "was not locked"
        reset(username=username)
        self.stdout.write(f"{username}: the lock on the account {account}; axes' records reset.")
