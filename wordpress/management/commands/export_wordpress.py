"""python manage.py export_wordpress > site.xml (or --output site.xml)"""

from django.core.management.base import BaseCommand, CommandError

from wordpress.export import export_wxr


class Command(BaseCommand):
    help = (
        "Write the site as a WordPress export (WXR 1.2): essays with their warnings, topics "
        "as categories, warnings as tags, and comments with their threads and statuses. "
        "WordPress's Tools > Import > WordPress reads it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            help="Write to this file (UTF-8) instead of standard output.",
        )

    def handle(self, *args, output, **options):
        if output is None:
            self._write_all(lambda piece: self.stdout.write(piece, ending=""))
            return
        try:
            with open(output, "w", encoding="utf-8") as file:
                self._write_all(file.write)
        except OSError as exc:
            raise CommandError(f"{output}: cannot write ({exc.strerror}).") from None
        self.stderr.write(f"Wrote {output}.")

    @staticmethod
    def _write_all(write) -> None:
        # Written as produced: the file is never held whole in memory.
        for piece in export_wxr():
            write(piece)
