"""Fixtures shared by the topic page's tests (pagination, reading modes)."""

import re

import pytest

from tests.factories import make_reply


@pytest.fixture
def small_pages(settings):
    settings.FORUM_PAGE_SIZE = 3


@pytest.fixture
def threaded_topic(topic):
    # Posted in this order: A, B, A1, C, B1, A2, D.
    # Tree order:           A, A1, A2, B, B1, C, D.
    a = make_reply(topic, subject="A")
    b = make_reply(topic, subject="B")
    make_reply(topic, parent=a, subject="A1")
    make_reply(topic, subject="C")
    make_reply(topic, parent=b, subject="B1")
    make_reply(topic, parent=a, subject="A2")
    make_reply(topic, subject="D")
    return topic


def shown_subjects(response):
    """The replies' subjects, in the order the page shows them."""
    return re.findall(r'class="post-subject"[^>]*><a [^>]*>([^<]+)</a>', response.text)
