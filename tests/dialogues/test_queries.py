"""The dialogue additions cost at most three queries on the topic page
(the dialogue, its leaders, its resources), and none per post or per topic
in lists."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dialogues.models import ConversationLeader, Subscription
from forum.models import Topic
from tests.conftest import clear_local_cache
from tests.factories import make_dialogue, make_reply, make_user
from tests.forum.test_queries import ANONYMOUS_BUDGET, LOGGED_IN_BUDGET

from .conftest import START

# The budgets of rendering the page (a cached page costs none).
pytestmark = pytest.mark.usefixtures("rendered_every_time")


def count_queries(client, url):
    # Cold: the page's posts not yet remembered by this process (another
    # reader's visit at the same version would have left them).
    clear_local_cache()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def add_posts(topic, n, leader):
    for i in range(n):
        author = leader if i % 2 else make_user()
        make_reply(topic, author=author, body=f"See https://example.org/{i % 3} and more.")


def test_dialogue_topic_page_costs_three_queries_more_than_a_plain_topic_whatever_its_length(
    participant, category, facilitator, clock
):
    plain = Topic.start(category=category, author=facilitator, title="Plain", body="x")
    dialogue_topic = Topic.start(category=category, author=facilitator, title="Dialogue", body="x")
    dialogue = make_dialogue(dialogue_topic, opens_at=START, closes_at=START.replace(day=9))
    leader = make_user("leader")
    ConversationLeader.objects.create(dialogue=dialogue, user=leader)
    ConversationLeader.objects.create(dialogue=dialogue, user=make_user())
    Subscription.set(participant, dialogue_topic, True)
    add_posts(plain, 3, leader)
    add_posts(dialogue_topic, 3, leader)
    anonymous, member = Client(), Client()
    member.force_login(participant)

    counts = {}
    for name, client in (("anonymous", anonymous), ("member", member)):
        counts[name, "plain"] = count_queries(client, plain.get_absolute_url())
        counts[name, "short"] = count_queries(client, dialogue_topic.get_absolute_url())
        add_posts(dialogue_topic, 12, leader)
        counts[name, "long"] = count_queries(client, dialogue_topic.get_absolute_url())

    for name in ("anonymous", "member"):
        assert counts[name, "short"] == counts[name, "long"]
        assert counts[name, "short"] <= counts[name, "plain"] + 3
    # The anonymous page stays within the topic page's budget
    # (tests/forum/test_queries.py); a member's, within two more.
    assert counts["anonymous", "long"] <= ANONYMOUS_BUDGET
    assert counts["member", "long"] <= LOGGED_IN_BUDGET + 2


def test_a_dialogues_panels_are_read_once_per_topic_version(
    participant, other_participant, category, facilitator, clock
):
    """Another reader at the same version pays nothing for them; a change
    to the dialogue (here a new leader) is read at once."""
    plain = Topic.start(category=category, author=facilitator, title="Plain", body="x")
    dialogue_topic = Topic.start(category=category, author=facilitator, title="Dialogue", body="x")
    dialogue = make_dialogue(dialogue_topic, opens_at=START, closes_at=START.replace(day=9))
    dialogue.add_leader(user=make_user("leader", display_name="Lee Leader"), by=facilitator)
    first, second = Client(), Client()
    first.force_login(participant)
    second.force_login(other_participant)
    for topic in (plain, dialogue_topic):
        first.get(topic.get_absolute_url())

    def again(topic):
        with CaptureQueriesContext(connection) as queries:
            page = second.get(topic.get_absolute_url()).content.decode()
        return len(queries), page

    assert again(dialogue_topic)[0] == again(plain)[0]
    dialogue.add_leader(user=make_user("nadia", display_name="Nadia K."), by=facilitator)
    _, page = again(dialogue_topic)
    assert "Nadia K." in page and "Lee Leader" in page


def test_category_page_of_a_series_has_constant_queries(client, category, facilitator, clock):
    def add_dialogue(n):
        topic = Topic.start(category=category, author=facilitator, title=f"D{n}", body="x")
        make_dialogue(topic, opens_at=START, closes_at=START.replace(day=9))

    add_dialogue(1)
    few = count_queries(client, category.get_absolute_url())
    for n in range(2, 8):
        add_dialogue(n)
    many = count_queries(client, category.get_absolute_url())

    assert few == many
