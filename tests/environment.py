"""Loaded by pytest (-p tests.environment) before Django reads its settings:
the test run's defaults for the variables that forum/settings.py requires.
Values already in the environment (e.g. DATABASE_URL from .ci/run) win."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
# A fixed Fernet key: base64 of the 32 bytes "tests-only-not-a-secret-32-bytes".
os.environ.setdefault("MFA_ENCRYPTION_KEYS", "dGVzdHMtb25seS1ub3QtYS1zZWNyZXQtMzItYnl0ZXM=")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")
