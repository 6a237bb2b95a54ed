"""Every page's outline starts with its one h1 and never skips a level (axe
"heading-order"): screen-reader users move through a page by its headings."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from dialogues.models import ConversationLeader
from tests.factories import make_dialogue, make_reply, make_topic, make_user

pytestmark = pytest.mark.django_db


class Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.levels = []

    def handle_starttag(self, tag, attrs):
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.levels.append(int(tag[1]))


def outline(html: str) -> list[int]:
    parser = Headings()
    parser.feed(html)
    return parser.levels


def assert_outline_is_correct(client, url, data=None):
    response = client.post(url, data) if data is not None else client.get(url)
    assert response.status_code in (200, 400), (url, response.status_code)
    levels = outline(response.content.decode())
    assert levels[:1] == [1] and levels.count(1) == 1, (url, levels)
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, (url, levels)


@pytest.fixture
def busy_dialogue(topic, facilitator, participant):
    """A dialogue with a summary, a leader, a pinned post, a shared link
    and nested replies: every panel of the topic page."""
    now = timezone.now()
    dialogue = make_dialogue(
        topic, opens_at=now - timedelta(days=2), closes_at=now + timedelta(days=1)
    )
    ConversationLeader.objects.create(dialogue=dialogue, user=make_user("lead"), intro="Leads.")
    first = make_reply(topic, author=participant, subject="First", body="See https://example.org")
    make_reply(topic, parent=first, subject="Nested")
    make_reply(topic, author=facilitator, subject="Key post").pin(by=facilitator)
    dialogue.write_summary(body="What we heard.", by=facilitator)
    dialogue.publish_summary(by=facilitator)
    return topic


def test_reader_pages(client, busy_dialogue, category, participant, settings):
    settings.FORUM_PAGE_SIZE = 2
    topic = busy_dialogue
    second_page = topic.get_absolute_url() + "?page=last"
    resources = reverse("dialogues:series_resources", args=[category.slug])
    for url in (
        "/",
        category.get_absolute_url(),
        topic.get_absolute_url(),
        second_page,
        resources,
        resources + "?q=example",
        resources + "?dialogue=nonsense",  # 400, with the form's message
        reverse("dialogues:resources"),
    ):
        assert_outline_is_correct(client, url)
    client.force_login(participant)
    for url in (
        "/",
        category.get_absolute_url(),
        topic.get_absolute_url(),
        second_page,
        reverse("forum:unread"),
        participant.get_absolute_url(),
    ):
        assert_outline_is_correct(client, url)
    reply_url = reverse("forum:reply", args=[topic.opening_post_id])
    assert_outline_is_correct(client, reply_url)
    assert_outline_is_correct(client, reply_url, {"subject": "S", "body": "B", "preview": "1"})


def test_facilitator_pages(client, busy_dialogue, facilitator):
    topic = busy_dialogue
    post = topic.posts.get(subject="First")
    post.flag(by=make_user(), reason="other", text="Check this")
    client.force_login(facilitator)
    for url in (
        topic.get_absolute_url(),
        reverse("forum:topic_lock", args=[topic.pk]),
        reverse("forum:post_hide", args=[post.pk]),
        reverse("dialogues:close_early", args=[topic.pk]),
        reverse("dialogues:manage", args=[topic.pk]),
        reverse("dialogues:participation", args=[topic.pk]),
        reverse("forum:topic_log", args=[topic.pk]),
        reverse("forum:moderation_queue"),
        reverse("forum:post_edit", args=[post.pk]),
    ):
        assert_outline_is_correct(client, url)
    assert_outline_is_correct(
        client,
        reverse("forum:post_edit", args=[post.pk]),
        {"subject": "S", "body": "B", "preview": "1"},
    )
    assert_outline_is_correct(
        client,
        reverse("forum:topic_create", args=[topic.category.slug]),
        {"title": "T", "body": "B", "preview": "1"},
    )


def test_a_plain_topic_page_has_a_replies_heading_between_title_and_subjects(
    client, category, facilitator
):
    topic = make_topic(category=category, author=facilitator, title="Plain")
    make_reply(topic, subject="Only reply")
    html = client.get(topic.get_absolute_url()).content.decode()
    assert outline(html)[:3] == [1, 2, 3]
    assert '<h2 id="replies-heading" class="visually-hidden">Replies</h2>' in html
