"""python manage.py import_wordpress export.xml [--media-dir DIR] [--dry-run]"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wordpress.importer import ImportStopped, import_wordpress


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR): posts as essays with their comments and threads, "
        "categories and tags as topics, warning lines as content warnings. Running the same "
        "file again duplicates nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .xml file from WordPress's Tools > Export.")
        parser.add_argument(
            "--media-dir",
            type=Path,
            help="A copy of wp-content/uploads, where featured images are looked for.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be imported, and write nothing.",
        )

    def handle(self, *args, file, media_dir, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file.")
        if media_dir is not None and not media_dir.is_dir():
            raise CommandError(f"--media-dir {media_dir}: no such folder.")
        try:
            report = import_wordpress(
                path, media_dir=media_dir, dry_run=dry_run, progress=self._progress
            )
        except ImportStopped as stopped:
            self._end_progress()
            for line in stopped.report.lines():
                self.stdout.write(line)
            raise CommandError(f"{file}: {stopped.message}") from None
        self._end_progress()
        for line in report.lines():
            self.stdout.write(line)

    def _progress(self, done: int, total: int) -> None:
        if done != total and done % max(1, total // 100):
            return  # a hundred updates at most, however long the file
        width = 30
        filled = width * done // max(total, 1)
        bar = "#" * filled + "-" * (width - filled)
        self.stderr.write(f"\rImporting [{bar}] {done}/{total} items", ending="")
        self._shown = True

    def _end_progress(self) -> None:
        if getattr(self, "_shown", False):
            self.stderr.write("")
            sys.stderr.flush()
