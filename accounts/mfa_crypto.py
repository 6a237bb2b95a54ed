"""Encryption at rest of the two-factor secrets allauth stores in
mfa_authenticator.data: TOTP secrets and recovery-code seeds. Fernet
(authenticated AES) from `cryptography`; MultiFernet so keys can rotate:
MFA_ENCRYPTION_KEYS lists them, the first encrypts, all decrypt."""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Marks an encrypted value. A value without it was stored in clear before
# encryption existed (or by an older process during a deploy) and is still
# accepted, so no one is locked out; the migration and rotate_mfa_keys
# encrypt every such value.
PREFIX = "fernet:"


def _keys() -> list[Fernet]:
    return [Fernet(key) for key in settings.MFA_ENCRYPTION_KEYS]


def encrypt(text: str) -> str:
    return PREFIX + _keys()[0].encrypt(text.encode()).decode()


def decrypt(value: str) -> str:
    if not is_encrypted(value):
        return value
    try:
        return MultiFernet(_keys()).decrypt(value.removeprefix(PREFIX).encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A two-factor secret cannot be decrypted with any key in MFA_ENCRYPTION_KEYS: "
            "the key that encrypted it was removed before `manage.py rotate_mfa_keys` ran."
        ) from None


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX)


def is_current(value: str) -> bool:
    """Encrypted with the first (current) key."""
    if not is_encrypted(value):
        return False
    try:
        _keys()[0].decrypt(value.removeprefix(PREFIX).encode())
    except InvalidToken:
        return False
    return True


def _secret_paths(data: dict):
    """The places in an authenticator's data that hold a secret: "secret"
    (TOTP), "seed" and "migrated_codes" (recovery codes). Security keys
    store only public keys."""
    for name in ("secret", "seed"):
        if isinstance(data.get(name), str):
            yield data, name
    codes = data.get("migrated_codes")
    if isinstance(codes, list):
        for index, code in enumerate(codes):
            if isinstance(code, str):
                yield codes, index


def reencrypt(data: dict) -> bool:
    """Encrypt every secret in `data` with the current key, in place.
    Returns whether anything changed."""
    changed = False
    for container, key in _secret_paths(data):
        value = container[key]
        if not is_current(value):
            container[key] = encrypt(decrypt(value))
            changed = True
    return changed


def decrypt_all(data: dict) -> bool:
    """The reverse of reencrypt(), for migrating back."""
    changed = False
    for container, key in _secret_paths(data):
        if is_encrypted(container[key]):
            container[key] = decrypt(container[key])
            changed = True
    return changed


def reencrypt_authenticators(Authenticator, *, reverse: bool = False) -> int:
    """Rewrite every authenticator whose secrets are in clear or under an
    older key; returns how many were rewritten. Takes the model as an
    argument so migrations can pass their historical one."""
    from django.db import transaction

    rewritten = 0
    for pk in Authenticator.objects.order_by("pk").values_list("pk", flat=True).iterator():
        # Locked: a recovery code used meanwhile must not be marked unused again.
        with transaction.atomic():
            row = Authenticator.objects.select_for_update().filter(pk=pk).first()
            if row is None:
                continue
            changed = decrypt_all(row.data) if reverse else reencrypt(row.data)
            if changed:
                row.save(update_fields=["data"])
                rewritten += 1
    return rewritten
