"""A facilitator, signed in with their second factor, pins their key post
and locks the topic from the topic page."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from forum.models import ModerationLog, Post, Topic
from tests.browser.conftest import log_in
from tests.factories import (
    PASSWORD,
    make_category,
    make_facilitator,
    make_reply,
    make_topic,
    verified,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_facilitator_pins_their_post_and_locks_the_topic(page):
    category = make_category("Practitioner dialogues")
    facilitator = verified(make_facilitator("fay", category=category, mfa=False))
    secret = generate_totp_secret()
    TOTP.activate(facilitator, secret)
    topic = make_topic(category=category, author=facilitator, title="Lessons learned")
    make_reply(topic, subject="A participant's story")
    key_post = make_reply(topic, author=facilitator, subject="Summary of day one")

    log_in(page, "fay", PASSWORD, totp_secret=secret)
    page.goto(topic.get_absolute_url())
    page.locator(f"#post-{key_post.pk}").get_by_role("button", name="Pin").click()

    assert "Summary of day one" in page.locator("[aria-labelledby=pinned-heading]").inner_text()
    assert Post.objects.get(pk=key_post.pk).pinned_at is not None

    page.get_by_label("Reason (optional)").fill("The dialogue has ended")
    page.get_by_role("button", name="Lock topic").click()

    assert "Topic locked" in page.content()
    assert "The dialogue has ended" in page.content()
    stored = Topic.objects.get(pk=topic.pk)
    assert stored.is_locked and stored.locked_by == facilitator
    assert list(ModerationLog.objects.order_by("pk").values_list("action", flat=True)) == [
        "pin",
        "lock",
    ]
