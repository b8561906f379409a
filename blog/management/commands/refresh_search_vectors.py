"""Rebuild every essay's stored search vector (PostgreSQL), e.g. after loaddata or a bulk
import that bypassed the models' signals."""

from django.core.management.base import BaseCommand

from blog.search import refresh_search_vectors, uses_full_text


class Command(BaseCommand):
    help = "Rebuild the search vectors of all essays (PostgreSQL full-text search)."

    def handle(self, *args, **options):
        if not uses_full_text():
            self.stdout.write("Nothing to do: search vectors are PostgreSQL's (this is SQLite).")
            return
        self.stdout.write(f"Search vectors rebuilt for {refresh_search_vectors()} essays.")
