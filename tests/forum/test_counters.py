"""Denormalised counters on the topic stay exact."""

from forum.models import Topic
from tests.factories import make_reply, make_user


def test_a_new_topic_counts_its_opening_post(topic):
    topic.refresh_from_db()
    assert topic.post_count == 1
    assert topic.last_post == topic.opening_post


def test_each_reply_increments_post_count_and_becomes_the_last_post(topic):
    author = make_user(display_name="Rosa")
    make_reply(topic)
    reply = make_reply(topic, author=author)

    stored = Topic.objects.get(pk=topic.pk)
    assert stored.post_count == 3 == stored.posts.count()
    assert stored.last_post == reply
    assert stored.last_post_at == reply.created_at


def test_category_page_shows_post_count_and_last_post_author(client, topic):
    make_reply(topic, author=make_user(display_name="Rosa Replier"))

    response = client.get(topic.category.get_absolute_url())

    assert "2 posts" in response.text
    assert "by <bdi>Rosa Replier</bdi>" in response.text
