"""Two-factor secrets are encrypted at rest with MFA_ENCRYPTION_KEYS, and the
keys can be rotated without locking anyone out."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from tests.accounts.conftest import log_in, reauthenticate

ROOT = Path(__file__).resolve().parents[2]
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def raw_data_column() -> str:
    """Every mfa_authenticator.data value, as the database (or a backup) holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator")
        return "\n".join(str(row[0]) for row in cursor.fetchall())


def enrol_totp(client, member) -> tuple[str, list[str]]:
    """Set up TOTP through the pages; returns the secret and the recovery codes shown."""
    client.force_login(member)
    reauthenticate(client)
    client.get("/accounts/2fa/totp/activate/")
    secret = client.session["mfa.totp.secret"]
    response = client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})
    assert response.status_code == 302
    page = client.get("/accounts/2fa/recovery-codes/").content.decode()
    codes = RecoveryCodes(
        Authenticator.objects.get(user=member, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    assert all(code in page for code in codes)
    client.post("/accounts/logout/")
    return secret, codes


def test_the_database_holds_no_totp_secret_or_recovery_seed_in_clear(client, member):
    secret, codes = enrol_totp(client, member)

    raw = raw_data_column()
    assert secret not in raw
    assert secret.lower() not in raw.lower()
    seed = RecoveryCodes(
        Authenticator.objects.get(user=member, type=Authenticator.Type.RECOVERY_CODES)
    )
    from accounts.mfa_crypto import decrypt

    clear_seed = decrypt(seed.instance.data["seed"])
    assert len(clear_seed) == 80
    assert clear_seed not in raw
    assert not any(code in raw for code in codes)
    assert raw.count("fernet:") == 2


def test_totp_login_works_with_the_encrypted_secret(client, member):
    secret, _codes = enrol_totp(client, member)
    response = log_in(client, "member")
    assert response["Location"] == "/accounts/2fa/authenticate/"
    client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert "_auth_user_id" not in client.session
    client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert client.session["_auth_user_id"] == str(member.pk)


def test_recovery_codes_work_once_each(client, member):
    _secret, codes = enrol_totp(client, member)
    log_in(client, "member")
    client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert client.session["_auth_user_id"] == str(member.pk)

    client.post("/accounts/logout/")
    log_in(client, "member")
    response = client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert "Incorrect code" in response.content.decode()
    assert "_auth_user_id" not in client.session
    client.post("/accounts/2fa/authenticate/", {"code": codes[1]})
    assert client.session["_auth_user_id"] == str(member.pk)


def test_rotation_re_encrypts_with_the_new_key_so_the_old_one_can_go(client, member, settings):
    settings.MFA_ENCRYPTION_KEYS = [OLD_KEY]
    secret, codes = enrol_totp(client, member)
    before = raw_data_column()

    settings.MFA_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    out = _rotate()
    assert "Re-encrypted 2 of 2" in out
    assert raw_data_column() != before
    assert "Re-encrypted 0 of 2" in _rotate()  # nothing left under the old key

    settings.MFA_ENCRYPTION_KEYS = [NEW_KEY]
    log_in(client, "member")
    client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert client.session["_auth_user_id"] == str(member.pk)
    client.post("/accounts/logout/")
    log_in(client, "member")
    client.post("/accounts/2fa/authenticate/", {"code": codes[2]})
    assert client.session["_auth_user_id"] == str(member.pk)


def test_a_secret_whose_key_was_removed_too_early_fails_with_a_clear_message(member, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.MFA_ENCRYPTION_KEYS = [OLD_KEY]
    totp = TOTP.activate(member, generate_totp_secret())
    settings.MFA_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(ImproperlyConfigured, match="rotate_mfa_keys"):
        totp.validate_code("123456")


def test_secrets_stored_in_clear_before_encryption_still_work_and_rotation_encrypts_them(
    client, member
):
    secret = generate_totp_secret()
    Authenticator.objects.create(user=member, type=Authenticator.Type.TOTP, data={"secret": secret})
    assert secret in raw_data_column()

    log_in(client, "member")
    client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert client.session["_auth_user_id"] == str(member.pk)

    assert "Re-encrypted 1 of 1" in _rotate()
    assert secret not in raw_data_column()


def _rotate() -> str:
    from io import StringIO

    out = StringIO()
    call_command("rotate_mfa_keys", stdout=out)
    return out.getvalue()


def _import_settings(**env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "MFA_ENCRYPTION_KEYS")
    }
    return subprocess.run(
        [sys.executable, "-c", "import forum.settings as s; print(len(s.MFA_ENCRYPTION_KEYS))"],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
    )


def test_production_without_an_encryption_key_refuses_to_start():
    result = _import_settings(DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "MFA_ENCRYPTION_KEYS is not set" in result.stderr
    assert "Fernet.generate_key()" in result.stderr


def test_production_refuses_a_key_that_is_not_a_fernet_key():
    result = _import_settings(DEBUG="0", SECRET_KEY="x" * 50, MFA_ENCRYPTION_KEYS="hunter2")
    assert result.returncode != 0
    assert "key 1 is not a Fernet key" in result.stderr


def test_production_with_keys_starts_and_debug_derives_a_development_key():
    result = _import_settings(
        DEBUG="0", SECRET_KEY="x" * 50, MFA_ENCRYPTION_KEYS=f"{NEW_KEY}, {OLD_KEY}"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2"
    result = _import_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"
