import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connections
from django.db.utils import load_backend

from drills.common import ROOT, Browser, DrillFailed, Gunicorn, server_env
from forum import db_router
from tests.ops import streaming


@pytest.fixture
def mirror(transactional_db, monkeypatch):
    """A replica, `replica_0`: the test database under a second connection,
    as DATABASES' TEST MIRROR makes it. It sees what the test committed, so
    the test needs transactional_db; its queries are counted apart from the
    primary's. Made here rather than in DATABASES, where every test of the
    suite would read through it."""
    alias = "replica_0"
    settings_dict = dict(connections["default"].settings_dict)
    settings_dict["TEST"] = {**settings_dict.get("TEST", {}), "MIRROR": "default"}
    replica = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    setattr(connections._connections, alias, replica)
    monkeypatch.setattr(db_router, "replica_aliases", lambda: [alias])
    monkeypatch.setattr(db_router, "_health", {})
    try:
        yield alias
    finally:
        replica.close()
        delattr(connections._connections, alias)


@dataclass
class Replication:
    primary: streaming.Primary
    standby: streaming.Standby
    # Two nodes on the same clusters: "patient" trusts the replica however
    # far behind it is (so a paused replica shows what it has not replayed),
    # "strict" allows 1 s of lag.
    patient: Gunicorn
    strict: Gunicorn
    scene: dict
    logs: Path
    # Logged in once through the patient node; the session serves both.
    author: Browser
    reader: Browser
    facilitator: Browser

    def fresh(self, browser: Browser) -> Browser:
        """The browser as if its read-your-writes window had passed."""
        for cookie in list(browser.cookies):
            if cookie.name == "wrote":
                browser.cookies.clear(cookie.domain, cookie.path, cookie.name)
        return browser

    def on(self, node: Gunicorn, browser: Browser) -> Browser:
        browser.base_url = node.url
        return self.fresh(browser)


@pytest.fixture(scope="session")
def replication():
    """A private primary, a streaming standby and two gunicorn nodes (see
    tests/ops/streaming.py). About 30 s to set up; session-wide."""
    reason = streaming.binaries_missing()
    if reason:
        if os.environ.get("FORUM_REQUIRE_POSTGRES_BINARIES"):  # set by .ci/run
            pytest.fail(reason)
        pytest.skip(reason)
    logs = Path(tempfile.mkdtemp(prefix="forum-replica-tests-"))
    try:
        yield from _replication(logs)
    finally:
        shutil.rmtree(logs, ignore_errors=True)


def _replication(logs: Path):
    started = time.monotonic()
    primary_port = streaming.free_port(streaming.PG_PORTS)
    standby_port = streaming.free_port(streaming.PG_PORTS, taken={primary_port})
    with streaming.Primary(primary_port) as primary:
        with streaming.Standby(standby_port, primary) as standby:
            streaming.wait_streaming(primary)
            env = server_env(
                streaming.url(primary.port),
                DATABASE_REPLICA_URLS=streaming.url(standby.port),
                FORUM_READ_YOUR_WRITES_SECONDS="10",
                FORUM_STAFF_REQUIRE_MFA="0",
                # Where each read goes: a page kept for anonymous readers is
                # rendered from the primary (tests/ops/test_router.py).
                FORUM_PAGE_CACHE_SECONDS="0",
                LOG_FORMAT="json",
                PYTHONUNBUFFERED="1",  # each log line in the file as it is written
            )
            scene = json.loads(manage_module(env, "tests.ops.streaming", "scene"))
            patient_port = streaming.free_port(streaming.HTTP_PORTS)
            strict_port = streaming.free_port(streaming.HTTP_PORTS, taken={patient_port})
            patient = Gunicorn(
                env | {"FORUM_REPLICA_MAX_LAG_SECONDS": "100000"},
                logs / "patient.log",
                workers=1,
                port=patient_port,
            )
            strict = Gunicorn(
                env | {"FORUM_REPLICA_MAX_LAG_SECONDS": "1"},
                logs / "strict.log",
                workers=1,
                port=strict_port,
            )
            with patient, strict:
                browsers = {}
                for role in ("author", "reader", "facilitator"):
                    browsers[role] = Browser(patient.url)
                    browsers[role].log_in(scene[role], scene["password"])
                print(f"replication fixture ready in {time.monotonic() - started:.1f} s")
                yield Replication(primary, standby, patient, strict, scene, logs, **browsers)


def manage_module(env: dict, module: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode:
        raise DrillFailed(f"{module} failed:\n{result.stderr[-3000:]}")
    return result.stdout.strip().splitlines()[-1]
