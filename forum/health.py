"""/healthz for load balancers and monitoring: can this node reach the
primary database, the shared cache and (with TASKS_BACKEND=database) is
the task queue being worked? 200 with "ok", 503 with "fail".

It names no host, version, error message or setting: anyone can ask it."""

import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from . import db_router


def check_database() -> dict:
    with connections[db_router.PRIMARY].cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok"}


def check_cache() -> dict:
    key, value = f"healthz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, timeout=30)
    read = cache.get(key)
    cache.delete(key)
    return {"status": "ok" if read == value else "fail"}


def check_tasks() -> dict:
    if settings.TASKS_BACKEND != "database":
        return {"status": "ok"}  # threads in this process: nothing else to watch
    from django_tasks_db.models import DBTaskResult

    with db_router.use_primary():
        oldest = DBTaskResult.objects.ready().order_by("enqueued_at").first()
    age = (timezone.now() - oldest.enqueued_at).total_seconds() if oldest else 0
    return {
        "status": "ok" if age <= settings.FORUM_HEALTHZ_MAX_TASK_AGE_SECONDS else "fail",
        "oldest_pending_seconds": round(age),
    }


def check_replica(alias: str) -> dict:
    """A replica that is down or behind costs speed, not correctness (the
    primary takes its reads), so it is reported and never fails the node."""
    try:
        lag = db_router.replica_lag(alias)
    except DatabaseError:
        connections[alias].close()
        return {"status": "down"}
    lagging = lag > settings.FORUM_REPLICA_MAX_LAG_SECONDS
    return {"status": "lagging" if lagging else "ok", "lag_seconds": round(lag, 1)}


CHECKS = {"database": check_database, "cache": check_cache, "tasks": check_tasks}


@require_GET
def healthz(request):
    checks = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            checks[name] = check()
        except Exception as error:  # noqa: BLE001 (any failure is a failed check)
            checks[name] = {"status": "fail", "error": type(error).__name__}
        checks[name]["ms"] = round((time.monotonic() - started) * 1000)
    for alias in db_router.replica_aliases():
        checks[alias] = check_replica(alias)
    ok = all(checks[name]["status"] == "ok" for name in CHECKS)
    response = JsonResponse(
        {"status": "ok" if ok else "fail", "checks": checks}, status=200 if ok else 503
    )
    add_never_cache_headers(response)
    return response
