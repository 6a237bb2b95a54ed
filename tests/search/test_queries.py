"""The results page costs the same number of queries however many posts
match: one for the page of results (on PostgreSQL one more, which parses
the words: search.backends.postgres.lexemes), one each for the choices of
the series and dialogue filters."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_reply, make_topic, make_user

from .helpers import hit_urls, on_postgres

pytestmark = pytest.mark.django_db

# Anonymous: the results, the series choices, the dialogue choices.
ANONYMOUS = 4 if on_postgres else 3


def queries_for(client, q="lichen", **filters):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", {"q": q, **filters})
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def many(category):
    def make(n):
        for i in range(n):
            topic = make_topic(category=category, title=f"Lichen walk {i}")
            make_reply(topic, author=make_user(), body=f"Lichen on stone number {i}.")

    return make


def test_anonymous_budget_is_constant(client, many, django_assert_num_queries):
    many(1)
    assert queries_for(client) == ANONYMOUS
    many(12)
    assert len(hit_urls(client, "lichen")) == 20  # a full page, from 13 topics
    with django_assert_num_queries(ANONYMOUS):
        client.get("/search/", {"q": "lichen"})


def test_member_budget_is_constant(client, many, participant):
    client.force_login(participant)
    many(1)
    few = queries_for(client)
    many(12)
    assert queries_for(client) == few
    assert queries_for(client, "lichen stone") == few
    filtered = queries_for(client, "lichen", only_leaders="on", since="2020-01-01")
    many(5)
    assert queries_for(client, "lichen", only_leaders="on", since="2020-01-01") == filtered
