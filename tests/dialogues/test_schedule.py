"""Dialogue scheduling: upcoming, open, closed, extended and reopened, with a
controllable clock."""

import zoneinfo
from datetime import timedelta

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dialogues.models import Dialogue
from forum.models import ModerationLog, Post, Topic

from .conftest import START


def reply_url(topic):
    return reverse("forum:reply", args=[topic.opening_post_id])


def test_upcoming_dialogue_is_listed_readable_and_refuses_replies(
    participant_client, dialogue, category, clock
):
    clock.set(START - timedelta(days=2))

    listing = participant_client.get(category.get_absolute_url())
    page = participant_client.get(dialogue.topic.get_absolute_url())
    refused = participant_client.post(
        reply_url(dialogue.topic), {"subject": "Early", "body": "Too soon, kept text"}
    )

    assert "Upcoming — opens" in listing.content.decode()
    assert page.status_code == 200
    assert "Upcoming — opens" in page.content.decode()
    assert "Post reply" not in page.content.decode()
    assert refused.status_code == 403
    assert "has not opened yet" in refused.content.decode()
    assert "Too soon, kept text" in refused.content.decode()
    assert dialogue.topic.posts.count() == 1


def test_open_dialogue_shows_the_day_and_time_left_and_takes_replies(
    participant_client, dialogue, clock
):
    clock.set(START + timedelta(days=2, hours=4))  # day 3; 2 days 20 hours left

    page = participant_client.get(dialogue.topic.get_absolute_url())
    posted = participant_client.post(reply_url(dialogue.topic), {"subject": "Hi", "body": "Hello"})

    assert "Day 3 of 5 — closes in 2 days" in page.content.decode()
    assert posted.status_code == 302
    assert dialogue.topic.posts.count() == 2


def test_banner_counts_hours_on_the_last_day(participant_client, dialogue, clock):
    clock.set(START + timedelta(days=4, hours=4))

    page = participant_client.get(dialogue.topic.get_absolute_url())

    assert "Day 5 of 5 — closes in 20 hours" in page.content.decode()


def test_replies_are_refused_from_the_closing_time_even_before_the_lock_is_recorded(
    participant_client, dialogue, clock
):
    clock.set(dialogue.closes_at)

    page = participant_client.get(dialogue.topic.get_absolute_url())
    refused = participant_client.post(
        reply_url(dialogue.topic), {"subject": "Late", "body": "My late thoughts"}
    )

    assert "Topic locked" in page.content.decode()
    assert refused.status_code == 403
    assert "This dialogue closed on" in refused.content.decode()
    assert "My late thoughts" in refused.content.decode()
    assert not Post.objects.filter(body="My late thoughts").exists()


def test_facilitators_can_post_before_opening_and_after_closing(
    facilitator_client, dialogue, clock
):
    clock.set(START - timedelta(days=1))
    welcome = facilitator_client.post(
        reply_url(dialogue.topic), {"subject": "Welcome", "body": "We open tomorrow."}
    )
    clock.set(dialogue.closes_at + timedelta(hours=1))
    closing = facilitator_client.post(
        reply_url(dialogue.topic), {"subject": "Thank you", "body": "A closing note."}
    )

    assert welcome.status_code == 302 and closing.status_code == 302
    assert dialogue.topic.posts.filter(subject__in=["Welcome", "Thank you"]).count() == 2


def test_close_dialogues_locks_due_dialogues_once_and_logs_it(dialogue, topic, category, clock):
    still_open = Dialogue.objects.create(
        topic=Topic.start(category=category, author=topic.author, title="Later", body="x"),
        opens_at=START,
        closes_at=START + timedelta(days=10),
    )
    clock.set(dialogue.closes_at + timedelta(minutes=1))

    call_command("close_dialogues")
    call_command("close_dialogues")

    topic.refresh_from_db()
    still_open.topic.refresh_from_db()
    assert topic.is_locked
    assert not still_open.topic.is_locked
    lock = ModerationLog.objects.get(topic=topic, action="lock")
    assert lock.actor is None and "closing time" in lock.reason
    assert topic.locked_at == clock.now
    dialogue.refresh_from_db()
    assert dialogue.closed_at == clock.now


def test_facilitator_extends_an_open_dialogue(facilitator_client, dialogue, clock):
    clock.set(START + timedelta(days=1))
    new_close = dialogue.closes_at + timedelta(days=2)

    response = facilitator_client.post(
        reverse("dialogues:schedule", args=[dialogue.topic_id]),
        {"opens_at": "2026-03-02T09:00", "closes_at": new_close.strftime("%Y-%m-%dT%H:%M")},
    )

    dialogue.refresh_from_db()
    assert response.status_code == 302
    assert dialogue.closes_at == new_close
    assert dialogue.day_count == 7


def test_facilitator_reopens_a_closed_dialogue_and_replies_are_taken_again(
    facilitator_client, participant_client, dialogue, clock
):
    clock.set(dialogue.closes_at + timedelta(hours=1))
    call_command("close_dialogues")

    facilitator_client.post(
        reverse("dialogues:schedule", args=[dialogue.topic_id]),
        {"opens_at": "2026-03-02T09:00", "closes_at": "2026-03-09T09:00"},
    )
    posted = participant_client.post(reply_url(dialogue.topic), {"subject": "S", "body": "Back"})

    dialogue.refresh_from_db()
    assert not dialogue.topic.is_locked
    assert dialogue.closed_at is None
    assert posted.status_code == 302
    assert ModerationLog.objects.filter(topic=dialogue.topic, action="unlock").exists()
    history = facilitator_client.get(reverse("dialogues:manage", args=[dialogue.topic_id]))
    assert "Dialogue reopened." in history.content.decode()


def test_facilitator_makes_a_topic_a_dialogue(facilitator_client, topic, clock):
    response = facilitator_client.post(
        reverse("dialogues:schedule", args=[topic.pk]),
        {"opens_at": "2026-03-05T09:00", "closes_at": "2026-03-10T09:00"},
    )

    assert response.status_code == 302
    assert topic.dialogue.opens_at.isoformat() == "2026-03-05T09:00:00+00:00"


def test_schedule_closing_before_opening_is_refused_and_the_input_kept(
    facilitator_client, topic, clock
):
    response = facilitator_client.post(
        reverse("dialogues:schedule", args=[topic.pk]),
        {"opens_at": "2026-03-05T09:00", "closes_at": "2026-03-04T09:00"},
    )

    assert response.status_code == 400
    assert "must close after it opens" in response.content.decode()
    assert "2026-03-04T09:00" in response.content.decode()
    assert not Dialogue.objects.filter(topic=topic).exists()


def test_participants_cannot_schedule_dialogues(participant_client, topic, clock):
    response = participant_client.post(
        reverse("dialogues:schedule", args=[topic.pk]),
        {"opens_at": "2026-03-05T09:00", "closes_at": "2026-03-10T09:00"},
    )
    manage = participant_client.get(reverse("dialogues:manage", args=[topic.pk]))

    assert response.status_code == 403
    assert manage.status_code == 403
    assert not Dialogue.objects.filter(topic=topic).exists()


def test_facilitator_sees_the_manage_page_and_the_links_on_the_topic(
    facilitator_client, topic, clock
):
    before = facilitator_client.get(topic.get_absolute_url()).content.decode()
    Dialogue.objects.create(topic=topic, opens_at=START, closes_at=START + timedelta(days=5))
    manage = facilitator_client.get(reverse("dialogues:manage", args=[topic.pk]))
    after = facilitator_client.get(topic.get_absolute_url()).content.decode()

    assert "Make this a dialogue" in before
    assert manage.status_code == 200
    assert 'value="2026-03-07T09:00"' in manage.content.decode()
    assert "Publish summary" in manage.content.decode()
    assert "Manage dialogue" in after and "How to participate" in after


def test_participants_see_no_facilitator_links(participant_client, dialogue):
    page = participant_client.get(dialogue.topic.get_absolute_url()).content.decode()

    assert "Manage dialogue" not in page and "Participation" not in page


def test_home_page_lists_dialogue_status(client, dialogue, clock):
    clock.set(START - timedelta(days=1))
    upcoming = client.get(reverse("forum:home")).content.decode()
    clock.set(START + timedelta(days=1))
    running = client.get(reverse("forum:home")).content.decode()

    assert "Upcoming — opens" in upcoming
    assert "Open now" in running and "Upcoming — opens" not in running


def test_time_left_is_never_rounded_down_to_a_misleading_day(participant_client, dialogue, clock):
    clock.set(dialogue.closes_at - timedelta(hours=47))

    page = participant_client.get(dialogue.topic.get_absolute_url()).content.decode()

    assert "closes in 47 hours" in page


def test_refusals_show_the_time_in_the_viewers_time_zone(dialogue, clock):
    clock.set(START - timedelta(days=1))

    with timezone.override(zoneinfo.ZoneInfo("Asia/Beirut")):
        refusal = dialogue.reply_refusal()

    assert "2026-03-02 11:00 EET" in refusal
