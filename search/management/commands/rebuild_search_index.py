"""Rebuild the search index from the posts and summaries, e.g. after
changing them with SQL, or a migration that rebuilt search_searchentry on
SQLite (see the search app's first migration)."""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from dialogues.models import Dialogue
from forum.models import Post
from search.models import SearchEntry
from search.rebuild import backfill


class Command(BaseCommand):
    help = "Rebuild the full-text search index from what is stored."

    def handle(self, *args, **options):
        with transaction.atomic():
            made = backfill(Post, Dialogue, SearchEntry, connection)
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute("INSERT INTO search_fts(search_fts) VALUES('rebuild')")
        self.stdout.write(f"Indexed {made} posts and summaries.")
