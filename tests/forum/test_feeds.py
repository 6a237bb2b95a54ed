"""Atom feeds of the site, a category and a topic: valid Atom, visible posts
only, as sanitized HTML, cached until what they show changes; the sitemap."""

import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forum import feeds
from forum.models import Post
from tests.factories import make_category, make_reply, make_topic, make_user

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def parse(response):
    """The feed as [(id, title, author, content)], after checking it is Atom
    with what Atom requires of a feed and of each entry."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}").text
    datetime.fromisoformat(root.find(f"{ATOM}updated").text)
    feed_author = root.find(f"{ATOM}author/{ATOM}name")
    entries = []
    for entry in root.findall(f"{ATOM}entry"):
        # Atom: every entry has an author, its own or the feed's.
        author = entry.find(f"{ATOM}author/{ATOM}name")
        assert author is not None or feed_author is not None
        datetime.fromisoformat(entry.find(f"{ATOM}updated").text)
        assert entry.find(f"{ATOM}link").get("href").startswith("http")
        content = entry.find(f"{ATOM}content")
        assert content.get("type") == "html"
        entries.append(
            (
                entry.find(f"{ATOM}id").text,
                entry.find(f"{ATOM}title").text,
                author.text if author is not None else None,
                content.text,
            )
        )
    ids = [entry[0] for entry in entries]
    assert len(ids) == len(set(ids))
    return entries


def entry_id(post):
    return f"http://localhost:8000/p/{post.pk}/"


@pytest.fixture
def renders(monkeypatch):
    """How many times a feed was rendered (not served from the cache)."""
    calls = []
    original = feeds.CachedFeed.get_feed

    def counting(self, obj, request):
        calls.append(self.cache_name)
        return original(self, obj, request)

    monkeypatch.setattr(feeds.CachedFeed, "get_feed", counting)
    return calls


def all_feeds(topic):
    return [
        reverse("forum:feed"),
        reverse("forum:category_feed", args=[topic.category.slug]),
        reverse("forum:topic_feed", args=[topic.pk]),
    ]


def test_the_site_feed_is_atom_with_the_latest_visible_posts_newest_first(
    client, topic, reply, post_author
):
    later = make_reply(topic, author=post_author, subject="Later thoughts", body="More.")

    entries = parse(client.get(reverse("forum:feed")))

    assert [(e[0], e[1], e[2]) for e in entries] == [
        (entry_id(later), "Later thoughts", "Ari Author"),
        (entry_id(reply), "My experience", "Ari Author"),
        (entry_id(topic.opening_post), "What have you learned?", "Fay Facilitator"),
    ]
    root = ET.fromstring(client.get(reverse("forum:feed")).content)
    assert root.find(f"{ATOM}id").text == "http://localhost:8000/feed/"


def test_category_and_topic_feeds_show_only_their_own_posts(client, topic, reply):
    elsewhere = make_topic(category=make_category("Elsewhere"), title="Another place")
    make_reply(elsewhere, subject="Not here")

    in_category = parse(client.get(reverse("forum:category_feed", args=[topic.category.slug])))
    in_topic = parse(client.get(reverse("forum:topic_feed", args=[topic.pk])))

    assert [e[0] for e in in_category] == [entry_id(reply), entry_id(topic.opening_post)]
    assert [e[0] for e in in_topic] == [entry_id(reply), entry_id(topic.opening_post)]
    site = [e[1] for e in parse(client.get(reverse("forum:feed")))]
    assert "Not here" in site


def test_entries_carry_the_sanitized_html_never_the_markdown(client, topic, post_author):
    make_reply(
        topic,
        author=post_author,
        subject="Formatting",
        body="**Bold claim** and [a link](/p/1/) <script>alert(1)</script>",
    )

    content = parse(client.get(reverse("forum:topic_feed", args=[topic.pk])))[0][3]

    assert "<strong>Bold claim</strong>" in content
    assert "**" not in content and "<script" not in content
    # Readers resolve no relative links: this site's get its address.
    assert 'href="http://localhost:8000/p/1/"' in content


def test_hidden_posts_are_in_no_feed(client, topic, reply, moderator, post_author):
    secret = make_reply(topic, author=make_user("hidden"), subject="Secret subject", body="Zebra")
    secret.hide(by=moderator, reason="Personal data")

    for url in all_feeds(topic):
        response = client.get(url)
        entries = parse(response)
        assert entry_id(secret) not in [e[0] for e in entries]
        assert entry_id(reply) in [e[0] for e in entries]
        text = response.content.decode()
        assert "Secret subject" not in text and "Zebra" not in text


def test_a_feed_is_rendered_once_then_served_from_the_cache(client, topic, reply, renders):
    first = client.get(reverse("forum:topic_feed", args=[topic.pk])).content
    second = client.get(reverse("forum:topic_feed", args=[topic.pk])).content

    assert first == second
    assert renders == ["topic"]


def test_hiding_a_post_changes_every_cached_feed_at_once(client, topic, reply, moderator, renders):
    for url in all_feeds(topic):
        assert entry_id(reply) in [e[0] for e in parse(client.get(url))]

    Post.objects.get(pk=reply.pk).hide(by=moderator, reason="Off topic")

    for url in all_feeds(topic):
        entries = parse(client.get(url))
        assert entry_id(reply) not in [e[0] for e in entries]
        assert "My experience" not in client.get(url).content.decode()
    assert len(renders) == 6

    Post.objects.get(pk=reply.pk).restore(by=moderator)
    for url in all_feeds(topic):
        assert entry_id(reply) in [e[0] for e in parse(client.get(url))]


def test_a_reader_polling_with_the_etag_gets_304_until_the_feed_changes(
    client, topic, reply, moderator
):
    url = reverse("forum:topic_feed", args=[topic.pk])
    etag = client.get(url)["ETag"]

    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    reply.hide(by=moderator)
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "My experience" not in changed.content.decode()


def test_editing_a_post_changes_its_cached_entry(client, topic, reply, post_author):
    url = reverse("forum:topic_feed", args=[topic.pk])
    assert "Original text." in parse(client.get(url))[0][3]

    reply.edit(by=post_author, subject="My experience, revised", body="Second thoughts.")

    newest = parse(client.get(url))[0]
    assert newest[1] == "My experience, revised"
    assert "Second thoughts." in newest[3] and "Original text." not in newest[3]
    root = ET.fromstring(client.get(url).content)
    entry = root.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}updated").text > entry.find(f"{ATOM}published").text


def test_a_deleted_account_leaves_the_cached_feed_nameless(client, topic, reply, post_author):
    url = reverse("forum:feed")
    assert "Ari Author" in client.get(url).content.decode()

    post_author.delete_account("keep")

    text = client.get(url).content.decode()
    assert "Ari Author" not in text
    assert "Former participant" in text


def queries_for(client, url):
    with CaptureQueriesContext(connection) as rendered:
        client.get(url)
    with CaptureQueriesContext(connection) as cached:
        client.get(url)
    return len(rendered), len(cached)


def test_feed_queries_do_not_grow_with_its_entries(client, topic, post_author):
    make_reply(topic, author=post_author)
    few = [queries_for(client, url) for url in all_feeds(topic)]
    for n in range(25):
        make_reply(topic, author=make_user(), subject=f"Reply {n}")
    cache.clear()

    many = [queries_for(client, url) for url in all_feeds(topic)]

    assert many == few
    # Rendered: the category or topic, the fingerprint, the entries, and the
    # cache (Redis, or a few statements of the database cache).
    assert all(rendered <= 3 + 6 and cached <= 2 + 1 for rendered, cached in many)


def test_feeds_of_missing_things_are_404(client, topic):
    assert client.get(reverse("forum:category_feed", args=["no-such-category"])).status_code == 404
    assert client.get(reverse("forum:topic_feed", args=[topic.pk + 100])).status_code == 404


def test_pages_point_feed_readers_to_their_feed(client, topic):
    pages = {
        reverse("forum:home"): reverse("forum:feed"),
        topic.category.get_absolute_url(): reverse(
            "forum:category_feed", args=[topic.category.slug]
        ),
        topic.get_absolute_url(): reverse("forum:topic_feed", args=[topic.pk]),
    }
    for page, feed in pages.items():
        html = client.get(page).content.decode()
        assert f'<link rel="alternate" type="application/atom+xml" href="{feed}"' in html


def test_the_sitemap_lists_every_topic(client, topic):
    other = make_topic(category=make_category("Help"), title="How do I reply?")

    index = ET.fromstring(client.get(reverse("forum:sitemap_index")).content)
    section = client.get(reverse("forum:sitemap", args=["topics"]))

    sm = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    assert index.find(f"{sm}sitemap/{sm}loc").text.endswith("/sitemap-topics.xml")
    locs = [loc.text for loc in ET.fromstring(section.content).iter(f"{sm}loc")]
    assert sorted(locs) == sorted(
        f"http://testserver{t.get_absolute_url()}" for t in (topic, other)
    )
