"""Delete security records older than SECURITY_DATA_RETENTION_DAYS: expired
sessions, the session list (with its IP addresses and browsers), unused email
confirmations and expired rate-limit entries. Run it daily (cron, systemd
timer); nothing else deletes them."""

from datetime import timedelta
from importlib import import_module

from allauth.account.models import EmailConfirmation
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.management.base import BaseCommand
from django.db import connections, router
from django.utils import timezone

from dialogues.models import OutgoingEmail


class Command(BaseCommand):
    help = "Delete sessions and other security records past the retention period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.SECURITY_DATA_RETENTION_DAYS,
            help="Keep records this many days (default: SECURITY_DATA_RETENTION_DAYS).",
        )

    def handle(self, *args, days, **options):
        now = timezone.now()
        cutoff = now - timedelta(days=days)

        # Ending a listed session deletes the session itself too.
        old_sessions = 0
        for row in UserSession.objects.filter(last_seen_at__lt=cutoff).iterator():
            row.end()
            old_sessions += 1
        engine = import_module(settings.SESSION_ENGINE)
        engine.SessionStore.clear_expired()
        # Rows whose session expired or was signed out.
        gone = sum(1 for row in UserSession.objects.all().iterator() if row.purge())

        confirmations, _ = EmailConfirmation.objects.filter(created__lt=cutoff).delete()
        cache_rows = self._purge_database_cache(now)
        # Copies of delivered (or given-up) notification emails: addresses and
        # post text that nobody needs once the mail has gone.
        emails, _ = (
            OutgoingEmail.objects.exclude(status=OutgoingEmail.PENDING)
            .filter(created_at__lt=cutoff)
            .delete()
        )

        self.stdout.write(
            f"Deleted {old_sessions + gone} listed sessions, {confirmations} email "
            f"confirmations, {cache_rows} expired cache entries, {emails} sent emails; "
            "expired sessions cleared."
        )

    def _purge_database_cache(self, now) -> int:
        deleted = 0
        for alias in settings.CACHES:
            cache = caches[alias]
            if not isinstance(cache, DatabaseCache):
                continue
            table = cache._table
            connection = connections[router.db_for_write(cache.cache_model_class)]
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {connection.ops.quote_name(table)} WHERE expires < %s",  # noqa: S608
                    [connection.ops.adapt_datetimefield_value(now)],
                )
                deleted += cursor.rowcount
        return deleted
