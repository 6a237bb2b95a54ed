"""One topic address, three ways to read it: threaded (the reply tree),
in time order, and only what the member has not read yet. The choice comes
from ?view=, is remembered per member, and every mode pages by cursor with
page numbers, lands permalinks on the right page and marks what it shows
read."""

import re

import pytest

from forum.models import Post, ReadingPreference, Topic, TopicRead
from tests.factories import make_reply, make_user
from tests.forum.conftest import shown_subjects


def follow_next(client, topic, url):
    """Every subject shown walking the "Next page" links from `url`."""
    seen = []
    for _ in range(10):
        response = client.get(url)
        seen += shown_subjects(response)
        found = re.search(r'rel="next" href="([^"]+)"', response.text)
        if not found:
            return seen
        url = topic.get_absolute_url() + found.group(1).replace("&amp;", "&")
    raise AssertionError("the next links never end")


def switcher(response) -> dict[str, bool]:
    """label -> whether it is marked current, in the reading-mode switcher."""
    nav = response.text[response.text.index('class="reading-modes"') :]
    nav = nav[: nav.index("</nav>")]
    return {
        label: bool(current)
        for current, label in re.findall(r'<a href="[^"]+"( aria-current="true")?>([^<]+)</a>', nav)
    }


def url(topic, query=""):
    return topic.get_absolute_url() + query


TREE = ["A", "A1", "A2", "B", "B1", "C", "D"]
TIME = ["A", "B", "A1", "C", "B1", "A2", "D"]


# Order of the posts as readers see them.


def test_threaded_is_the_default_and_shows_the_tree(client, threaded_topic):
    response = client.get(url(threaded_topic))
    assert shown_subjects(response) == TREE
    assert switcher(response) == {"Threaded": True, "In time order": False}


def test_in_time_order_shows_replies_as_they_were_posted(client, threaded_topic):
    response = client.get(url(threaded_topic, "?view=flat"))
    assert shown_subjects(response) == TIME
    assert "Opening post." in response.text
    assert switcher(response) == {"Threaded": False, "In time order": True}


def test_new_shows_only_the_unread_posts_in_time_order(
    client, settings, threaded_topic, participant
):
    client.force_login(participant)
    settings.FORUM_PAGE_SIZE = 3
    client.get(url(threaded_topic, "?view=flat&page=last"))  # read B1, A2, D
    settings.FORUM_PAGE_SIZE = 50
    make_reply(threaded_topic, parent=threaded_topic.posts.get(subject="A"), subject="A3")
    make_reply(threaded_topic, author=participant, subject="Mine")  # never new to its author

    response = client.get(url(threaded_topic, "?view=new"))

    assert shown_subjects(response) == ["A", "B", "A1", "C", "A3"]
    assert response.text.count('class="badge new"') == 5
    # The opening post was new too: it comes first.
    assert "Opening post." in response.text
    assert switcher(response) == {"Threaded": False, "In time order": False, "New to me": True}


def test_new_leaves_out_hidden_posts_and_shows_nothing_once_all_is_read(
    client, threaded_topic, participant, moderator
):
    threaded_topic.posts.get(subject="C").hide(by=moderator)
    client.force_login(participant)

    first = client.get(url(threaded_topic, "?view=new"))
    again = client.get(url(threaded_topic, "?view=new"))

    assert shown_subjects(first) == ["A", "B", "A1", "B1", "A2", "D"]
    assert shown_subjects(again) == []
    assert "Nothing new: you have read every post in this topic." in again.text
    assert "Opening post." not in again.text  # read on the first visit


def test_anonymous_readers_asking_for_new_read_threaded(client, threaded_topic):
    response = client.get(url(threaded_topic, "?view=new"))
    assert response.status_code == 200
    assert shown_subjects(response) == TREE
    assert "New to me" not in response.text


def test_an_unknown_mode_reads_threaded(client, threaded_topic, participant):
    client.force_login(participant)
    response = client.get(url(threaded_topic, "?view=%00sideways"))
    assert response.status_code == 200
    assert shown_subjects(response) == TREE
    assert not ReadingPreference.objects.exists()


# The remembered choice.


def test_a_members_choice_is_stored_and_follows_them(client, threaded_topic, participant):
    client.force_login(participant)
    client.get(url(threaded_topic, "?view=flat"))

    assert ReadingPreference.objects.get(user=participant).mode == "flat"
    # Another device: a new session, the plain address.
    client.logout()
    client.force_login(participant)
    assert shown_subjects(client.get(url(threaded_topic))) == TIME

    client.get(url(threaded_topic, "?view=threaded"))
    assert ReadingPreference.objects.get(user=participant).mode == "threaded"
    assert shown_subjects(client.get(url(threaded_topic))) == TREE


def test_the_address_wins_over_the_stored_choice(client, threaded_topic, participant):
    ReadingPreference.remember(participant, "flat")
    client.force_login(participant)
    assert shown_subjects(client.get(url(threaded_topic, "?view=threaded"))) == TREE


def test_a_page_link_in_another_mode_changes_no_ones_choice(
    client, small_pages, threaded_topic, participant
):
    """Someone shared page 2 in time order: reading it keeps my choice."""
    ReadingPreference.remember(participant, "threaded")
    client.force_login(participant)
    a1 = threaded_topic.posts.get(subject="A1")
    response = client.get(url(threaded_topic, f"?after={a1.pk}&view=flat"))
    assert shown_subjects(response) == ["C", "B1", "A2"]
    assert ReadingPreference.objects.get(user=participant).mode == "threaded"


def test_anonymous_reading_stores_nothing(client, threaded_topic, settings):
    client.get(url(threaded_topic, "?view=flat"))
    assert not ReadingPreference.objects.exists()
    assert settings.SESSION_COOKIE_NAME not in client.cookies


def test_choosing_threaded_when_nothing_is_stored_stores_nothing(
    client, threaded_topic, participant
):
    client.force_login(participant)
    client.get(url(threaded_topic, "?view=threaded"))
    assert not ReadingPreference.objects.exists()


def test_deleting_the_account_forgets_the_choice(participant):
    ReadingPreference.remember(participant, "new")
    participant.delete_account("keep")
    assert not ReadingPreference.objects.exists()


# Pages, page numbers, permalinks.


def test_next_links_walk_every_mode_once(client, small_pages, threaded_topic, participant):
    assert follow_next(client, threaded_topic, url(threaded_topic)) == TREE
    assert follow_next(client, threaded_topic, url(threaded_topic, "?view=flat")) == TIME
    client.force_login(participant)
    assert follow_next(client, threaded_topic, url(threaded_topic, "?view=new")) == TIME
    # Each page read was marked read as it was shown.
    assert client.get(url(threaded_topic, "?view=new")).text.count('class="badge new"') == 0


def test_previous_and_last_pages_in_time_order(client, small_pages, threaded_topic):
    last = client.get(url(threaded_topic, "?view=flat&page=last"))
    assert shown_subjects(last) == ["B1", "A2", "D"]
    previous = re.search(r'rel="prev" href="([^"]+)"', last.text).group(1).replace("&amp;", "&")
    assert "view=flat" in previous
    assert shown_subjects(client.get(url(threaded_topic, previous))) == ["B", "A1", "C"]


def page_links(response) -> dict[str, str]:
    nav = response.text[response.text.index('class="page-numbers"') :]
    nav = nav[: nav.index("</ol>")]
    return {
        number: href.replace("&amp;", "&")
        for href, number in re.findall(r'<a href="([^"]+)"[^>]*>(\d+)</a>', nav)
    }


def test_page_numbers_in_time_order(client, small_pages, threaded_topic):
    first = client.get(url(threaded_topic, "?view=flat"))
    links = page_links(first)
    assert "Page 1 of 3" in first.text
    c, d = (threaded_topic.posts.get(subject=s) for s in ("C", "D"))
    assert links["2"].endswith(f"?start={c.pk}&view=flat")
    assert links["3"].endswith(f"?start={d.pk}&view=flat")
    second = client.get(links["2"])
    assert "Page 2 of 3" in second.text
    assert shown_subjects(second) == ["C", "B1", "A2"]
    assert shown_subjects(client.get(links["3"])) == ["D"]


def test_page_numbers_count_what_is_still_new(client, small_pages, threaded_topic, participant):
    client.force_login(participant)
    first = client.get(url(threaded_topic, "?view=new"))
    assert "Page 1 of 3" in first.text
    assert page_links(first)["3"].endswith("view=new")
    # The first three were read as they were shown: two pages are left.
    after = threaded_topic.posts.get(subject="A1")
    second = client.get(url(threaded_topic, f"?after={after.pk}&view=new"))
    assert shown_subjects(second) == ["C", "B1", "A2"]
    assert "Page 1 of 2" in second.text
    assert 'rel="prev"' not in second.text  # nothing before it is new any more


def test_permalinks_land_on_the_page_showing_the_post_in_each_mode(
    client, small_pages, threaded_topic, participant
):
    b1 = threaded_topic.posts.get(subject="B1")
    # Threaded: B1 is the fifth reply, on page 2 (B, B1, C).
    threaded = client.get(f"/p/{b1.pk}/", follow=True)
    assert "B1" in shown_subjects(threaded)
    assert threaded.redirect_chain[-1][0].endswith(f"?start={b1.pk}#post-{b1.pk}")
    # In time order, anonymously: the address says so.
    flat = client.get(f"/p/{b1.pk}/?view=flat", follow=True)
    assert shown_subjects(flat)[0] == "B1" and "view=flat" in flat.redirect_chain[-1][0]
    # A member's remembered mode.
    ReadingPreference.remember(participant, "flat")
    client.force_login(participant)
    a = threaded_topic.posts.get(subject="A")
    response = client.get(f"/p/{a.pk}/")
    assert response["Location"] == url(threaded_topic, f"?view=flat#post-{a.pk}")
    assert shown_subjects(client.get(response["Location"]))[0] == "A"


def test_a_permalink_in_new_lands_on_the_new_page_or_in_time_order_once_read(
    client, small_pages, threaded_topic, participant
):
    ReadingPreference.remember(participant, "new")
    client.force_login(participant)
    b1, d = (threaded_topic.posts.get(subject=s) for s in ("B1", "D"))
    client.get(url(threaded_topic, f"?view=flat&start={d.pk}"))  # D is read

    unread = client.get(f"/p/{b1.pk}/", follow=True)
    assert unread.redirect_chain[-1][0].endswith(f"?start={b1.pk}&view=new#post-{b1.pk}")
    assert shown_subjects(unread) == ["B1", "A2"]

    read = client.get(f"/p/{d.pk}/", follow=True)
    assert read.redirect_chain[-1][0].endswith(f"?start={d.pk}&view=flat#post-{d.pk}")
    assert shown_subjects(read) == ["D"]
    assert ReadingPreference.objects.get(user=participant).mode == "new"


def test_a_permalink_to_the_opening_post_shows_the_first_page(client, threaded_topic, participant):
    ReadingPreference.remember(participant, "new")
    client.force_login(participant)
    client.get(url(threaded_topic, "?view=new"))  # all read
    response = client.get(f"/p/{threaded_topic.opening_post.pk}/", follow=True)
    assert "Opening post." in response.text
    assert shown_subjects(response) == TIME


def test_links_on_a_page_in_time_order_stay_in_time_order(client, threaded_topic):
    a, a1 = (threaded_topic.posts.get(subject=s) for s in ("A", "A1"))
    page = client.get(url(threaded_topic, "?view=flat")).text
    assert f'href="/p/{a1.pk}/?view=flat"' in page
    assert f'In reply to <a href="/p/{a.pk}/?view=flat"><bdi>A</bdi></a>' in page


# What each reply answers, and marking read.


def test_in_time_order_each_reply_says_what_it_answers(client, threaded_topic):
    a = threaded_topic.posts.get(subject="A")
    page = client.get(url(threaded_topic, "?view=flat")).text
    replies = page[page.index('class="replies"') :]
    # Every reply, top-level ones included: their neighbours are not their thread.
    assert replies.count('class="in-reply-to"') == 7
    opening = threaded_topic.opening_post
    assert f'In reply to <a href="/p/{opening.pk}/?view=flat"><bdi>{opening.subject}' in page
    assert re.search(
        rf'In reply to <a href="/p/{a.pk}/\?view=flat"><bdi>A</bdi></a> by <bdi>', page
    )
    # Threaded, as before: only replies to replies say so.
    threaded = client.get(url(threaded_topic)).text
    assert threaded[threaded.index('class="replies"') :].count('class="in-reply-to"') == 3


@pytest.mark.parametrize("view", ["threaded", "flat", "new"])
def test_every_mode_marks_what_it_shows_read(
    client, small_pages, threaded_topic, participant, view
):
    client.force_login(participant)
    response = client.get(url(threaded_topic, f"?view={view}"))
    shown = Post.objects.filter(subject__in=shown_subjects(response))
    marker = TopicRead.objects.get(user=participant, topic=threaded_topic)
    assert shown.count() == 3
    assert all(
        post.pk <= marker.last_read_post_id or post.pk in marker.extra_read_ids for post in shown
    )
    assert threaded_topic.opening_post_id <= marker.last_read_post_id
    assert Topic.objects.with_new_counts(participant).get(pk=threaded_topic.pk).new_count == 4


def test_mark_read_empties_new(client, threaded_topic, participant):
    client.force_login(participant)
    client.post(f"/unread/t/{threaded_topic.pk}/mark-read/")
    assert shown_subjects(client.get(url(threaded_topic, "?view=new"))) == []


def test_new_to_me_from_the_unread_list_lands_in_the_members_mode(
    client, small_pages, threaded_topic, participant
):
    ReadingPreference.remember(participant, "flat")
    client.force_login(participant)
    client.get(url(threaded_topic, "?view=flat"))  # A, B, A1 read
    response = client.get(f"/unread/t/{threaded_topic.pk}/", follow=True)
    c = threaded_topic.posts.get(subject="C")
    assert response.redirect_chain[-1][0].endswith(f"?start={c.pk}&view=flat#post-{c.pk}")
    assert shown_subjects(response)[0] == "C"


def test_someone_elses_choice_is_their_own(client, threaded_topic, participant):
    ReadingPreference.remember(make_user(), "flat")
    client.force_login(participant)
    assert shown_subjects(client.get(url(threaded_topic))) == TREE
