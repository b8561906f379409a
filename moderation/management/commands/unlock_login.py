"""End the login lockouts of a username: the per-account lock and axes' records."""

from axes.utils import reset
from django.core.management.base import BaseCommand

from moderation.logins import unlock_account


class Command(BaseCommand):
    help = (
        "End the per-account login lock of USERNAME and reset axes' records of it. With "
        "the Redis cache axes keys its records by username and address together, so give "
        "--address to end the lock at one address."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--address", help="the address whose lock on USERNAME to end")

    def handle(self, *args, username, address=None, **options):
        account = "ended" if unlock_account(username) else "was not locked"
        reset(username=username, ip=address)
        where = f" at {address}" if address else ""
        self.stdout.write(
            f"{username}: the lock on the account {account}; axes' records{where} reset."
        )
