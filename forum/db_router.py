"""Reads from PostgreSQL replicas, writes to the primary (issue 13).

Replicas are the `replica_N` aliases that settings.DATABASE_REPLICA_URLS
makes. A read goes to a replica only when it is safe to be a little behind:

- only in a web request that the ReadReplicaMiddleware let read a replica:
  a GET or HEAD by someone who has not submitted a form within
  FORUM_READ_YOUR_WRITES_SECONDS (a signed cookie remembers the last one).
  Management commands, task workers and the shell read the primary: a task
  sent after a commit must find the row it was sent about;
- never inside a transaction, after a write in the same request, or for
  select_for_update (Django routes that as a write);
- never in views marked `reads_primary` (the reply and edit forms' checks,
  moderation, account security), nor allauth's or the admin's views, nor
  inside `with use_primary():`;
- never for the cache table: limits and one-time form tokens must be exact;
- only to a replica that answers and is at most FORUM_REPLICA_MAX_LAG_SECONDS
  behind (checked at most every CHECK_EVERY seconds per process); otherwise
  the primary, and the fallback is logged."""

import logging
import random
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.db import DatabaseError, connections
from django.urls import Resolver404, resolve

logger = logging.getLogger(__name__)

PRIMARY = "default"
# Seconds a replica's health is trusted before it is asked again: often
# enough to notice a stopped replica within a second or two, rarely enough
# that the check is a small fraction of the reads.
CHECK_EVERY = 1.0
COOKIE_SALT = "forum.db_router.wrote"
# Lag as the replica sees it: nothing to replay means no lag, however long
# ago the primary last committed; otherwise how old the last replayed commit
# is (unknown, right after a start: treated as lagging). After a long quiet
# spell the first write in flight makes a replica look far behind until it
# is replayed: at worst CHECK_EVERY seconds of reads on the primary.
LAG_SQL = """
SELECT CASE
  WHEN NOT pg_is_in_recovery() THEN 0
  WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
  ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9)
END
"""


@dataclass
class _Request:
    replica_allowed: bool
    replica: str | None = None  # chosen at the first read: one replica per request


_request: ContextVar[_Request | None] = ContextVar("forum_db_request", default=None)
_forced: ContextVar[int] = ContextVar("forum_db_forced_primary", default=0)
# alias -> (checked at, usable); per process.
_health: dict[str, tuple[float, bool]] = {}


def replica_aliases() -> list[str]:
    return [alias for alias in connections if alias.startswith("replica_")]


@contextmanager
def use_primary():
    """Everything read inside reads the primary."""
    token = _forced.set(_forced.get() + 1)
    try:
        yield
    finally:
        _forced.reset(token)


def reads_primary(view):
    """Mark a view whose page must be exact: the middleware then keeps the
    whole request, templates included, on the primary."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with use_primary():
            return view(request, *args, **kwargs)

    wrapper.reads_primary = True
    return wrapper


@contextmanager
def reading_replicas(allowed: bool = True):
    """What the middleware does for a request; tests use it too."""
    token = _request.set(_Request(replica_allowed=allowed))
    try:
        yield _request.get()
    finally:
        _request.reset(token)


def replica_lag(alias: str) -> float:
    """Seconds the replica is behind; raises DatabaseError if it is down."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute(LAG_SQL)
        return float(cursor.fetchone()[0])


def replica_usable(alias: str) -> bool:
    now = time.monotonic()
    checked = _health.get(alias)
    if checked and now - checked[0] < CHECK_EVERY:
        return checked[1]
    try:
        lag = replica_lag(alias)
    except DatabaseError as error:
        usable, why = False, f"it does not answer ({type(error).__name__})"
        # A dead connection must not be reused by the next check.
        connections[alias].close()
    else:
        usable = lag <= settings.FORUM_REPLICA_MAX_LAG_SECONDS
        why = f"it is {lag:.1f} s behind (limit {settings.FORUM_REPLICA_MAX_LAG_SECONDS} s)"
    if not usable:
        # Logged at every check while it lasts (at most one a second per
        # process), so an operator sees how long the primary took the reads.
        logger.warning(
            "Reading from the primary instead of %s: %s", alias, why, extra={"alias": alias}
        )
    elif checked and not checked[1]:
        logger.warning("Reading from %s again", alias, extra={"alias": alias})
    _health[alias] = (now, usable)
    return usable


def choose_replica() -> str | None:
    aliases = replica_aliases()
    random.shuffle(aliases)
    return next((alias for alias in aliases if replica_usable(alias)), None)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        state = _request.get()
        if (
            state is None
            or not state.replica_allowed
            or _forced.get()
            or model._meta.app_label == "django_cache"
            or connections[PRIMARY].in_atomic_block
        ):
            return None  # Django's default: the primary, or the instance's own database
        if state.replica is None:
            state.replica = choose_replica() or PRIMARY
        return state.replica

    def db_for_write(self, model, **hints):
        state = _request.get()
        if state is not None:
            # What this request reads after writing, it reads where it wrote.
            state.replica_allowed = False
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, **hints):
        return False if db.startswith("replica_") else None


class ReadReplicaMiddleware:
    """Lets safe requests read a replica, except for FORUM_READ_YOUR_WRITES_SECONDS
    after the person's last write (a signed, timestamped cookie that cannot
    be made to last longer), and except in views that must be exact."""

    COOKIE = "wrote"
    # Views we do not write ourselves and that must be exact: logins, email
    # addresses, passwords, second factors, sessions; the back office.
    PRIMARY_MODULES = ("allauth.", "django.contrib.admin.", "django.contrib.auth.")

    def __init__(self, get_response):
        self.get_response = get_response
        self.window = settings.FORUM_READ_YOUR_WRITES_SECONDS

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        recently_wrote = (
            request.get_signed_cookie(
                self.COOKIE, default=None, salt=COOKIE_SALT, max_age=self.window
            )
            is not None
        )
        safe = request.method in ("GET", "HEAD", "OPTIONS")
        allowed = safe and not recently_wrote and not self.must_be_exact(request)
        with reading_replicas(allowed=allowed):
            response = self.get_response(request)
        # Only a submitted form starts the window: a GET that writes (a read
        # marker) reads the primary for the rest of its own request, but
        # pinning every member who reads a topic would leave the replicas idle.
        if not safe:
            response.set_signed_cookie(
                self.COOKIE,
                "1",
                salt=COOKIE_SALT,
                max_age=self.window,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def must_be_exact(self, request) -> bool:
        # Decided before any middleware loads the session or the user (reads
        # too), so the whole request of such a view reads the primary.
        try:
            view = resolve(request.path_info).func
        except Resolver404:
            return False
        module = getattr(view, "__module__", "") + "."
        return getattr(view, "reads_primary", False) or module.startswith(self.PRIMARY_MODULES)
