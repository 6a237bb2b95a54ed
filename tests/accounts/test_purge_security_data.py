from datetime import timedelta
from importlib import import_module
from io import StringIO

from allauth.account.internal.stagekit import LOGIN_SESSION_KEY
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.account.utils import user_pk_to_url_str
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD, make_user, verified


def make_session(user, *, age_days, expired=False):
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.set_expiry(-60 if expired else 3600)
    store.create()
    seen = timezone.now() - timedelta(days=age_days)
    return UserSession.objects.create(
        user=user,
        session_key=store.session_key,
        ip="192.0.2.1",
        user_agent="test",
        created_at=seen,
        last_seen_at=seen,
    )


def cache_rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM forum_cache")
        return [row[0] for row in cursor.fetchall()]


def test_purge_deletes_old_security_records_and_keeps_recent_ones(db, settings):
    settings.SECURITY_DATA_RETENTION_DAYS = 30
    # The database cache, whatever this run's cache is (CI also runs with Redis).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "forum_cache",
        }
    }
    call_command("createcachetable", verbosity=0)
    user = make_user()
    old = make_session(user, age_days=45)
    recent = make_session(user, age_days=2)
    expired = make_session(user, age_days=1, expired=True)
    address = EmailAddress.objects.create(user=user, email=user.email)
    old_confirmation = EmailConfirmation.objects.create(
        email_address=address, key="old", created=timezone.now() - timedelta(days=40)
    )
    new_confirmation = EmailConfirmation.objects.create(email_address=address, key="new")
    cache.set("stale", 1, timeout=1)
    cache.set("fresh", 1, timeout=3600)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE forum_cache SET expires = %s WHERE cache_key LIKE %s",
            [timezone.now() - timedelta(hours=1), "%stale"],
        )

    call_command("purge_security_data")

    assert list(UserSession.objects.values_list("pk", flat=True)) == [recent.pk]
    assert set(Session.objects.values_list("session_key", flat=True)) == {recent.session_key}
    assert not Session.objects.filter(session_key__in=[old.session_key, expired.session_key])
    assert list(EmailConfirmation.objects.all()) == [new_confirmation]
    assert not EmailConfirmation.objects.filter(pk=old_confirmation.pk).exists()
    keys = cache_rows()
    assert any(key.endswith("fresh") for key in keys)
    assert not any(key.endswith("stale") for key in keys)


def test_purge_retention_can_be_given_on_the_command_line(db):
    user = make_user()
    make_session(user, age_days=5)
    call_command("purge_security_data", days=3)
    assert not UserSession.objects.exists()


def test_purge_deletes_stored_emails_past_the_retention_whether_sent_failed_or_pending(
    db, settings
):
    from dialogues.models import OutgoingEmail
    from forum.models import Post
    from tests.factories import make_topic

    settings.SECURITY_DATA_RETENTION_DAYS = 30
    long_ago = timezone.now() - timedelta(days=40)
    post = Post.objects.get(pk=make_topic().opening_post_id)

    def email(key, status, created_at):
        email = OutgoingEmail.objects.create(
            to="x@example.org", subject=key, text="a post", status=status,
            dedupe_key=key, created_at=created_at,
        )  # fmt: skip
        email.posts.add(post)
        return email

    email("old-sent", OutgoingEmail.SENT, long_ago)
    email("old-failed", OutgoingEmail.FAILED, long_ago)
    email("old-pending", OutgoingEmail.PENDING, long_ago)  # abandoned: retries stop within a day
    email("new-sent", OutgoingEmail.SENT, timezone.now())
    email("new-pending", OutgoingEmail.PENDING, timezone.now())

    out = StringIO()
    call_command("purge_security_data", stdout=out)

    assert sorted(OutgoingEmail.objects.values_list("dedupe_key", flat=True)) == [
        "new-pending",
        "new-sent",
    ]
    assert "3 stored emails" in out.getvalue()
    assert OutgoingEmail.posts.through.objects.count() == 2


def _abandon_login_at_the_two_factor_step(user, *, days_ago):
    """Log in with the password and stop at the two-factor step, `days_ago`."""
    client = Client()
    response = client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    session = client.session
    pending = session[LOGIN_SESSION_KEY]
    assert pending["user_pk"] == user_pk_to_url_str(user)  # it names the account
    pending["initiated_at"] -= days_ago * 86400
    session[LOGIN_SESSION_KEY] = pending
    session.save()
    return session.session_key


def test_purge_deletes_logins_abandoned_at_the_two_factor_step_before_the_retention(db, settings):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    settings.SECURITY_DATA_RETENTION_DAYS = 7
    user = verified(make_user())
    TOTP.activate(user, generate_totp_secret())
    old = _abandon_login_at_the_two_factor_step(user, days_ago=8)
    recent = _abandon_login_at_the_two_factor_step(user, days_ago=1)
    signed_in = make_session(user, age_days=1)
    # Older than the retention too, but signed in: the session list decides.
    old_signed_in = make_session(user, age_days=8)

    out = StringIO()
    call_command("purge_security_data", stdout=out)

    remaining = set(Session.objects.values_list("session_key", flat=True))
    assert old not in remaining
    assert {recent, signed_in.session_key} <= remaining
    assert old_signed_in.session_key not in remaining
    assert "1 abandoned login," in out.getvalue()
