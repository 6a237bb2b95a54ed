"""How keys are stored in the shared cache. allauth names its rate-limit
entries after what they count: the client's IP address, a used TOTP code.
Stored as a keyed hash instead, the cache table (or Redis) holds none of
them in clear; counting works the same."""

from django.utils.crypto import salted_hmac


def make_key(key: str, key_prefix: str, version: int) -> str:
    digest = salted_hmac("accounts.cache.make_key", str(key), algorithm="sha256").hexdigest()
    return f"{key_prefix}:{version}:{digest}"
