"""Replying costs a fixed, small number of queries, however many people
follow the topic: their emails are built and sent by the task worker after
the commit, never in the request."""

from contextlib import contextmanager

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dialogues.models import OutgoingEmail, Subscription
from forum.models import Post
from tests.factories import make_reply, make_user, verified

REPLY_BUDGET = 12
# The test's own transaction turns the reply's BEGIN and COMMIT (which Django
# does not log) into SAVEPOINT and RELEASE statements (which it does): they
# are not counted, as the request's own transaction would not be.
TRANSACTION = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@contextmanager
def at_most_queries(n):
    with CaptureQueriesContext(connection) as captured:
        yield
    queries = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(TRANSACTION)]
    assert len(queries) <= n, "\n".join([f"{len(queries)} queries:", *queries])


LOCMEM = "django.core.cache.backends.locmem.LocMemCache"


@pytest.fixture(autouse=True)
def memory_cache(settings):
    # Limits and form tokens live in the shared cache (Redis in production):
    # what is counted here are the database's queries.
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": LOCMEM}}


@pytest.fixture
def followed_topic(topic):
    followers = [make_user() for _ in range(49)]
    Subscription.objects.bulk_create([Subscription(user=u, topic=topic) for u in followers])
    make_reply(topic, author=followers[0], body="Earlier reply.")
    return topic


def test_a_reply_to_a_topic_with_49_followers_costs_at_most_12_queries(
    client, followed_topic, django_capture_on_commit_callbacks
):
    replier = verified(make_user("replier"))
    client.force_login(replier)
    client.get(followed_topic.get_absolute_url())  # a session, as a reader has
    url = reverse("forum:reply", args=[followed_topic.opening_post_id])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        with at_most_queries(REPLY_BUDGET):
            response = client.post(url, {"subject": "Re: it", "body": "My **reply**."})
    assert response.status_code == 302
    assert Post.objects.filter(author=replier, body="My **reply**.").exists()
    # Nothing was built in the request: the emails are the worker's job.
    assert OutgoingEmail.objects.count() == 0 and mail.outbox == []
    assert queued  # notify_new_post, enqueued after the commit
    for callback in queued:
        callback()
    assert OutgoingEmail.objects.filter(to__endswith="@example.org").count() >= 49


def test_the_reply_subscribes_the_replier_in_the_same_statement_budget(client, followed_topic):
    replier = verified(make_user("replier"))
    Subscription.objects.create(user=replier, topic=followed_topic, is_subscribed=False)
    client.force_login(replier)
    url = reverse("forum:reply", args=[followed_topic.opening_post_id])
    with at_most_queries(REPLY_BUDGET):
        client.post(url, {"subject": "Re: it", "body": "Another reply."})
    # An explicit "unsubscribe" outlives posting again.
    assert not Subscription.objects.get(user=replier, topic=followed_topic).is_subscribed
