"""Loaded by pytest (-p tests.environment) before Django reads its settings:
the test run's defaults for the variables that forum/settings.py requires.
Values already in the environment (e.g. DATABASE_URL from .ci/run) win."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")
