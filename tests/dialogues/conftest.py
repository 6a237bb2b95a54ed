from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from dialogues.models import ConversationLeader
from forum.models import Post, Topic
from tests.factories import make_dialogue, make_user

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    """A controllable timezone.now() for the code under test."""

    def __init__(self, now: datetime):
        self.now = now

    def set(self, when: datetime) -> None:
        self.now = when

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(START)
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    # Field defaults hold the real timezone.now: stamp new rows with the clock.
    for model, name in [(Post, "created_at"), (Topic, "created_at"), (Topic, "last_post_at")]:
        monkeypatch.setattr(model._meta.get_field(name), "_get_default", lambda: clock.now)
    return clock


@pytest.fixture
def dialogue(topic, clock):
    """Five days, from START to START + 5 days; the clock starts at START."""
    return make_dialogue(topic, opens_at=START, closes_at=START + timedelta(days=5))


@pytest.fixture
def leader(dialogue):
    user = make_user("leader", display_name="Lee Leader")
    ConversationLeader.objects.create(dialogue=dialogue, user=user, intro="Runs a legal clinic.")
    return user


@pytest.fixture
def facilitator_client(facilitator):
    # Its own client: tests use it next to participant_client.
    client = Client()
    client.force_login(facilitator)
    return client


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Run what the code enqueues on commit (the test's transaction never commits)."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
