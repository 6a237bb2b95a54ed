from datetime import timedelta

import pytest
from django.test import Client

from dialogues.models import ConversationLeader
from tests.clock import START
from tests.factories import make_dialogue, make_user


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
