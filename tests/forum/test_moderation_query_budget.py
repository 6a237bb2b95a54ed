"""The topic page costs a constant number of queries with moderation on it:
pinned block, hidden posts, controls for staff, whatever the thread length."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_reply

# The budgets of rendering the page (a cached page costs none).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rendered_every_time")]

ANONYMOUS_BUDGET, LOGGED_IN_BUDGET = 6, 9


def grow(topic, facilitator, replies):
    posts = [make_reply(topic) for _ in range(replies)]
    posts[0].pin(by=facilitator)
    posts[-1].pin(by=facilitator)
    posts[1].hide(by=facilitator)
    posts[1].flag  # noqa: B018  (flags do not show on the page)
    return posts


def count_queries(client, topic):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(topic.get_absolute_url())
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["anonymous", "participant", "facilitator", "moderator"])
def test_topic_page_query_count_is_constant_and_within_budget(
    client, request, topic, facilitator, role
):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    grow(topic, facilitator, 3)
    short = count_queries(client, topic)
    count_queries(client, topic)  # the read marker now exists
    grow(topic, facilitator, 30)
    long = count_queries(client, topic)
    budget = ANONYMOUS_BUDGET if role == "anonymous" else LOGGED_IN_BUDGET
    print(f"{role}: {short} then {long} queries")
    assert long <= budget
    assert long <= short
