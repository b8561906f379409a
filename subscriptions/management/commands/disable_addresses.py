"""Turn off every email to addresses that bounced hard or complained (from a bounce report)."""

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from subscriptions.models import Address
from subscriptions.services import disable_address


class Command(BaseCommand):
    help = (
        "Stop all email to the addresses given (or read one per line from a file, - for "
        "standard input): a hard bounce, or a complaint. Unknown addresses are reported."
    )

    def add_arguments(self, parser):
        parser.add_argument("addresses", nargs="*", metavar="EMAIL")
        parser.add_argument("--from-file", metavar="PATH", help="one address per line")
        parser.add_argument(
            "--reason", choices=[Address.Disabled.BOUNCED, Address.Disabled.COMPLAINED],
            default=Address.Disabled.BOUNCED,
        )  # fmt: skip

    def handle(self, *args, addresses, from_file, reason, **options):
        given = list(addresses)
        if from_file == "-":
            given += [line.strip() for line in sys.stdin if line.strip()]
        elif from_file:
            try:
                with open(from_file, encoding="utf-8") as handle:
                    given += [line.strip() for line in handle if line.strip()]
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"Cannot read {from_file}: {error}.") from None
        if not given:
            raise CommandError("Give at least one address, or --from-file.")
        turned_off, unknown, invalid = 0, [], []
        for email in given:
            try:
                validate_email(email)
            except ValidationError:
                invalid.append(email)
                continue
            if disable_address(email, reason):
                turned_off += 1
            elif not Address.objects.filter(email=email.lower()).exists():
                unknown.append(email)
        self.stdout.write(f"Turned off {turned_off} address(es).")
        if unknown:
            self.stdout.write(f"Not on our lists (nothing to do): {', '.join(unknown)}")
        if invalid:
            self.stdout.write(f"Not email addresses (skipped): {', '.join(invalid[:20])}")
