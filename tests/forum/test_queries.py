"""The topic page costs a fixed number of SQL queries however long the
thread is, and reading anonymously writes nothing."""

import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum.models import ReadingPreference
from forum.topic_pages import PAGES_AROUND
from tests.conftest import clear_local_cache
from tests.factories import make_reply, make_user

ANONYMOUS_BUDGET = 6
# Page numbers cost two queries (the position in the topic, then the cursors
# of the pages linked) on topics longer than a page.
LOGGED_IN_BUDGET = 10
# Once the page's posts are remembered (issue 10's target).
MEMBER_TARGET = 5
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
# The budgets of rendering the page (a cached page costs none).
pytestmark = pytest.mark.usefixtures("rendered_every_time")


def grow(topic, n):
    people = [make_user() for _ in range(5)]
    parent = topic.opening_post
    for i in range(n):
        # A mix of top-level replies and nested ones, by several people.
        parent = topic.opening_post if i % 4 == 0 else parent
        parent = make_reply(topic, parent=parent, author=people[i % 5])


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


@pytest.fixture
def short_and_long(category, facilitator):
    from tests.factories import make_topic

    short = make_topic(category=category, author=facilitator, title="Short")
    long = make_topic(category=category, author=facilitator, title="Long")
    grow(short, 10)
    grow(long, 300)
    return short, long


@pytest.fixture
def numbered_pages(settings):
    # Both topics span several pages: 2 and 60, with page numbers.
    settings.FORUM_PAGE_SIZE = 5


def test_anonymous_topic_page_query_count_is_constant(client, short_and_long, numbered_pages):
    short, long = short_and_long
    counts = [len(queries_for(client, t.get_absolute_url())) for t in (short, long)]
    assert counts[0] == counts[1] <= ANONYMOUS_BUDGET


def test_a_topic_on_one_page_needs_no_page_numbers_query(client, short_and_long, settings):
    short, long = short_and_long
    settings.FORUM_PAGE_SIZE = 50  # short fits on one page, long does not
    one_page = queries_for(client, short.get_absolute_url())
    several = queries_for(client, long.get_absolute_url())
    assert len(one_page) == len(several) - 2  # the position, and the links' cursors
    assert not any("COUNT(" in q for q in one_page)


def test_a_pages_posts_are_read_once_per_topic_version(
    client, short_and_long, participant, settings
):
    """The replies of a page, its page numbers and its pinned block are the
    same for every reader in the threaded and time orders: read once per
    topic version in each process, then only the topic row (and, for a
    member, their session, account and following) is asked."""
    _, long = short_and_long
    settings.FORUM_PAGE_SIZE = 20
    member = client.__class__()
    member.force_login(participant)
    for view in ("", "?view=flat"):
        url = long.get_absolute_url() + view
        first = queries_for(client, url)
        assert any("COUNT(" in q for q in first)
        again = queries_for(client, url)
        assert len(again) == 1 and '"forum_topic"' in again[0]
        queries_for(member, url)  # marks the page read
        assert len(queries_for(member, url)) == 4 <= MEMBER_TARGET
    make_reply(long)  # a new version: read anew
    assert any("COUNT(" in q for q in queries_for(client, long.get_absolute_url()))


def test_logged_in_topic_page_query_count_is_constant(
    client, short_and_long, participant, numbered_pages
):
    short, long = short_and_long
    client.force_login(participant)
    first = [len(queries_for(client, t.get_absolute_url())) for t in (short, long)]
    again = [len(queries_for(client, t.get_absolute_url())) for t in (short, long)]
    assert first[0] == first[1] <= LOGGED_IN_BUDGET
    assert again[0] == again[1] <= LOGGED_IN_BUDGET


def test_deep_page_costs_the_same_as_the_first(client, short_and_long, settings):
    _, long = short_and_long
    settings.FORUM_PAGE_SIZE = 20
    last = long.posts.replies().order_by("path").values_list("pk", flat=True)[250]
    first = queries_for(client, long.get_absolute_url())
    caches["local"].clear()  # what page one kept (its opening and pinned posts): read it again
    deep = queries_for(client, long.get_absolute_url() + f"?after={last}")
    assert len(first) == len(deep)


def test_topic_page_reads_only_its_own_page_of_posts(client, short_and_long, settings):
    _, long = short_and_long
    settings.FORUM_PAGE_SIZE = 20
    sql = queries_for(client, long.get_absolute_url())
    post_queries = [q for q in sql if 'FROM "forum_post"' in q]
    [position] = [q for q in post_queries if "COUNT(" in q]
    assert any("LIMIT 21" in q for q in post_queries)  # the page, and one more to peek
    # The pinned block and the page links' cursors are bounded too; the page
    # number counts paths in the index, reading no post.
    assert all("LIMIT" in q for q in post_queries if q != position)
    assert re.match(r'SELECT COUNT\("forum_post"."path"\)', position)


def test_a_numbered_page_deep_in_the_topic_costs_what_page_one_does(
    client, short_and_long, settings
):
    _, long = short_and_long
    settings.FORUM_PAGE_SIZE = 20
    first = client.get(long.get_absolute_url())
    # The links are above and below the replies.
    [deep_link] = set(re.findall(r'href="([^"]+\?start=\d+)" aria-label="Page 15"', first.text))
    caches["local"].clear()  # both counted with nothing kept
    with CaptureQueriesContext(connection) as captured:
        deep = client.get(deep_link)
    assert "Page 15 of 15" in deep.text
    caches["local"].clear()  # page one's position was remembered: count it again
    assert len(captured) == len(queries_for(client, long.get_absolute_url()))
    # No OFFSET scan into the topic: a link's cursor is at most a few pages
    # from the post shown first, or from the end.
    offsets = [
        int(n) for q in captured.captured_queries for n in re.findall(r"OFFSET (\d+)", q["sql"])
    ]
    assert offsets and max(offsets) <= (PAGES_AROUND + 1) * 20


def test_anonymous_get_writes_nothing(client, short_and_long, settings):
    short, _ = short_and_long
    for url in ("/", short.category.get_absolute_url(), short.get_absolute_url()):
        writes = [q for q in queries_for(client, url) if q.lstrip().upper().startswith(WRITES)]
        assert writes == [], url
    assert settings.SESSION_COOKIE_NAME not in client.cookies


def test_logged_in_get_writes_only_the_read_marker(client, short_and_long, participant):
    short, _ = short_and_long
    client.force_login(participant)
    sql = queries_for(client, short.get_absolute_url())
    writes = [q for q in sql if q.lstrip().upper().startswith(WRITES)]
    assert len(writes) == 1 and "forum_topicread" in writes[0]
    sql = queries_for(client, short.get_absolute_url())
    assert not [q for q in sql if q.lstrip().upper().startswith(WRITES)]


# Reading modes (forum/reading_modes.py): the same budgets in each.


@pytest.mark.parametrize("view", ["flat", "new"])  # new: anonymous readers read threaded
def test_anonymous_query_count_is_the_same_in_every_mode(
    client, short_and_long, numbered_pages, view
):
    short, long = short_and_long
    threaded = len(queries_for(client, long.get_absolute_url()))
    counts = []
    for topic in (short, long):
        # Each from nothing remembered in this process: the threaded visit
        # above left the long topic's page position behind.
        clear_local_cache()
        counts.append(len(queries_for(client, f"{topic.get_absolute_url()}?view={view}")))
    assert counts[0] == counts[1] == threaded <= ANONYMOUS_BUDGET


@pytest.mark.parametrize("view", ["threaded", "flat", "new"])
def test_logged_in_query_count_is_constant_in_every_mode(
    client, short_and_long, participant, settings, view
):
    short, long = short_and_long
    # Both topics span several pages, in "new" too, on every visit below.
    settings.FORUM_PAGE_SIZE = 2
    ReadingPreference.remember(participant, view)
    client.force_login(participant)
    for topic in (short, long):
        # A page read out of order first, so "new" has extras to skip.
        pk = topic.posts.replies().order_by("path").values_list("pk", flat=True)[6]
        client.get(f"{topic.get_absolute_url()}?view=threaded&start={pk}")
    for _visit in range(3):  # "new" shows (and marks read) the next two each time
        counts = [len(queries_for(client, t.get_absolute_url())) for t in (short, long)]
        assert counts[0] == counts[1] <= LOGGED_IN_BUDGET


def test_switching_modes_costs_one_write(client, short_and_long, participant):
    short, _ = short_and_long
    client.force_login(participant)
    queries_for(client, short.get_absolute_url())  # marks everything read
    clear_local_cache()  # both read the page's posts (read once per version)
    switched = queries_for(client, f"{short.get_absolute_url()}?view=flat")
    clear_local_cache()
    flat = queries_for(client, short.get_absolute_url())
    assert len(switched) - 1 == len(flat)
    assert not [q for q in flat if q.lstrip().upper().startswith(WRITES)]
    [write] = [q for q in switched if q.lstrip().upper().startswith(WRITES)]
    assert "forum_readingpreference" in write


def test_new_costs_the_same_with_1_or_300_posts_unread(
    client, short_and_long, participant, numbered_pages
):
    short, long = short_and_long
    ReadingPreference.remember(participant, "new")
    client.force_login(participant)
    client.post(f"/unread/t/{short.pk}/mark-read/")
    make_reply(short)
    one = queries_for(client, short.get_absolute_url())
    many = queries_for(client, long.get_absolute_url())
    assert len(one) == len(many) - 2  # one page: no page numbers
    assert len(many) <= LOGGED_IN_BUDGET


@pytest.mark.parametrize("view", ["flat", "new"])
def test_a_deep_page_in_time_order_costs_what_page_one_does(
    client, short_and_long, participant, settings, view
):
    _, long = short_and_long
    settings.FORUM_PAGE_SIZE = 20
    ReadingPreference.remember(participant, view)
    client.force_login(participant)
    deep = long.posts.order_by("-pk").values_list("pk", flat=True)[30]
    first = queries_for(client, long.get_absolute_url())
    caches["local"].clear()  # both counted with nothing kept
    later = queries_for(client, f"{long.get_absolute_url()}?after={deep}&view={view}")
    assert len(first) == len(later)
    post_queries = [q for q in later if 'FROM "forum_post"' in q]
    assert any("LIMIT 21" in q for q in post_queries)
    offsets = [int(n) for q in later for n in re.findall(r"OFFSET (\d+)", q)]
    assert max(offsets, default=0) <= (PAGES_AROUND + 1) * 20
