"""Reads go to a replica, writes to the primary, and whatever must be exact
reads the primary (forum/db_router.py), with the replica a mirror of the
test database (tests/ops/conftest.py). tests/ops/test_replica.py proves the
same against a real streaming replica."""

import logging

import pytest
from django.db import OperationalError, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forum import db_router
from forum.models import Post, Topic
from tests.factories import make_reply, make_topic, make_user, verified


class Queries:
    """The queries each alias ran inside the block."""

    def __init__(self):
        self.on = {
            alias: CaptureQueriesContext(connections[alias])
            for alias in ["default", *db_router.replica_aliases()]
        }

    def __enter__(self):
        for context in self.on.values():
            context.__enter__()
        return self

    def __exit__(self, *exc_info):
        for context in self.on.values():
            context.__exit__(*exc_info)

    def count(self, alias):
        # The replica's own health check is not a read of the page.
        return sum("pg_is_in_recovery" not in q["sql"] for q in self.on[alias].captured_queries)


@pytest.fixture(autouse=True)
def memory_cache(settings):
    # The shared cache is Redis where replicas are used; the database cache
    # table is always read on the primary (db_router), which is not what
    # these tests count.
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    # Where each read of a rendered page goes; the anonymous page cache's
    # own reads are test_a_page_kept_for_anonymous_readers_is_rendered_from_the_primary's.
    settings.FORUM_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def scene(mirror, category, facilitator):
    topic = make_topic(category=category, author=facilitator, title="Where reads go")
    make_reply(topic, subject="First thoughts", body="Something said.")
    return topic


@pytest.fixture
def member(mirror):
    return verified(make_user("member", display_name="Mel Member"))


def test_an_anonymous_topic_page_reads_only_the_replica(client, scene, mirror):
    with Queries() as queries:
        response = client.get(scene.get_absolute_url())
    assert response.status_code == 200
    assert "First thoughts" in response.text
    assert queries.count(mirror) > 0
    assert queries.count("default") == 0


def test_a_page_kept_for_anonymous_readers_is_rendered_from_the_primary(
    client, scene, mirror, settings
):
    """A replica that is behind must not put an old page under the new
    generation tokens (forum/page_cache.py); once kept, the page is served
    without reading any database."""
    settings.FORUM_PAGE_CACHE_SECONDS = 600
    with Queries() as queries:
        assert "First thoughts" in client.get(scene.get_absolute_url()).text
    assert queries.count(mirror) == 0 and queries.count("default") > 0
    with Queries() as queries:
        assert "First thoughts" in client.get(scene.get_absolute_url()).text
    assert queries.count(mirror) == queries.count("default") == 0


def test_without_replicas_everything_reads_the_primary(client, scene, mirror, monkeypatch):
    monkeypatch.setattr(db_router, "replica_aliases", lambda: [])
    with Queries() as queries:
        response = client.get(scene.get_absolute_url())
    assert response.status_code == 200
    assert queries.count("default") > 0
    assert "wrote" not in response.cookies


def test_after_a_reply_its_author_reads_the_primary_and_others_the_replica(
    client, scene, member, mirror
):
    client.force_login(member)
    response = client.post(
        reverse("forum:reply", args=[scene.opening_post_id]),
        {"subject": "My answer", "body": "Said at once."},
    )
    assert response.status_code == 302
    assert Post.objects.filter(subject="My answer", author=member).exists()
    assert response.cookies["wrote"]["max-age"] == 10
    assert response.cookies["wrote"]["httponly"]

    with Queries() as queries:
        page = client.get(scene.get_absolute_url())
    assert "My answer" in page.text
    assert queries.count(mirror) == 0

    client.cookies.pop("wrote")  # the window has passed (or another device)
    with Queries() as queries:
        client.get(scene.get_absolute_url())
    assert queries.count(mirror) > 0


def test_a_forged_or_expired_cookie_does_not_pin_reads(client, scene, mirror, settings):
    client.cookies["wrote"] = "1:forged:signature"
    with Queries() as queries:
        client.get(scene.get_absolute_url())
    assert queries.count(mirror) > 0


def test_the_reply_form_and_moderation_read_the_primary(client, scene, moderator, mirror):
    client.force_login(moderator)
    client.cookies.pop("wrote", None)
    for url in [
        reverse("forum:reply", args=[scene.opening_post_id]),
        reverse("forum:moderation_queue"),
        reverse("forum:topic_log", args=[scene.pk]),
        reverse("account_email"),
    ]:
        with Queries() as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        assert queries.count(mirror) == 0, url
        assert queries.count("default") > 0, url


def test_reads_inside_a_transaction_or_use_primary_stay_on_the_primary(scene, mirror):
    with db_router.reading_replicas(), Queries() as queries:
        with transaction.atomic():
            list(Topic.objects.all())
        with db_router.use_primary():
            list(Topic.objects.all())
    assert queries.count(mirror) == 0
    with db_router.reading_replicas(), Queries() as queries:
        with transaction.atomic():
            list(Post.objects.select_for_update().filter(topic=scene))
    assert queries.count(mirror) == 0
    with db_router.reading_replicas(), Queries() as queries:
        list(Topic.objects.all())
    assert queries.count(mirror) == 1


def test_a_write_keeps_the_rest_of_its_request_on_the_primary(scene, mirror):
    with db_router.reading_replicas():
        Topic.objects.filter(pk=scene.pk).update(is_sticky=True)
        with Queries() as queries:
            assert Topic.objects.get(pk=scene.pk).is_sticky
        assert queries.count(mirror) == 0


def test_outside_a_request_reads_the_primary(scene, mirror):
    """Tasks and commands: a task sent after a commit must find its row."""
    with Queries() as queries:
        list(Topic.objects.all())
    assert queries.count(mirror) == 0


def test_the_cache_table_is_read_on_the_primary(mirror, settings):
    from django.core.cache import cache

    with db_router.reading_replicas(), Queries() as queries:
        cache.get("anything")
    assert queries.count(mirror) == 0


def test_a_replica_that_is_down_falls_back_to_the_primary(
    client, scene, mirror, monkeypatch, caplog
):
    def down(alias):
        raise OperationalError("connection refused")

    monkeypatch.setattr(db_router, "replica_lag", down)
    with caplog.at_level(logging.WARNING, "forum.db_router"), Queries() as queries:
        response = client.get(scene.get_absolute_url())
    assert "First thoughts" in response.text
    assert queries.count(mirror) == 0
    assert "Reading from the primary instead of replica_0: it does not answer" in caplog.text


def test_a_lagging_replica_falls_back_then_is_used_again(
    client, scene, mirror, monkeypatch, caplog, settings
):
    settings.FORUM_REPLICA_MAX_LAG_SECONDS = 5
    lag = {"seconds": 30.0}
    monkeypatch.setattr(db_router, "replica_lag", lambda alias: lag["seconds"])
    monkeypatch.setattr(db_router, "CHECK_EVERY", 0)
    with caplog.at_level(logging.WARNING, "forum.db_router"), Queries() as queries:
        client.get(scene.get_absolute_url())
    assert queries.count(mirror) == 0
    assert "it is 30.0 s behind (limit 5 s)" in caplog.text

    lag["seconds"] = 0.2
    with caplog.at_level(logging.WARNING, "forum.db_router"), Queries() as queries:
        client.get(scene.get_absolute_url())
    assert queries.count(mirror) > 0
    assert "Reading from replica_0 again" in caplog.text


def test_the_health_of_a_replica_is_checked_at_most_once_a_second(mirror, monkeypatch):
    checks = []
    monkeypatch.setattr(db_router, "replica_lag", lambda alias: checks.append(alias) or 0.0)
    for _ in range(5):
        assert db_router.replica_usable(mirror)
    assert checks == [mirror]


def test_replicas_are_never_migrated():
    router = db_router.ReplicaRouter()
    assert router.allow_migrate("replica_0", "forum") is False
    assert router.allow_migrate("default", "forum") is None
