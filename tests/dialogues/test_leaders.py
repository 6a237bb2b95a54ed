"""Conversation leaders: named by facilitators, listed in the header, badged
on their posts, counted in the participation view."""

from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dialogues.models import ConversationLeader
from tests.factories import make_reply, make_user

from .conftest import START


def test_facilitator_names_a_leader_who_is_listed_and_badged(facilitator_client, dialogue, clock):
    clock.set(START + timedelta(hours=1))
    user = make_user("nadia", display_name="Nadia K.")
    make_reply(dialogue.topic, author=user, body="My first contribution.")

    added = facilitator_client.post(
        reverse("dialogues:add_leader", args=[dialogue.topic_id]),
        {"username": "nadia", "intro": "Coordinates legal aid."},
    )
    page = facilitator_client.get(dialogue.topic.get_absolute_url()).content.decode()

    assert added.status_code == 302
    assert ConversationLeader.objects.filter(dialogue=dialogue, user=user).exists()
    assert "Conversation leaders" in page
    assert "Coordinates legal aid." in page
    assert page.count('class="badge leader"') == 1


def test_unknown_leader_username_is_refused_with_the_input_kept(
    facilitator_client, dialogue, clock
):
    response = facilitator_client.post(
        reverse("dialogues:add_leader", args=[dialogue.topic_id]),
        {"username": "nobody-here", "intro": "An intro I typed"},
    )

    assert response.status_code == 400
    assert "No active participant has that username." in response.content.decode()
    assert "An intro I typed" in response.content.decode()
    assert not dialogue.leaders.exists()


def test_participants_cannot_name_leaders(participant_client, dialogue, other_participant):
    response = participant_client.post(
        reverse("dialogues:add_leader", args=[dialogue.topic_id]), {"username": "other"}
    )

    assert response.status_code == 403
    assert not dialogue.leaders.exists()


def test_participation_counts_leader_posts_per_day_and_lists_unanswered_posts(
    facilitator_client, dialogue, leader, participant, clock
):
    clock.set(START + timedelta(hours=2))
    first = make_reply(dialogue.topic, author=leader, subject="Day one, first")
    make_reply(dialogue.topic, author=leader, parent=first, subject="Day one, second")
    clock.set(START + timedelta(days=1, hours=2))
    lonely = make_reply(dialogue.topic, author=participant, subject="Nobody answered me")
    make_reply(dialogue.topic, author=leader, subject="Day two")
    clock.set(START + timedelta(days=2, hours=3))

    response = facilitator_client.get(reverse("dialogues:participation", args=[dialogue.topic_id]))

    rows = response.context["rows"]
    assert response.status_code == 200
    assert rows[0]["leader"].user == leader
    # One column per calendar day the dialogue touches (09:00 to 09:00).
    assert rows[0]["counts"] == [2, 1, 0, 0, 0, 0]
    assert rows[0]["total"] == 3
    unanswered = list(response.context["unanswered"])
    assert lonely in unanswered
    assert first not in unanswered
    assert "Nobody answered me" in response.content.decode()


def test_participation_is_for_facilitators_only(participant_client, dialogue):
    response = participant_client.get(reverse("dialogues:participation", args=[dialogue.topic_id]))

    assert response.status_code == 404


def test_facilitator_removes_a_leader_and_the_badge_goes(facilitator_client, dialogue, leader):
    make_reply(dialogue.topic, author=leader)
    record = dialogue.leaders.get()

    response = facilitator_client.post(
        reverse("dialogues:remove_leader", args=[dialogue.topic_id, record.pk])
    )
    page = facilitator_client.get(dialogue.topic.get_absolute_url()).content.decode()

    assert response.status_code == 302
    assert not dialogue.leaders.exists()
    assert 'class="badge leader"' not in page


def test_a_leaders_new_name_shows_at_once_in_the_header_even_before_they_post(
    participant, dialogue, leader, clock
):
    """The header names every leader: renaming one who has not posted yet
    changes the cached anonymous page and the member's page at once."""
    clock.set(START + timedelta(hours=1, minutes=30))
    url = dialogue.topic.get_absolute_url()
    client, participant_client = Client(), Client()
    participant_client.force_login(participant)
    assert "Lee Leader" in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as served:
        assert "Lee Leader" in client.get(url).content.decode()
    assert not [q for q in served.captured_queries if "forum_topic" in q["sql"]]  # from the cache
    assert "Lee Leader" in participant_client.get(url).content.decode()
    leader.display_name = "Leila Leader"
    leader.save(update_fields=["display_name"])
    for reader in (client, participant_client):
        page = reader.get(url).content.decode()
        assert "Leila Leader" in page and "Lee Leader" not in page
