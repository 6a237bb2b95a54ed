"""Dialogue scheduling as people see it: upcoming, open, closed, locked,
extended, reopened and closed early, with a controllable clock. Every page
and list must say the same thing at the same moment."""

import re
import zoneinfo
from datetime import timedelta

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dialogues.models import Dialogue
from forum.models import ModerationLog, Post, Topic
from tests.factories import make_dialogue

from .conftest import START


def reply_url(topic):
    return reverse("forum:reply", args=[topic.opening_post_id])


def row_of(html: str, title: str) -> str:
    """The topic-list row (or series list item) that names `title`."""
    for row in re.findall(r"<(?:tr|li)>.*?</(?:tr|li)>", html, re.S):
        if title in row:
            return row
    raise AssertionError(f"{title!r} is not listed")


def lists(client, topic) -> dict[str, str]:
    """How each list shows `topic`: the home page, its category's topic
    table, and the series block of that page."""
    home = client.get(reverse("forum:home")).content.decode()
    category = client.get(topic.category.get_absolute_url()).content.decode()
    table = category[category.index('<table class="topics">') :]
    series = category[category.index('class="series"') : category.index("</section>")]
    return {
        "home": row_of(home, topic.title),
        "category": row_of(table, topic.title),
        "series": row_of(series, topic.title),
    }


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


def test_open_dialogue_shows_the_day_and_whole_days_left_and_takes_replies(
    participant_client, dialogue, clock
):
    clock.set(START + timedelta(days=1, hours=4))  # day 2; 3 days 20 hours left

    page = participant_client.get(dialogue.topic.get_absolute_url())
    posted = participant_client.post(reply_url(dialogue.topic), {"subject": "Hi", "body": "Hello"})

    assert "Day 2 of 5 — closes in 3 days" in page.content.decode()
    assert posted.status_code == 302
    assert dialogue.topic.posts.count() == 2


def test_under_three_days_left_the_banner_counts_hours(participant_client, dialogue, clock):
    clock.set(dialogue.topic.closes_at - timedelta(hours=71, minutes=54))

    page = participant_client.get(dialogue.topic.get_absolute_url()).content.decode()

    assert "Day 3 of 5 — closes in 71 hours" in page
    assert "closes in 2 days" not in page


def test_banner_counts_hours_on_the_last_day(participant_client, dialogue, clock):
    clock.set(START + timedelta(days=4, hours=4))

    page = participant_client.get(dialogue.topic.get_absolute_url())

    assert "Day 5 of 5 — closes in 20 hours" in page.content.decode()


def test_a_few_minutes_past_whole_days_make_no_extra_day(participant_client, topic, clock):
    make_dialogue(topic, opens_at=START, closes_at=START + timedelta(hours=72, minutes=30))
    clock.set(START + timedelta(minutes=6))

    page = participant_client.get(topic.get_absolute_url()).content.decode()

    assert "Day 1 of 3 — closes in 3 days" in page


def test_time_left_is_never_rounded_down_to_a_misleading_day(participant_client, dialogue, clock):
    clock.set(dialogue.topic.closes_at - timedelta(hours=47))

    page = participant_client.get(dialogue.topic.get_absolute_url()).content.decode()

    assert "closes in 47 hours" in page


def test_at_its_closing_time_every_page_and_list_says_closed_without_any_command(
    participant_client, dialogue, clock
):
    topic = dialogue.topic
    clock.set(topic.closes_at)

    page = participant_client.get(topic.get_absolute_url()).content.decode()
    refused = participant_client.post(
        reply_url(topic), {"subject": "Late", "body": "My late thoughts"}
    )
    shown = lists(participant_client, topic)

    assert "Topic locked: this dialogue closed on" in page
    assert "Day 5 of 5" not in page and "closes in" not in page
    assert refused.status_code == 403
    assert "This dialogue closed on" in refused.content.decode()
    assert "My late thoughts" in refused.content.decode()
    assert not Post.objects.filter(body="My late thoughts").exists()
    for where, row in shown.items():
        assert "Closed" in row, where
        assert "Open now" not in row, where
    assert (
        "Past dialogues"
        in participant_client.get(topic.category.get_absolute_url()).content.decode()
    )


def test_a_dialogue_locked_by_hand_says_locked_with_its_reason_everywhere(
    facilitator_client, participant_client, dialogue, clock
):
    topic = dialogue.topic
    clock.set(START + timedelta(days=3, hours=1))  # open, 47 hours left

    facilitator_client.post(
        reverse("forum:topic_lock", args=[topic.pk]), {"reason": "Off-topic spam wave"}
    )
    page = participant_client.get(topic.get_absolute_url()).content.decode()
    refused = participant_client.post(reply_url(topic), {"subject": "S", "body": "Kept words"})
    shown = lists(participant_client, topic)

    assert "Topic locked" in page and "Off-topic spam wave" in page
    assert "closes in 47 hours" not in page and "Day 4 of 5" not in page
    assert refused.status_code == 403 and "Off-topic spam wave" in refused.content.decode()
    assert "Kept words" in refused.content.decode()
    for where, row in shown.items():
        assert "Locked" in row, where
        assert "Open now" not in row, where


def test_facilitators_can_post_before_opening_and_after_closing(
    facilitator_client, dialogue, clock
):
    clock.set(START - timedelta(days=1))
    welcome = facilitator_client.post(
        reply_url(dialogue.topic), {"subject": "Welcome", "body": "We open tomorrow."}
    )
    clock.set(dialogue.topic.closes_at + timedelta(hours=1))
    closing = facilitator_client.post(
        reply_url(dialogue.topic), {"subject": "Thank you", "body": "A closing note."}
    )

    assert welcome.status_code == 302 and closing.status_code == 302
    assert dialogue.topic.posts.filter(subject__in=["Welcome", "Thank you"]).count() == 2


def test_close_dialogues_records_each_close_once_and_locks_nothing(
    dialogue, topic, category, clock
):
    later = make_dialogue(
        Topic.start(category=category, author=topic.author, title="Later", body="x"),
        opens_at=START,
        closes_at=START + timedelta(days=10),
    )
    clock.set(topic.closes_at + timedelta(minutes=1))

    call_command("close_dialogues")
    call_command("close_dialogues")

    topic.refresh_from_db()
    later.topic.refresh_from_db()
    close = ModerationLog.objects.get(topic=topic, action=ModerationLog.Action.CLOSE)
    assert close.actor is None and "closing time" in close.reason
    assert topic.close_logged_at == clock.now
    assert not topic.is_locked and topic.reply_state().is_closed
    assert not ModerationLog.objects.filter(topic=later.topic, action="close").exists()
    assert later.topic.reply_state().is_open


def test_facilitator_extends_an_open_dialogue(facilitator_client, dialogue, clock):
    clock.set(START + timedelta(days=1))
    new_close = dialogue.topic.closes_at + timedelta(days=2)

    response = facilitator_client.post(
        reverse("dialogues:schedule", args=[dialogue.topic_id]),
        {"opens_at": "2026-03-02T09:00", "closes_at": new_close.strftime("%Y-%m-%dT%H:%M")},
    )

    topic = Topic.objects.get(pk=dialogue.topic_id)
    assert response.status_code == 302
    assert topic.closes_at == new_close
    assert topic.reply_state().day_count == 7
    assert ModerationLog.objects.filter(topic=topic, action="extend").exists()


def test_facilitator_reopens_a_closed_dialogue_and_replies_are_taken_again(
    facilitator_client, participant_client, dialogue, clock
):
    clock.set(dialogue.topic.closes_at + timedelta(hours=1))
    call_command("close_dialogues")

    facilitator_client.post(
        reverse("dialogues:schedule", args=[dialogue.topic_id]),
        {"opens_at": "2026-03-02T09:00", "closes_at": "2026-03-09T09:00"},
    )
    posted = participant_client.post(reply_url(dialogue.topic), {"subject": "S", "body": "Back"})

    topic = Topic.objects.get(pk=dialogue.topic_id)
    assert topic.reply_state().is_open and topic.close_logged_at is None
    assert posted.status_code == 302
    history = facilitator_client.get(reverse("dialogues:manage", args=[topic.pk])).content.decode()
    assert "reopened dialogue" in history
    assert "dialogue closed at its closing time" in history


def test_facilitator_closes_a_dialogue_early_through_a_confirmation_page(
    facilitator_client, participant_client, dialogue, clock
):
    topic = dialogue.topic
    clock.set(START + timedelta(days=1))
    url = reverse("dialogues:close_early", args=[topic.pk])

    confirm = facilitator_client.get(url)
    done = facilitator_client.post(url, {"reason": "Leaders unavailable this week"})
    shown = lists(participant_client, topic)
    refused = participant_client.post(reply_url(topic), {"subject": "S", "body": "After"})

    assert confirm.status_code == 200
    assert "Close the dialogue now" in confirm.content.decode()
    assert done.status_code == 302
    topic.refresh_from_db()
    assert topic.closes_at == clock.now and topic.reply_state().is_closed
    for where, row in shown.items():
        assert "Closed" in row and "Open now" not in row, where
    assert refused.status_code == 403
    entry = ModerationLog.objects.get(topic=topic, action=ModerationLog.Action.CLOSE_EARLY)
    assert entry.reason == "Leaders unavailable this week"
    history = facilitator_client.get(reverse("dialogues:manage", args=[topic.pk])).content.decode()
    assert "closed dialogue early" in history and "Leaders unavailable this week" in history


def test_closing_early_asks_first_and_changes_nothing_on_the_way(
    facilitator_client, dialogue, clock
):
    clock.set(START + timedelta(days=1))

    facilitator_client.get(reverse("dialogues:close_early", args=[dialogue.topic_id]))

    assert Topic.objects.get(pk=dialogue.topic_id).reply_state().is_open


def test_participants_cannot_close_a_dialogue_early(participant_client, dialogue, clock):
    clock.set(START + timedelta(days=1))

    response = participant_client.post(
        reverse("dialogues:close_early", args=[dialogue.topic_id]), {"reason": "x"}
    )

    assert response.status_code == 403
    assert Topic.objects.get(pk=dialogue.topic_id).reply_state().is_open


def test_facilitator_makes_a_topic_a_dialogue(facilitator_client, topic, clock):
    response = facilitator_client.post(
        reverse("dialogues:schedule", args=[topic.pk]),
        {"opens_at": "2026-03-05T09:00", "closes_at": "2026-03-10T09:00"},
    )

    topic.refresh_from_db()
    assert response.status_code == 302
    assert topic.opens_at.isoformat() == "2026-03-05T09:00:00+00:00"
    assert Dialogue.objects.filter(topic=topic).exists()
    assert ModerationLog.objects.filter(topic=topic, action="schedule").exists()


def test_schedule_closing_before_opening_is_refused_and_the_input_kept(
    facilitator_client, topic, clock
):
    response = facilitator_client.post(
        reverse("dialogues:schedule", args=[topic.pk]),
        {"opens_at": "2026-03-05T09:00", "closes_at": "2026-03-04T09:00"},
    )

    topic.refresh_from_db()
    assert response.status_code == 400
    assert "must close after it opens" in response.content.decode()
    assert "2026-03-04T09:00" in response.content.decode()
    assert topic.closes_at is None
    assert not Dialogue.objects.filter(topic=topic).exists()


def test_participants_cannot_schedule_dialogues(participant_client, topic, clock):
    response = participant_client.post(
        reverse("dialogues:schedule", args=[topic.pk]),
        {"opens_at": "2026-03-05T09:00", "closes_at": "2026-03-10T09:00"},
    )
    manage = participant_client.get(reverse("dialogues:manage", args=[topic.pk]))

    topic.refresh_from_db()
    assert response.status_code == 403
    assert manage.status_code == 403
    assert topic.closes_at is None


def test_facilitator_sees_the_manage_page_and_the_links_on_the_topic(
    facilitator_client, topic, clock
):
    before = facilitator_client.get(topic.get_absolute_url()).content.decode()
    make_dialogue(topic, opens_at=START, closes_at=START + timedelta(days=5))
    manage = facilitator_client.get(reverse("dialogues:manage", args=[topic.pk]))
    after = facilitator_client.get(topic.get_absolute_url()).content.decode()

    assert "Make this a dialogue" in before
    assert manage.status_code == 200
    assert 'value="2026-03-07T09:00"' in manage.content.decode()
    assert "Publish summary" in manage.content.decode()
    assert "Close the dialogue early" in manage.content.decode()
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


def test_refusals_show_the_time_in_the_viewers_time_zone(dialogue, clock):
    clock.set(START - timedelta(days=1))

    with timezone.override(zoneinfo.ZoneInfo("Asia/Beirut")):
        refusal = dialogue.topic.reply_state().refusal()

    assert "2026-03-02 11:00 EET" in refusal


def test_history_lists_leaders_and_summary_changes_with_who_and_when(
    facilitator_client, dialogue, facilitator, clock
):
    from tests.factories import make_user

    make_user("lee")
    topic = dialogue.topic
    facilitator_client.post(
        reverse("dialogues:add_leader", args=[topic.pk]), {"username": "lee", "intro": "Lawyer"}
    )
    leader = dialogue.leaders.get()
    facilitator_client.post(reverse("dialogues:remove_leader", args=[topic.pk, leader.pk]))
    facilitator_client.post(reverse("dialogues:summary", args=[topic.pk]), {"summary": "Draft."})
    facilitator_client.post(
        reverse("dialogues:summary", args=[topic.pk]), {"summary": "Final.", "publish": "1"}
    )

    actions = list(
        ModerationLog.objects.filter(topic=topic).order_by("pk").values_list("action", "actor")
    )
    history = facilitator_client.get(reverse("dialogues:manage", args=[topic.pk])).content.decode()

    assert [action for action, _ in actions] == [
        "schedule",
        "leader_added",
        "leader_removed",
        "summary_saved",
        "summary_saved",
        "summary_published",
    ]
    assert {actor for _, actor in actions} == {facilitator.pk}
    for text in ("added conversation leader", "removed conversation leader", "published summary"):
        assert text in history
    assert history.count(facilitator.public_name) >= 6


def test_a_72_hour_dialogue_reads_the_same_days_and_hours_on_every_page(
    participant_client, facilitator_client, topic, clock
):
    make_dialogue(topic, opens_at=START, closes_at=START + timedelta(hours=72))
    clock.set(START + timedelta(minutes=6))  # 71.9 hours left

    pages = {
        "topic": participant_client.get(topic.get_absolute_url()).content.decode(),
        "manage": facilitator_client.get(
            reverse("dialogues:manage", args=[topic.pk])
        ).content.decode(),
    }

    for where, page in pages.items():
        assert "Day 1 of 3 — closes in 71 hours" in page, where
        assert "Day 1 of 4" not in page and "closes in 2 days" not in page, where
