"""Reading the stored sessions, for the deletion of an account and the
retention purge: who a session names, and whether it only holds a login
that stopped halfway (allauth keeps the login it is completing, with the
account's id, under LOGIN_SESSION_KEY until the last step is done)."""

from collections.abc import Iterator
from importlib import import_module

from allauth.account.internal.stagekit import LOGIN_SESSION_KEY
from allauth.account.utils import url_str_to_user_pk
from django.conf import settings
from django.contrib.auth import SESSION_KEY


def stored_sessions() -> Iterator[tuple[object, dict]]:
    """(store, data) for every session row, when sessions live in the
    database (the default engine, or cached_db); nothing for other engines,
    whose entries expire by themselves."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):
        return
    for row in store_class.get_model_class().objects.iterator():
        store = store_class(row.session_key)
        yield store, store.decode(row.session_data)


def user_id_of(data: dict) -> str | None:
    """The account a session is signed in as, or is halfway through logging in."""
    if data.get(SESSION_KEY):
        return str(data[SESSION_KEY])
    pending = data.get(LOGIN_SESSION_KEY)
    if isinstance(pending, dict) and pending.get("user_pk"):
        return str(url_str_to_user_pk(pending["user_pk"]))
    return None


def pending_login_started(data: dict) -> float | None:
    """When the half-finished login in a signed-out session began (a Unix
    time), or None if the session holds no such login."""
    pending = data.get(LOGIN_SESSION_KEY)
    if data.get(SESSION_KEY) or not isinstance(pending, dict):
        return None
    return pending.get("initiated_at")
