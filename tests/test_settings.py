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
