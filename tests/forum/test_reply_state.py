"""Topic.reply_state(): the one answer to "does this topic take replies,
and why not", at any moment of a dialogue's life."""

from datetime import UTC, datetime, timedelta

import pytest

from forum.models import ModerationLog
from forum.schedule import Status, closes_in
from tests.factories import make_topic

OPENS = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CLOSES = OPENS + timedelta(days=5)


@pytest.fixture
def dialogue_topic(topic):
    topic.schedule(opens_at=OPENS, closes_at=CLOSES, by=topic.author, now=OPENS)
    return topic


def test_an_ordinary_topic_is_open_and_not_a_dialogue(topic):
    state = topic.reply_state()

    assert state.status == Status.OPEN and state.takes_replies
    assert not state.is_scheduled and state.refusal() == ""


@pytest.mark.parametrize(
    ("when", "status"),
    [
        (OPENS - timedelta(seconds=1), Status.UPCOMING),
        (OPENS, Status.OPEN),
        (CLOSES - timedelta(seconds=1), Status.OPEN),
        (CLOSES, Status.CLOSED),
        (CLOSES + timedelta(days=30), Status.CLOSED),
    ],
    ids=["before-opening", "at-opening", "last-second", "at-closing", "long-after"],
)
def test_a_dialogue_follows_its_clock(dialogue_topic, when, status):
    state = dialogue_topic.reply_state(when)

    assert state.status == status
    assert state.takes_replies is (status == Status.OPEN)


@pytest.mark.parametrize(
    "when",
    [OPENS - timedelta(days=1), OPENS + timedelta(days=1), CLOSES + timedelta(days=1)],
    ids=["upcoming", "open", "closed"],
)
def test_a_lock_by_a_person_wins_over_the_schedule(dialogue_topic, facilitator, when):
    dialogue_topic.lock(by=facilitator, reason="Calm down, please")

    state = dialogue_topic.reply_state(when)

    assert state.status == Status.LOCKED and not state.takes_replies
    assert state.locked_by == facilitator and state.lock_reason == "Calm down, please"
    assert state.refusal() == "This topic is locked: Calm down, please"


def test_unlocking_gives_the_schedule_back(dialogue_topic, facilitator):
    dialogue_topic.lock(by=facilitator)
    dialogue_topic.unlock(by=facilitator)

    assert dialogue_topic.reply_state(OPENS + timedelta(days=1)).is_open
    assert dialogue_topic.state.lock_reason == ""


def test_the_cached_state_follows_a_lock_on_the_same_object(topic, facilitator):
    assert topic.state.is_open

    topic.lock(by=facilitator)

    assert topic.state.is_locked


def test_every_refusal_says_why(dialogue_topic):
    upcoming = dialogue_topic.reply_state(OPENS - timedelta(hours=1)).refusal()
    closed = dialogue_topic.reply_state(CLOSES).refusal()

    assert upcoming == "This dialogue has not opened yet: replies open on 2026-03-02 09:00 UTC."
    assert closed == "This dialogue closed on 2026-03-07 09:00 UTC: no new replies can be posted."


@pytest.mark.parametrize(
    ("length", "days"),
    [
        (timedelta(hours=5), 1),
        (timedelta(days=3), 3),
        (timedelta(days=3, minutes=30), 3),
        (timedelta(days=3, hours=2), 4),
        (timedelta(days=5), 5),
    ],
)
def test_day_count_ignores_a_last_day_of_under_two_hours(topic, length, days):
    topic.schedule(opens_at=OPENS, closes_at=OPENS + length, by=topic.author, now=OPENS)

    assert topic.reply_state(OPENS).day_count == days


def test_day_number_counts_from_the_opening_and_stops_at_the_last_day(topic):
    topic.schedule(
        opens_at=OPENS, closes_at=OPENS + timedelta(days=3, minutes=30), by=topic.author, now=OPENS
    )

    assert topic.reply_state(OPENS).day_number == 1
    assert topic.reply_state(OPENS + timedelta(days=2, hours=23)).day_number == 3
    assert topic.reply_state(OPENS + timedelta(days=3, minutes=10)).day_number == 3


@pytest.mark.parametrize(
    ("left", "text"),
    [
        (timedelta(days=4, hours=23), "closes in 4 days"),
        (timedelta(hours=72), "closes in 3 days"),
        (timedelta(hours=71, minutes=54), "closes in 71 hours"),
        (timedelta(hours=1), "closes in 1 hour"),
        (timedelta(minutes=59, seconds=1), "closes in 60 minutes"),
        (timedelta(seconds=5), "closes in 1 minute"),
    ],
)
def test_time_left_reads_in_hours_below_three_days(left, text):
    assert closes_in(left) == text


def test_scheduling_logs_what_it_did(topic, facilitator):
    outcomes = [
        topic.schedule(opens_at=OPENS, closes_at=CLOSES, by=facilitator, now=OPENS),
        topic.schedule(
            opens_at=OPENS, closes_at=CLOSES + timedelta(days=1), by=facilitator, now=OPENS
        ),
        topic.schedule(
            opens_at=OPENS + timedelta(hours=1), closes_at=CLOSES, by=facilitator, now=OPENS
        ),
        topic.schedule(
            opens_at=OPENS,
            closes_at=CLOSES + timedelta(days=9),
            by=facilitator,
            now=CLOSES + timedelta(days=1),
        ),
    ]

    actions = list(ModerationLog.objects.for_topic(topic).values_list("action", flat=True))
    assert outcomes == ["scheduled", "extended", "rescheduled", "reopened"]
    assert sorted(actions) == sorted(["schedule", "extend", "reschedule", "reopen"])


def test_a_schedule_must_close_after_it_opens(topic, facilitator):
    with pytest.raises(ValueError):
        topic.schedule(opens_at=OPENS, closes_at=OPENS, by=facilitator)


def test_only_an_open_dialogue_can_be_closed_early(dialogue_topic, facilitator):
    plain = make_topic()

    with pytest.raises(ValueError):
        dialogue_topic.close_early(by=facilitator, now=OPENS - timedelta(days=1))
    with pytest.raises(ValueError):
        plain.close_early(by=facilitator)
    dialogue_topic.close_early(by=facilitator, reason="Done", now=OPENS + timedelta(days=1))

    assert dialogue_topic.reply_state(OPENS + timedelta(days=1, seconds=1)).is_closed
