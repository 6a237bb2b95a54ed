"""Anonymous readers get home, category and topic pages from the shared
cache, and every change to what a page shows makes a fresh one at once
(forum/page_cache.py)."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from forum import generations, page_cache
from tests.factories import make_dialogue, make_reply, make_topic

from . import page_cache_urls

LOCMEM = "django.core.cache.backends.locmem.LocMemCache"


@pytest.fixture(autouse=True)
def memory_cache(settings):
    # Queries counted are the database's own: the entries live elsewhere
    # (Redis in production).
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": LOCMEM}}
    settings.FORUM_PAGE_CACHE_SECONDS = 600


def page(url, **headers):
    """What a new anonymous reader gets: no cookies at all."""
    response = Client().get(url, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def stored_pages():
    from django.core.cache import cache

    return [key for key in cache._cache if page_cache.KEY_PREFIX in key]


def test_a_cached_page_costs_no_query_and_is_the_same_page(topic, reply, django_assert_num_queries):
    for url in ("/", topic.category.get_absolute_url(), topic.get_absolute_url()):
        first = page(url)
        # The entry and its generation tokens are both in the cache.
        with django_assert_num_queries(0):
            again = page(url)
        assert again == first
    assert "Original text." in page(topic.get_absolute_url())
    assert len(stored_pages()) == 3


def test_modes_and_pages_of_a_topic_are_cached_apart(topic, reply):
    url = topic.get_absolute_url()
    page(url)
    page(f"{url}?page=last")
    page(f"{url}?view=flat")
    assert len(stored_pages()) == 3


def test_made_up_query_parameters_are_rendered_but_not_stored(topic):
    url = topic.get_absolute_url()
    for n in range(3):
        assert "What have you learned?" in page(f"{url}?utm_source={n}")
    assert stored_pages() == []


def test_a_members_page_is_never_stored_nor_served_from_the_cache(client, topic, participant):
    url = topic.get_absolute_url()
    anonymous = page(url)
    client.force_login(participant)
    mine = client.get(url).content.decode()
    assert "Pat Participant" in mine and "Log out" in mine
    assert mine != anonymous
    assert len(stored_pages()) == 1  # the anonymous one only
    assert "Pat Participant" not in page(url)
    assert "csrfmiddlewaretoken" not in page(url)
    assert "no-store" in client.get(url)["Cache-Control"]


def test_a_page_with_a_message_is_neither_served_from_nor_put_in_the_cache(
    client, topic, participant
):
    url = topic.get_absolute_url()
    page(url)
    client.force_login(participant)
    client.post("/accounts/logout/")  # "You have signed out." waits in a cookie
    with_message = client.get(url).content.decode()
    assert "signed out" in with_message
    assert "signed out" not in page(url)
    assert len(stored_pages()) == 1


@pytest.mark.urls("tests.forum.page_cache_urls")
def test_a_page_that_asks_for_a_csrf_token_is_never_stored(db):
    page_cache_urls.calls.clear()
    first, second = Client().get("/form/"), Client().get("/form/")
    assert len(page_cache_urls.calls) == 2
    assert first.content != second.content  # each reader has their own token
    assert stored_pages() == []


def test_conditional_requests_get_304_until_the_page_changes(topic, reply):
    url = topic.get_absolute_url()
    first = Client().get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert Client().get(url, headers={"if-none-match": etag}).status_code == 304
    assert Client().get(url, headers={"if-modified-since": modified}).status_code == 304
    make_reply(topic, subject="Something new")
    fresh = Client().get(url, headers={"if-none-match": etag})
    assert fresh.status_code == 200 and fresh["ETag"] != etag
    assert "Something new" in fresh.content.decode()


# -- every change a page shows makes a new entry --------------------------------


def seen_before_and_after(url, change):
    before = page(url)
    assert page(url) == before  # from the cache
    change()
    return before, page(url)


def test_a_reply_shows_at_once_on_the_topic_category_and_home_pages(topic, reply):
    for url in ("/", topic.category.get_absolute_url(), topic.get_absolute_url()):
        page(url)
    make_reply(topic, subject="A fresh reply", body="Fresh words.")
    assert "Fresh words." in page(topic.get_absolute_url())
    assert "4 posts" not in page("/") and "3 posts" in page("/")
    assert "3 posts" in page(topic.category.get_absolute_url())


def test_an_edit_shows_at_once(topic, reply, post_author):
    before, after = seen_before_and_after(
        topic.get_absolute_url(),
        lambda: reply.edit(by=post_author, subject=reply.subject, body="Edited text."),
    )
    assert "Original text." in before
    assert "Edited text." in after and "Original text." not in after


def test_hiding_and_restoring_show_at_once(topic, reply, moderator):
    before, hidden = seen_before_and_after(
        topic.get_absolute_url(), lambda: reply.hide(by=moderator, reason="off topic")
    )
    assert "Original text." in before and "Original text." not in hidden
    _, restored = seen_before_and_after(
        topic.get_absolute_url(), lambda: reply.restore(by=moderator)
    )
    assert "Original text." in restored


def test_pinning_shows_at_once(topic, reply, facilitator):
    before, after = seen_before_and_after(
        topic.get_absolute_url(), lambda: reply.pin(by=facilitator)
    )
    assert "pinned-heading" not in before and "pinned-heading" in after
    _, unpinned = seen_before_and_after(
        topic.get_absolute_url(), lambda: reply.unpin(by=facilitator)
    )
    assert "pinned-heading" not in unpinned


def test_locking_and_unlocking_show_at_once(topic, facilitator):
    before, locked = seen_before_and_after(
        topic.get_absolute_url(), lambda: topic.lock(by=facilitator, reason="Done.")
    )
    assert "Topic locked" not in before and "Topic locked" in locked
    _, unlocked = seen_before_and_after(
        topic.get_absolute_url(), lambda: topic.unlock(by=facilitator)
    )
    assert "Topic locked" not in unlocked


def test_making_a_topic_sticky_reorders_the_category_at_once(topic, category, facilitator):
    newer = make_topic(category=category, author=facilitator, title="A newer topic")
    url = category.get_absolute_url()
    before, after = seen_before_and_after(url, lambda: topic.set_sticky(True, by=facilitator))
    assert before.index(newer.title) < before.index(topic.title)
    assert after.index(topic.title) < after.index(newer.title)


def test_scheduling_a_dialogue_shows_at_once(topic, clock):
    url = topic.get_absolute_url()
    before, after = seen_before_and_after(
        url,
        lambda: make_dialogue(
            topic, opens_at=clock.now + timedelta(days=1), closes_at=clock.now + timedelta(days=3)
        ),
    )
    assert "Not open yet" not in before and "Not open yet" in after


def test_a_published_summary_shows_at_once(topic, facilitator, clock):
    dialogue = make_dialogue(
        topic, opens_at=clock.now - timedelta(days=2), closes_at=clock.now - timedelta(days=1)
    )

    def publish():
        dialogue.write_summary(body="We heard **three lessons**.", by=facilitator)
        dialogue.publish_summary(by=facilitator)

    before, after = seen_before_and_after(topic.get_absolute_url(), publish)
    assert "three lessons" not in before and "three lessons" in after


def test_an_authors_new_display_name_shows_at_once_wherever_they_posted(topic, reply, post_author):
    urls = ("/", topic.category.get_absolute_url(), topic.get_absolute_url())
    for url in urls:
        assert "Ari Author" in page(url)
    author = get_user_model().objects.get(pk=post_author.pk)
    author.display_name = "Ariadne Renamed"
    author.save()  # as the profile form saves it
    for url in urls:
        assert "Ari Author" not in page(url) and "Ariadne Renamed" in page(url)


def test_a_dialogue_opening_and_its_countdown_show_when_the_time_comes(topic, clock):
    make_dialogue(
        topic, opens_at=clock.now + timedelta(hours=1), closes_at=clock.now + timedelta(days=5)
    )
    url = topic.get_absolute_url()
    assert "Not open yet" in page(url)
    clock.advance(minutes=59)
    assert "Not open yet" in page(url)
    clock.advance(minutes=2)
    opened = page(url)
    assert "Not open yet" not in opened and "Day 1 of 5" in opened
    assert "closes in 4 days" in opened
    clock.advance(days=1)
    assert "Day 2 of 5" in page(url) and "closes in 3 days" in page(url)
    clock.advance(days=1, hours=1)
    assert "closes in 69 hours" in page(url)  # 2 days 21 hours 59 minutes left


def test_a_listing_expires_at_its_next_opening_or_closing(
    topic, category, clock, monkeypatch, settings
):
    settings.FORUM_PAGE_CACHE_SECONDS = 24 * 3600
    make_dialogue(
        topic, opens_at=clock.now + timedelta(hours=2), closes_at=clock.now + timedelta(days=2)
    )
    timeouts = []

    class Recording:
        def get_many(self, keys):
            return {}

        def set(self, key, value, timeout):
            timeouts.append(timeout)

    monkeypatch.setattr(page_cache, "cache", Recording())
    page(category.get_absolute_url())
    page("/")
    assert timeouts == [2 * 3600, 2 * 3600]


def test_a_new_release_never_serves_a_page_the_old_code_cached(
    topic, reply, monkeypatch, django_assert_num_queries
):
    url = topic.get_absolute_url()
    first = page(url)
    with django_assert_num_queries(0):
        assert page(url) == first
    # New templates, translations or code: the same versions, another key.
    monkeypatch.setattr(page_cache, "release", lambda: "the-next-release")
    with CaptureQueriesContext(connection) as rendered:
        assert page(url) == first
    assert len(rendered) > 1
    with django_assert_num_queries(0):
        page(url)


def test_lost_generation_tokens_make_the_page_be_rendered_again(topic, reply):
    """Evicted, expired or lost with a cache restart: a fresh random token
    matches no entry, so the page is rendered again, never served blind."""
    from django.core.cache import cache

    url = topic.get_absolute_url()
    first = page(url)
    cache.delete_many(
        [generations.topic_key(topic.pk), generations.category_key(topic.category_id)]
    )
    with CaptureQueriesContext(connection) as rendered:
        assert page(url) == first
    assert len(rendered) > 1


def test_a_change_retires_the_tokens_again_after_its_commit(
    topic, django_capture_on_commit_callbacks
):
    """A reader who rendered between the change's first renewal and its
    commit may have read the database from before it: the second renewal,
    after the commit, retires the tokens that page was kept under."""
    keys = [generations.topic_key(topic.pk), generations.category_key(topic.category_id)]
    before = generations.current(keys)
    with django_capture_on_commit_callbacks(execute=True):
        make_reply(topic, subject="In flight")
        during = generations.current(keys)
    after = generations.current(keys)
    for key in keys:
        assert len({before[key], during[key], after[key]}) == 3


def test_each_change_that_a_page_shows_renews_the_tokens_it_needs(topic, category):
    """What each page's entry is checked against, by page."""
    topic_page = Client().get(topic.get_absolute_url())
    assert topic_page.status_code == 200
    keys = {
        "topic": [generations.topic_key(topic.pk), generations.category_key(category.pk)],
        "category": [generations.category_key(category.pk), generations.LISTS],
        "home": [generations.LISTS],
    }
    seen = {name: generations.current(k) for name, k in keys.items()}
    other = make_topic(category=category, title="Another topic")
    # Another topic of the category: its category and home pages, not this topic's.
    now = {name: generations.current(k) for name, k in keys.items()}
    assert now["topic"][keys["topic"][0]] == seen["topic"][keys["topic"][0]]
    assert now["category"] != seen["category"] and now["home"] != seen["home"]
    category.name = "Renamed"
    category.save()
    # A renamed category: every page showing its name.
    later = {name: generations.current(k) for name, k in keys.items()}
    assert all(later[name] != now[name] for name in keys)
    assert other.pk != topic.pk


def test_a_hit_is_one_round_trip_to_the_cache(topic, reply, monkeypatch):
    """The entry and the tokens it was kept with come in one get_many: each
    process remembers which tokens a page's entry holds."""
    from django.core.cache import cache

    url = topic.get_absolute_url()
    first = page(url)
    calls = []

    class Counting:
        def __getattr__(self, name):
            calls.append(name)
            return getattr(cache, name)

    monkeypatch.setattr(page_cache, "cache", Counting())
    monkeypatch.setattr(generations, "cache", Counting())
    assert page(url) == first
    assert calls == ["get_many"]


@pytest.mark.django_db(transaction=True)
def test_a_committed_reply_shows_at_once(category, facilitator):
    """Outside a test's transaction: the renewal after a real commit."""
    topic = make_topic(category=category, author=facilitator, title="Committed")
    url = topic.get_absolute_url()
    before = page(url)
    assert page(url) == before
    make_reply(topic, subject="After the commit", body="Committed words.")
    assert "Committed words." in page(url)
