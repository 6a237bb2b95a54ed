"""Per-user read markers: "M new" and the "new" badges are exact for each user."""

import re

import pytest

from forum.models import TopicRead
from tests.factories import make_reply, make_user


def new_count(response):
    counts = response.text[response.text.index('class="counts"') :]
    return int(re.search(r"(\d+) new</(?:a|span)>", counts).group(1))


def new_badges(response):
    return len(re.findall(r'class="badge new"', response.text))


def test_everything_by_others_is_new_on_first_visit(client, topic, participant):
    make_reply(topic)
    make_reply(topic)
    client.force_login(participant)

    response = client.get(topic.get_absolute_url())

    assert new_count(response) == 3  # the opening post and two replies
    assert new_badges(response) == 2  # replies carry the badge; the opening post is the page


def test_reading_the_page_marks_it_read(client, topic, participant):
    make_reply(topic)
    client.force_login(participant)
    client.get(topic.get_absolute_url())

    response = client.get(topic.get_absolute_url())

    assert new_count(response) == 0
    assert new_badges(response) == 0


def test_own_posts_never_count_as_new(client, topic, participant):
    client.force_login(participant)
    client.get(topic.get_absolute_url())
    make_reply(topic, author=participant)

    response = client.get(topic.get_absolute_url())

    assert new_count(response) == 0
    assert "0 new" in client.get(topic.category.get_absolute_url()).text


def test_new_counts_are_separate_for_two_users(client, topic, participant, other_participant):
    client.force_login(participant)
    client.get(topic.get_absolute_url())
    make_reply(topic, author=other_participant)
    make_reply(topic, author=make_user())

    listing = client.get(topic.category.get_absolute_url()).text
    assert "2 new" in listing  # participant: both replies

    client.force_login(other_participant)
    listing = client.get(topic.category.get_absolute_url()).text
    assert "2 new" in listing  # the opening post and the third person's reply

    client.get(topic.get_absolute_url())
    assert "0 new" in client.get(topic.category.get_absolute_url()).text
    client.force_login(participant)
    assert "2 new" in client.get(topic.category.get_absolute_url()).text


def test_reading_a_later_page_first_leaves_the_earlier_pages_new(
    client, topic, participant, settings
):
    settings.FORUM_PAGE_SIZE = 2
    replies = [make_reply(topic, subject=f"R{i}") for i in range(5)]
    client.force_login(participant)

    client.get(topic.get_absolute_url() + f"?start={replies[2].pk}")  # R2, R3

    listing = client.get(topic.category.get_absolute_url()).text
    assert "4 new" in listing  # opening post, R0, R1, R4
    marker = TopicRead.objects.get(user=participant, topic=topic)
    assert sorted(marker.extra_read_ids) == [replies[2].pk, replies[3].pk]

    client.get(topic.get_absolute_url())  # opening post, R0, R1
    marker.refresh_from_db()
    assert marker.last_read_post_id == replies[3].pk  # folded: everything up to R3 read
    assert marker.extra_read_ids == []
    assert "1 new" in client.get(topic.category.get_absolute_url()).text


@pytest.mark.parametrize("visits", [1, 2])
def test_topic_list_new_count_matches_the_topic_page(client, topic, participant, visits):
    client.force_login(participant)
    for _ in range(visits):
        make_reply(topic)
        listed = client.get(topic.category.get_absolute_url()).text
        page = client.get(topic.get_absolute_url())
        assert f"{new_count(page)} new" in listed


def test_anonymous_visitors_see_no_new_counts(client, topic):
    make_reply(topic)
    assert not re.search(r"\d+ new", client.get(topic.category.get_absolute_url()).text)
    assert not re.search(r"\d+ new", client.get(topic.get_absolute_url()).text)
