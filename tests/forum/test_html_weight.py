"""A page of 20 replies as people write them (the benchmark's bodies: a
paragraph or two with emphasis and links, lists and quotes) is at most 35 KB
of HTML, for an anonymous reader and for a member (issue 10). The browser
test tests/browser/test_page_weight.py weighs what a page loads in all."""

import random

import pytest
from django.test import Client

from forum.management.commands.benchmark import markdown_body
from tests.factories import make_reply, make_user

HTML_BUDGET = 35_000


@pytest.fixture
def twenty_a_page(settings, topic):
    settings.FORUM_PAGE_SIZE = 20
    rng = random.Random(20)
    people = [make_user(f"writer{i}", display_name=f"Writer {i:02d}") for i in range(8)]
    parent = topic.opening_post
    for i in range(25):  # a second page: the page numbers are on the first
        parent = topic.opening_post if i % 3 == 0 else parent
        parent = make_reply(
            topic,
            parent=parent,
            author=people[i % 8],
            subject=f"Re: point {i}",
            body=markdown_body(rng),
        )
    return topic


def test_a_page_of_twenty_replies_is_at_most_35_kb(twenty_a_page, participant):
    # Threaded, as a topic opens. In time order each reply also says what it
    # answers: about 4 % more.
    url = twenty_a_page.get_absolute_url()
    member = Client()
    member.force_login(participant)
    for client in (Client(), member):
        page = client.get(url).content
        assert page.count(b"<article") == 21  # the opening post and 20 replies
        assert b'class="page-numbers"' in page
        assert len(page) <= HTML_BUDGET, len(page)
