import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.usersessions.models import UserSession

from tests.accounts.conftest import log_in

ROOT = Path(__file__).resolve().parents[2]


def settings_under(env: dict) -> dict:
    """Import forum.settings in a fresh interpreter with the given environment."""
    code = (
        "import json, forum.settings as s; print(json.dumps({"
        "'cache': s.CACHES['default']['BACKEND'],"
        "'staff_mfa': s.FORUM_STAFF_REQUIRE_MFA,"
        "'verification': s.ACCOUNT_EMAIL_VERIFICATION,"
        "'retention': s.SECURITY_DATA_RETENTION_DAYS}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DEBUG"}}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=clean | {"SECRET_KEY": "x"} | env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_production_defaults_are_strict():
    values = settings_under({"DEBUG": "0"})
    assert values == {
        "cache": "django.core.cache.backends.db.DatabaseCache",
        "staff_mfa": True,
        "verification": "mandatory",
        "retention": 30,
    }


def test_redis_is_the_shared_cache_when_configured():
    values = settings_under({"DEBUG": "0", "REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert values["cache"] == "forum.redis_cache.RedisCache"


def test_staff_mfa_is_off_by_default_only_in_debug():
    assert settings_under({"DEBUG": "1"})["staff_mfa"] is False
    assert settings_under({"DEBUG": "1", "FORUM_STAFF_REQUIRE_MFA": "1"})["staff_mfa"] is True


def test_too_many_signups_get_a_styled_429_page(client, db, settings):
    settings.ACCOUNT_RATE_LIMITS = {"signup": "1/m/ip"}
    client.post("/accounts/signup/", {"email": "a@example.org"})
    response = client.post("/accounts/signup/", {"email": "b@example.org"})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many attempts" in page
    assert 'class="site-header"' in page


@pytest.mark.django_db
def test_sign_out_other_sessions_ends_them(client, member, django_user_model):
    from django.test import Client

    laptop, phone = client, Client()
    log_in(laptop, "member")
    log_in(phone, "member")
    assert UserSession.objects.filter(user=member).count() == 2

    response = laptop.post("/accounts/sessions/")
    assert response.status_code == 302
    assert UserSession.objects.filter(user=member).count() == 1
    assert "_auth_user_id" in laptop.session
    assert phone.get("/u/me/profile/").status_code == 302  # sent to log in again
