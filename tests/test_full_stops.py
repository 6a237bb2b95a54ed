"""No sentence ends with a doubled full stop. English dates end "10:31 a.m."
and names may end "Amina B."; every page, banner, message and email that
ends a sentence with one must not add a second full stop."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from dialogues.models import Dialogue, Subscription
from forum.models import Topic
from tests.factories import (
    PASSWORD,
    make_admin,
    make_dialogue,
    make_facilitator,
    make_reply,
    make_topic,
    make_user,
    verified,
)

pytestmark = pytest.mark.django_db

NAME = "Amina B."
STAFF_NAME = "Sam T."
YEAR = timezone.now().year


def at_1031(days: int) -> datetime:
    """10:31 a.m. UTC, `days` from today: English formats it "10:31 a.m."."""
    today = timezone.now().astimezone(UTC).replace(hour=10, minute=31, second=0, microsecond=0)
    return today + timedelta(days=days)


def text_of(html: str) -> str:
    return " ".join(strip_tags(html).split())


def assert_no_doubled_full_stop(html: str, *expected: str) -> None:
    text = text_of(html)
    doubled = re.findall(r".{30}(?<!\.)\.\.(?!\.).{0,20}", text)
    assert not doubled, doubled
    for sentence in expected:
        assert sentence in text, sentence


@pytest.fixture
def amina(db):
    return verified(make_user("amina", display_name=NAME))


@pytest.fixture
def staff(category):
    return make_facilitator("staff", category=category, display_name=STAFF_NAME)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.TIME_ZONE = "UTC"


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_locked_topic_banner_and_reply_box(client, topic, staff, participant):
    topic.lock(by=staff, reason="Off-topic")
    Topic.objects.filter(pk=topic.pk).update(locked_at=at_1031(-1))
    client.force_login(staff)
    assert_no_doubled_full_stop(page(client, topic.get_absolute_url()), f"Locked by {STAFF_NAME} (")

    client.force_login(participant)
    assert_no_doubled_full_stop(
        page(client, topic.get_absolute_url()),
        "This topic is locked: Off-topic. You can still read everything.",
    )


def test_hidden_post_notice(client, topic, staff, amina):
    post = make_reply(topic, author=amina)
    post.hide(by=staff, reason="Personal details")
    type(post).objects.filter(pk=post.pk).update(hidden_at=at_1031(-1))
    client.force_login(amina)
    assert_no_doubled_full_stop(
        page(client, topic.get_absolute_url()), f"Hidden from others by {STAFF_NAME}"
    )


def test_closed_and_upcoming_dialogue_banners(client, topic, category, staff):
    make_dialogue(topic, opens_at=at_1031(-3), closes_at=at_1031(-1))
    upcoming = make_topic(category=category, author=staff, title="Later")
    make_dialogue(upcoming, opens_at=at_1031(3), closes_at=at_1031(5))
    for url in (topic.get_absolute_url(), upcoming.get_absolute_url(), category.get_absolute_url()):
        assert_no_doubled_full_stop(page(client, url), "a.m.")


def test_close_early_and_lock_confirmation_pages(client, topic, staff):
    make_dialogue(topic, opens_at=at_1031(-1), closes_at=at_1031(2))
    client.force_login(staff)
    assert_no_doubled_full_stop(
        page(client, reverse("dialogues:close_early", args=[topic.pk])),
        "a.m. Closing it now ends it",
    )
    assert_no_doubled_full_stop(page(client, reverse("forum:topic_lock", args=[topic.pk])))


def test_manage_page_published_summary(client, topic, staff):
    dialogue = make_dialogue(topic, opens_at=at_1031(-3), closes_at=at_1031(-1))
    dialogue.write_summary(body="What we learned.", by=staff)
    dialogue.publish_summary(by=staff, now=at_1031(-1))
    client.force_login(staff)
    assert_no_doubled_full_stop(
        page(client, reverse("dialogues:manage", args=[topic.pk])), f"{YEAR}, 10:31 a.m. "
    )
    assert Dialogue.objects.get(pk=dialogue.pk).summary_published_at == at_1031(-1)


def test_editing_someone_elses_post(client, topic, staff, amina):
    post = make_reply(topic, author=amina)
    client.force_login(staff)
    assert_no_doubled_full_stop(
        page(client, reverse("forum:post_edit", args=[post.pk])),
        f"You are editing a post by {NAME} The previous version is kept",
    )


def test_suspension_banner_and_profile(client, amina):
    amina.suspended_until = at_1031(2)
    amina.suspension_reason = "Cooling off"
    amina.save()
    client.force_login(amina)
    assert_no_doubled_full_stop(page(client, "/"), "a.m. You can read, but not post.")

    client.force_login(make_admin())
    assert_no_doubled_full_stop(page(client, amina.get_absolute_url()), "a.m. Reason:")


def test_signed_in_message(amina):
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "amina", "password": PASSWORD}, follow=True
    )
    assert_no_doubled_full_stop(response.content.decode(), f"Successfully signed in as {NAME}")


def test_emails(client, topic, category, staff, amina, django_capture_on_commit_callbacks):
    following = make_topic(category=category, author=staff, title="Next")
    make_dialogue(following, opens_at=at_1031(3), closes_at=at_1031(5))
    mine = make_reply(topic, author=staff, subject="Mine")
    Subscription.set(staff, topic, True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        make_reply(topic, parent=mine, author=amina, subject="To you")
        make_reply(topic, author=amina, subject="To all")
        # Scheduled after the replies: a closed dialogue takes none.
        dialogue = make_dialogue(topic, opens_at=at_1031(-3), closes_at=at_1031(-1))
        dialogue.write_summary(body="What we learned.", by=staff)
        dialogue.publish_summary(by=staff)

    assert len(mail.outbox) >= 3
    for message in mail.outbox:
        assert_no_doubled_full_stop(message.body)
        assert_no_doubled_full_stop(message.alternatives[0].content)
    summaries = [m for m in mail.outbox if "summary" in m.subject.lower()]
    assert summaries
    assert f"{YEAR}, 10:31 a.m. See the next dialogue" in text_of(
        summaries[0].alternatives[0].content
    )
