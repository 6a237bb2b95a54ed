"""Finding the conversation: "N new" leads to the first unread post on
whichever page it is, new posts stand out, the Unread page lists every topic
with new posts, and "Mark read" catches up, each at a bounded query cost."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forum.models import Topic, TopicRead
from tests.factories import make_reply, make_topic, make_user


def unread_link(html: str, topic) -> str:
    url = reverse("forum:topic_unread", args=[topic.pk])
    assert f'href="{url}"' in html
    return url


def topic_rows(html: str) -> list[str]:
    return re.findall(
        r'<th scope="row" class="topic-title">.*?<a href="[^"]+" dir="auto">([^<]+)</a>', html, re.S
    )


def test_new_in_a_topic_list_leads_to_the_first_unread_post_on_its_page(
    client, topic, participant, settings
):
    settings.FORUM_PAGE_SIZE = 2
    replies = [make_reply(topic, subject=f"R{i}") for i in range(5)]
    client.force_login(participant)
    client.get(topic.get_absolute_url())  # the opening post, R0 and R1 are read
    client.get(topic.get_absolute_url() + f"?start={replies[4].pk}")  # and R4

    listing = client.get(topic.category.get_absolute_url()).content.decode()
    assert "2 new" in listing
    response = client.get(unread_link(listing, topic))

    assert response.status_code == 302
    assert (
        response["Location"]
        == f"{topic.get_absolute_url()}?start={replies[2].pk}#post-{replies[2].pk}"
    )
    page = client.get(response["Location"]).content.decode()
    assert f'id="post-{replies[2].pk}"' in page


def test_new_on_the_topic_page_links_to_the_first_new_post_shown(client, topic, participant):
    make_reply(topic, subject="Seen")
    client.force_login(participant)
    client.get(topic.get_absolute_url())
    fresh = make_reply(topic, subject="Fresh")

    page = client.get(topic.get_absolute_url()).content.decode()

    counts = page[page.index('class="counts"') :]
    assert f'<a class="new" href="#post-{fresh.pk}">1 new</a>' in counts
    # The new post stands out; the one read before does not.
    assert re.search(rf'class="post [^"]*is-new[^"]*" id="post-{fresh.pk}"', page)
    assert page.count("is-new") == 1


def test_nothing_unread_takes_the_member_to_the_topic(client, topic, participant):
    client.force_login(participant)
    client.get(topic.get_absolute_url())
    response = client.get(reverse("forum:topic_unread", args=[topic.pk]), follow=True)
    assert response.redirect_chain[0][0] == topic.get_absolute_url()
    assert "You have read every post in this topic." in response.content.decode()


def test_unread_needs_a_login(client, topic):
    for url in (reverse("forum:unread"), reverse("forum:topic_unread", args=[topic.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unread_page_lists_topics_with_new_posts_latest_first(
    client, category, facilitator, participant
):
    read, older, newer = (
        make_topic(category=category, author=facilitator, title=title)
        for title in ("All read", "Older news", "Newer news")
    )
    client.force_login(participant)
    TopicRead.catch_up(participant, Topic.objects.all())
    make_reply(older, subject="News 1")
    make_reply(newer, subject="News 2")
    make_reply(read, author=participant, subject="My own post is not news")

    html = client.get(reverse("forum:unread")).content.decode()

    assert topic_rows(html) == ["Newer news", "Older news"]
    assert "1 new" in html
    assert reverse("forum:unread") in client.get("/").content.decode()  # in the header


def test_unread_page_is_paginated(client, category, facilitator, participant, monkeypatch):
    monkeypatch.setattr("forum.views.TOPICS_PER_PAGE", 2)
    for i in range(5):
        make_topic(category=category, author=facilitator, title=f"T{i}")
    client.force_login(participant)

    first = client.get(reverse("forum:unread")).content.decode()
    last = client.get(reverse("forum:unread") + "?page=3").content.decode()

    assert topic_rows(first) == ["T4", "T3"] and "Page 1 of 3" in first
    assert topic_rows(last) == ["T0"]


def test_mark_all_read_empties_the_unread_page_and_resets_every_marker(
    client, category, facilitator, participant, settings
):
    settings.FORUM_PAGE_SIZE = 1
    topics = [make_topic(category=category, author=facilitator, title=f"T{i}") for i in range(3)]
    replies = [make_reply(topics[0], subject=f"R{i}") for i in range(3)]
    client.force_login(participant)
    client.get(topics[0].get_absolute_url() + f"?start={replies[2].pk}")  # an extra read
    assert TopicRead.objects.get(user=participant, topic=topics[0]).extra_read_ids

    response = client.post(reverse("forum:mark_all_read"), follow=True)

    assert "Every topic is marked read." in response.content.decode()
    assert "You have read everything." in response.content.decode()
    for topic in topics:
        marker = TopicRead.objects.get(user=participant, topic=topic)
        assert marker.last_read_post_id == topic.posts.order_by("-pk").first().pk
        assert marker.extra_read_ids == [] and marker.extra_read_count == 0
    later = make_reply(topics[1], subject="Later")
    html = client.get(reverse("forum:unread")).content.decode()
    assert topic_rows(html) == ["T1"]
    assert client.get(reverse("forum:topic_unread", args=[topics[1].pk]))["Location"].endswith(
        f"#post-{later.pk}"
    )


def test_mark_all_read_needs_a_post(client, participant):
    client.force_login(participant)
    assert client.get(reverse("forum:mark_all_read")).status_code == 405


def test_mark_one_topic_read(client, category, facilitator, participant):
    topic, other = (make_topic(category=category, author=facilitator) for _ in range(2))
    make_reply(topic)
    client.force_login(participant)
    page = client.get(topic.get_absolute_url()).content.decode()  # the first page is read
    assert reverse("forum:topic_mark_read", args=[topic.pk]) in page

    response = client.post(reverse("forum:topic_mark_read", args=[topic.pk]), follow=True)

    assert "Every post in this topic is marked read." in response.content.decode()
    assert topic_rows(client.get(reverse("forum:unread")).content.decode()) == [other.title]


def queries(client, method, url):
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url)
    assert response.status_code in (200, 302)
    return len(captured)


@pytest.fixture
def forum_of(category, facilitator):
    def make(n):
        people = [make_user() for _ in range(3)]
        for i in range(n):
            topic = make_topic(category=category, author=facilitator, title=f"Topic {i}")
            for person in people:
                make_reply(topic, author=person)

    return make


UNREAD_PAGE_BUDGET = 6  # session, user, count, page, the summaries tag
MARK_ALL_READ_BUDGET = 5  # session, user, the latest posts, one upsert
FIRST_UNREAD_BUDGET = 6  # session, user, topic, marker, first unread, its page


def test_unread_page_and_mark_all_read_cost_the_same_for_3_or_30_topics(
    client, participant, forum_of
):
    client.force_login(participant)
    forum_of(3)
    few = queries(client, "get", reverse("forum:unread"))
    few_marked = queries(client, "post", reverse("forum:mark_all_read"))
    forum_of(27)
    many = queries(client, "get", reverse("forum:unread"))
    many_marked = queries(client, "post", reverse("forum:mark_all_read"))

    assert few == many <= UNREAD_PAGE_BUDGET
    assert few_marked == many_marked <= MARK_ALL_READ_BUDGET
    assert not Topic.objects.unread_by(participant).exists()


def test_first_unread_redirect_costs_the_same_in_a_short_or_long_topic(
    client, category, facilitator, participant, settings
):
    settings.FORUM_PAGE_SIZE = 10
    short, long = (make_topic(category=category, author=facilitator) for _ in range(2))
    for topic, n in ((short, 15), (long, 60)):
        for _ in range(n):
            make_reply(topic)
    client.force_login(participant)
    for topic in (short, long):
        client.get(topic.get_absolute_url())

    counts = [
        queries(client, "get", reverse("forum:topic_unread", args=[t.pk])) for t in (short, long)
    ]

    assert counts[0] == counts[1] <= FIRST_UNREAD_BUDGET
