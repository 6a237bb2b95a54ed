"""Delete security records older than SECURITY_DATA_RETENTION_DAYS: expired
sessions, the session list, logins abandoned halfway (at the two-factor
step, say: the session names the account), unused email confirmations,
expired rate-limit entries and stored emails, sent or not. Run it daily
(cron, systemd timer); nothing else deletes them."""

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
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import sessions
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

        pending_logins = self._purge_pending_logins(cutoff)

        confirmations, _by_model = EmailConfirmation.objects.filter(created__lt=cutoff).delete()
        cache_rows = self._purge_database_cache(now)
        # Copies of notification emails: addresses and post text nobody needs
        # once the mail has gone, or once retrying stopped (the last retry
        # comes within a day), or for mail still pending after all this time.
        _total, deleted = OutgoingEmail.objects.filter(created_at__lt=cutoff).delete()
        emails = deleted.get(OutgoingEmail._meta.label, 0)  # not counting their post links

        sessions_n = old_sessions + gone
        parts = [
            ngettext("%(n)d listed session", "%(n)d listed sessions", sessions_n),
            ngettext("%(n)d abandoned login", "%(n)d abandoned logins", pending_logins),
            ngettext("%(n)d email confirmation", "%(n)d email confirmations", confirmations),
            ngettext("%(n)d expired cache entry", "%(n)d expired cache entries", cache_rows),
            ngettext("%(n)d stored email", "%(n)d stored emails", emails),
        ]
        counts = (sessions_n, pending_logins, confirmations, cache_rows, emails)
        self.stdout.write(
            _("Deleted %(items)s; expired sessions cleared.")
            % {"items": ", ".join(part % {"n": n} for part, n in zip(parts, counts, strict=True))}
        )

    def _purge_pending_logins(self, cutoff) -> int:
        """Signed-out sessions that only hold a login begun before the cutoff
        and never finished. Their cookie lives for SESSION_COOKIE_AGE (two
        weeks), whatever the retention; the login itself stopped working long
        before (allauth's LOGIN_TIMEOUT)."""
        deleted = 0
        for store, data in sessions.stored_sessions():
            started = sessions.pending_login_started(data)
            if started is not None and started < cutoff.timestamp():
                store.delete()
                deleted += 1
        return deleted

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
