"""Loaded by pytest (-p tests.environment) before Django reads its settings:
the test run's defaults for the variables that forum/settings.py requires.
Values already in the environment (e.g. DATABASE_URL from .ci/run) win."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")
# Tasks run in the test's own thread, in order, when run_tasks() asks: tests
# assert what a task did right after the request. The default thread-pool
# backend has its own tests (tests/dialogues/test_mail_server_hangs.py).
os.environ.setdefault("TASKS_BACKEND", "immediate")
