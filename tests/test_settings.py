"""The settings module refuses to run in production without a secret key."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def import_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    return subprocess.run(
        [sys.executable, "-c", "import forum.settings"],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
    )


def test_production_without_secret_key_refuses_to_start():
    result = import_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_without_secret_key_uses_a_development_key():
    assert import_settings(DEBUG="1").returncode == 0


def test_production_with_secret_key_starts():
    assert import_settings(DEBUG="0", SECRET_KEY="x" * 50).returncode == 0


def settings_value(expression, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "TASKS_BACKEND", "DATABASE_URL", "EMAIL_TIMEOUT")
    }
    result = subprocess.run(
        [sys.executable, "-c", f"import forum.settings as s; print({expression})"],
        cwd=ROOT,
        env=clean | {"SECRET_KEY": "x" * 50} | env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_by_default_tasks_run_on_a_thread_pool_never_in_the_request():
    assert settings_value("s.TASKS['default']['BACKEND']") == (
        "forum.task_backends.ThreadPoolBackend"
    )


def test_the_mail_server_timeout_comes_from_email_timeout():
    timeout = "s.MAILERS['default']['OPTIONS']['timeout']"
    assert settings_value(timeout, EMAIL_HOST="smtp.example.org") == "20.0"
    assert settings_value(timeout, EMAIL_HOST="smtp.example.org", EMAIL_TIMEOUT="5") == "5.0"


def test_the_embedded_database_lets_writers_queue_instead_of_failing():
    options = settings_value("sorted(s.DATABASES['default']['OPTIONS'].items())")
    assert "('transaction_mode', 'IMMEDIATE')" in options
    assert "PRAGMA journal_mode=WAL" in options


def test_a_site_url_without_its_scheme_is_refused():
    result = import_settings(DEBUG="1", SITE_URL="forum.example.org")
    assert result.returncode != 0
    assert "SITE_URL must start with http:// or https://" in result.stderr


def run_target_environment(**variables) -> list[str]:
    """What `make run` passes to manage.py, with every command replaced by
    printenv (the virtualenv is taken as installed)."""
    clean = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "DEBUG", "ADDRESS")}
    result = subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", "run", "PY=printenv SITE_URL DEBUG; true"],
        cwd=ROOT,
        env=clean | variables,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()[:2]


def test_make_run_links_emails_to_the_address_it_serves():
    assert run_target_environment() == ["http://127.0.0.1:8000", "1"]
    assert run_target_environment(ADDRESS="127.0.0.1:8101") == ["http://127.0.0.1:8101", "1"]
    assert run_target_environment(SITE_URL="https://forum.example.org") == [
        "https://forum.example.org",
        "1",
    ]
