"""A facilitator, signed in with their second factor, uses the tools that
change what everyone sees: each goes through a confirmation page, and a
participant in another browser sees the result."""

from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from forum.models import ModerationLog, Post, Topic
from tests.browser.conftest import log_in
from tests.factories import (
    PASSWORD,
    make_category,
    make_dialogue,
    make_facilitator,
    make_reply,
    make_topic,
    make_user,
    verified,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setting():
    category = make_category("Practitioner dialogues", is_series=True)
    facilitator = verified(make_facilitator("fay", category=category, mfa=False))
    secret = generate_totp_secret()
    TOTP.activate(facilitator, secret)
    verified(make_user("pat", display_name="Pat"))
    topic = make_topic(category=category, author=facilitator, title="Lessons learned")
    return category, facilitator, secret, topic


def test_facilitator_pins_a_post_then_locks_the_topic_with_a_reason(setting, new_page):
    category, facilitator, secret, topic = setting
    make_reply(topic, subject="A participant's story")
    key_post = make_reply(topic, author=facilitator, subject="Summary of day one")
    page = new_page()
    log_in(page, "fay", PASSWORD, totp_secret=secret)
    page.goto(topic.get_absolute_url())

    page.locator(f"#post-{key_post.pk}").get_by_role("button", name="Pin").click()
    assert "Summary of day one" in page.locator("[aria-labelledby=pinned-heading]").inner_text()
    assert "pinned at the top" in page.locator(f"#post-{key_post.pk} .messages").inner_text()

    page.get_by_role("link", name="Lock topic…").click()
    assert "What participants will see" in page.content()
    assert not Topic.objects.get(pk=topic.pk).is_locked  # nothing happened yet
    page.get_by_label("Reason (optional)").fill("The dialogue has ended")
    page.get_by_role("button", name="Lock the topic").click()

    stored = Topic.objects.get(pk=topic.pk)
    assert stored.is_locked and stored.locked_by == facilitator
    assert list(ModerationLog.objects.order_by("pk").values_list("action", flat=True)) == [
        "pin",
        "lock",
    ]
    participant = new_page()
    log_in(participant, "pat", PASSWORD)
    participant.goto(topic.get_absolute_url())
    banner = participant.locator(".state-banner").inner_text()
    assert "Topic locked" in banner and "The dialogue has ended" in banner
    assert participant.get_by_role("button", name="Post reply").count() == 0


def test_facilitator_closes_a_dialogue_early_and_every_list_says_closed(setting, new_page):
    category, facilitator, secret, topic = setting
    now = timezone.now()
    make_dialogue(topic, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=2))
    page = new_page()
    log_in(page, "fay", PASSWORD, totp_secret=secret)
    page.goto(topic.get_absolute_url())

    page.get_by_role("link", name="Manage dialogue").click()
    page.get_by_role("link", name="Close the dialogue early…").click()
    assert "What participants will see" in page.content()
    page.get_by_label("Why is it closing early? (optional)").fill("We covered everything")
    page.get_by_role("button", name="Close the dialogue now").click()

    assert Topic.objects.get(pk=topic.pk).reply_state().is_closed
    participant = new_page()
    log_in(participant, "pat", PASSWORD)
    participant.goto(topic.get_absolute_url())
    assert "this dialogue closed on" in participant.locator(".dialogue-banner").inner_text()
    participant.goto("/")
    row = participant.locator("tr", has_text="Lessons learned")
    assert "Closed" in row.inner_text() and "Open now" not in row.inner_text()
    participant.goto(category.get_absolute_url())
    assert "Closed" in participant.locator(".topics tr", has_text="Lessons learned").inner_text()
    series = participant.locator(".series")
    assert "Past dialogues" in series.inner_text() and "Open now" not in series.inner_text()
    assert "Closed" in series.locator("li", has_text="Lessons learned").inner_text()


def test_facilitator_hides_a_post_through_the_confirmation_page(setting, new_page):
    category, facilitator, secret, topic = setting
    post = make_reply(topic, subject="Home address of a witness", body="Lives at 12 Elm Street.")
    page = new_page()
    log_in(page, "fay", PASSWORD, totp_secret=secret)
    page.goto(topic.get_absolute_url())

    page.locator(f"#post-{post.pk}").get_by_role("link", name="Hide…").click()
    assert "Removed post" in page.locator(".participants-see").inner_text()
    assert not Post.objects.get(pk=post.pk).is_hidden
    page.get_by_label("Reason (optional)").fill("Personal details")
    page.get_by_role("button", name="Hide the post").click()

    assert "The post is hidden." in page.locator(f"#post-{post.pk} .messages").inner_text()
    assert Post.objects.get(pk=post.pk).hidden_reason == "Personal details"
    participant = new_page()
    log_in(participant, "pat", PASSWORD)
    participant.goto(topic.get_absolute_url())
    shown = participant.locator(f"#post-{post.pk}").inner_text()
    assert "This post was removed by a moderator." in shown
    assert "Home address" not in participant.content()
    assert "Elm Street" not in participant.content()
