"""/healthz: what a load balancer asks each node (forum/health.py)."""

import json
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from forum import health
from forum.logging import JSONFormatter

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent


def test_a_healthy_node_answers_ok_with_each_check(client, settings):
    settings.TASKS_BACKEND = "immediate"
    response = client.get(reverse("forum:healthz"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "cache": "ok",
        "tasks": "ok",
    }


def test_it_names_no_host_version_or_secret(client, settings):
    text = client.get(reverse("forum:healthz")).text
    database = settings.DATABASES["default"]
    for secret in [settings.SECRET_KEY, str(database["NAME"]), "django", "6.1", "postgres"]:
        assert secret.lower() not in text.lower()


def test_a_database_that_fails_makes_the_node_fail(client, monkeypatch):
    def broken():
        raise OperationalError("could not connect to server at 10.0.0.5 with password hunter2")

    monkeypatch.setattr(health, "CHECKS", {**health.CHECKS, "database": broken})
    response = client.get(reverse("forum:healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["database"]["status"] == "fail"
    assert body["checks"]["database"]["error"] == "OperationalError"
    assert "10.0.0.5" not in response.text and "hunter2" not in response.text


def test_a_cache_that_loses_what_it_was_given_fails(client, monkeypatch):
    monkeypatch.setattr(health.cache, "get", lambda key, default=None: None)
    response = client.get(reverse("forum:healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["status"] == "fail"


def test_a_task_queue_nobody_works_fails_the_node(client, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS_BACKEND = "database"
    settings.FORUM_HEALTHZ_MAX_TASK_AGE_SECONDS = 600
    task = DBTaskResult.objects.create(
        task_path="dialogues.tasks.retry_emails",
        args_kwargs={"args": [], "kwargs": {}},
        queue_name="default",
        backend_name="default",
    )
    first = client.get(reverse("forum:healthz")).json()["checks"]["tasks"]
    assert first["status"] == "ok"
    assert first["oldest_pending_seconds"] < 600

    DBTaskResult.objects.filter(pk=task.pk).update(
        enqueued_at=timezone.now() - timedelta(minutes=15)
    )
    response = client.get(reverse("forum:healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["tasks"] == {
        "status": "fail",
        "oldest_pending_seconds": 900,
        "ms": response.json()["checks"]["tasks"]["ms"],
    }


def test_it_is_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("forum:home")).status_code == 301
    assert client.get(reverse("forum:healthz")).status_code == 200


def test_json_logs_are_one_object_a_line_without_the_request():
    record = logging.LogRecord("forum.x", logging.WARNING, __file__, 1, "Hello %s", ("you",), None)
    record.request = object()  # what django.request passes: never logged
    record.status_code = 503
    line = JSONFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "Hello you"
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "forum.x"
    assert entry["status_code"] == 503
    assert "request" not in entry


def test_replicas_are_reported_but_never_fail_the_node(client, mirror, monkeypatch):
    from forum import db_router

    assert client.get(reverse("forum:healthz")).json()["checks"]["replica_0"] == {
        "status": "ok",
        "lag_seconds": 0.0,
    }

    def down(alias):
        raise OperationalError("connection refused")

    monkeypatch.setattr(db_router, "replica_lag", down)
    response = client.get(reverse("forum:healthz"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"]["replica_0"] == {"status": "down"}


def settings_of(code, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "LOG_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean | {"SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "forum.settings"} | env,
        capture_output=True,
        text=True,
    )
    return result


def test_each_replica_url_is_an_alias_mirrored_in_tests():
    result = settings_of(
        "import json, forum.settings as s; print(json.dumps("
        "{a: [d['HOST'], d['PORT'], d['NAME'], d['TEST'], d.get('OPTIONS')] "
        "for a, d in s.DATABASES.items() if a != 'default'}))",
        DATABASE_URL="postgres://u@db1:5432/forum",
        DATABASE_REPLICA_URLS="postgres://u@db2:5432/forum, postgres://u@db3:5433/forum",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "replica_0": ["db2", 5432, "forum", {"MIRROR": "default"}, {"connect_timeout": 2}],
        "replica_1": ["db3", 5433, "forum", {"MIRROR": "default"}, {"connect_timeout": 2}],
    }


def test_log_format_json_writes_json_lines_to_stdout():
    result = settings_of(
        "import django, logging; django.setup(); logging.getLogger('forum').warning('Hi %s', 1)",
        LOG_FORMAT="json",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["message"] == "Hi 1"
    assert result.stderr == ""


def test_an_unknown_log_format_is_refused():
    result = settings_of("import forum.settings", LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "LOG_FORMAT must be 'text' or 'json'." in result.stderr
