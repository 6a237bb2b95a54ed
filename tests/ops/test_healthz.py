"""/healthz: what a load balancer asks each node (forum/health.py)."""

import json
import logging
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from forum import health
from forum.logging import JSONFormatter

pytestmark = pytest.mark.django_db


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
