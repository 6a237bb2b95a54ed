"""Results come 20 to a page, best first, ten pages at most."""

import re

import pytest

from search.query import MAX_PAGES, PAGE_SIZE
from tests.factories import make_reply

from .helpers import HIT, search_page

pytestmark = pytest.mark.django_db

NEXT = re.compile(r'<a rel="next" href="([^"]+)"')


def test_the_next_page_continues_where_the_first_stopped(client, topic):
    posts = [make_reply(topic, body=f"Pollinator count {i}.") for i in range(PAGE_SIZE + 5)]
    first = search_page(client, "pollinator", author="").content.decode()
    assert len(HIT.findall(first)) == PAGE_SIZE
    [next_url] = NEXT.findall(first)
    assert "page=2" in next_url and "q=pollinator" in next_url
    second = client.get("/search/" + next_url.replace("&amp;", "&")).content.decode()
    assert len(HIT.findall(second)) == 5
    assert not NEXT.findall(second)
    assert '<a rel="prev"' in second
    # Every post once, over the two pages.
    shown = HIT.findall(first) + HIT.findall(second)
    assert sorted(shown) == sorted(post.get_absolute_url() for post in posts)


def test_there_is_no_page_past_the_last_allowed(client, topic):
    make_reply(topic, body="Pollinator.")
    response = search_page(client, "pollinator", page=str(MAX_PAGES + 1))
    assert response.status_code == 400
    assert f"Results stop at page {MAX_PAGES}" in response.content.decode()
