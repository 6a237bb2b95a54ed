"""Long topics page in tree order with stable cursor URLs; permalinks land on
the page that shows the post."""

import re

from tests.factories import make_reply
from tests.forum.conftest import shown_subjects


def test_first_page_shows_the_first_posts_in_tree_order(client, small_pages, threaded_topic):
    response = client.get(threaded_topic.get_absolute_url())
    assert shown_subjects(response) == ["A", "A1", "A2"]
    assert "Opening post." in response.text


def test_next_links_walk_the_whole_tree_once(client, small_pages, threaded_topic):
    url = threaded_topic.get_absolute_url()
    seen = []
    for _ in range(5):
        response = client.get(url)
        seen += shown_subjects(response)
        found = re.search(r'rel="next" href="([^"]+)"', response.text)
        if not found:
            break
        url = threaded_topic.get_absolute_url() + found.group(1).replace("&amp;", "&")
    assert seen == ["A", "A1", "A2", "B", "B1", "C", "D"]


def test_later_pages_do_not_repeat_the_opening_post(client, small_pages, threaded_topic):
    first_page_last = threaded_topic.posts.get(subject="A2")
    response = client.get(threaded_topic.get_absolute_url() + f"?after={first_page_last.pk}")
    assert shown_subjects(response) == ["B", "B1", "C"]
    assert "Opening post." not in response.text


def test_previous_page_link_goes_back(client, small_pages, threaded_topic):
    b1 = threaded_topic.posts.get(subject="B")
    response = client.get(threaded_topic.get_absolute_url() + f"?before={b1.pk}")
    assert shown_subjects(response) == ["A", "A1", "A2"]


def test_last_page_shows_the_end_of_the_tree(client, small_pages, threaded_topic):
    response = client.get(threaded_topic.get_absolute_url() + "?page=last")
    assert shown_subjects(response) == ["B1", "C", "D"]


def test_a_reply_inserted_mid_tree_appears_on_the_page_of_its_parent(
    client, small_pages, threaded_topic
):
    a2 = threaded_topic.posts.get(subject="A2")
    make_reply(threaded_topic, parent=threaded_topic.posts.get(subject="B"), subject="B2")
    response = client.get(threaded_topic.get_absolute_url() + f"?after={a2.pk}")
    assert shown_subjects(response) == ["B", "B1", "B2"]


def test_permalink_of_an_early_post_lands_on_the_first_page(client, small_pages, threaded_topic):
    a1 = threaded_topic.posts.get(subject="A1")
    response = client.get(f"/p/{a1.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"{threaded_topic.get_absolute_url()}#post-{a1.pk}"


def test_permalink_of_a_later_post_lands_on_a_page_that_shows_it(
    client, small_pages, threaded_topic
):
    c = threaded_topic.posts.get(subject="C")
    response = client.get(f"/p/{c.pk}/", follow=True)
    assert response.redirect_chain[-1][0].endswith(f"?start={c.pk}#post-{c.pk}")
    assert shown_subjects(response)[0] == "C"


def test_permalink_of_the_opening_post_is_the_topic(client, topic):
    response = client.get(f"/p/{topic.opening_post.pk}/")
    assert response["Location"].startswith(topic.get_absolute_url())


def page_links(response) -> dict[str, str]:
    """The numbered links of the first page navigation: label -> address."""
    nav = response.text[response.text.index('class="page-numbers"') :]
    nav = nav[: nav.index("</ol>")]
    return {
        number: url.replace("&amp;", "&")
        for url, number in re.findall(r'<a href="([^"]+)"[^>]*>(\d+)</a>', nav)
    } | ({"…": ""} if "…" in nav else {})


def test_the_page_says_which_page_of_how_many(client, small_pages, threaded_topic):
    first = client.get(threaded_topic.get_absolute_url())
    links = page_links(first)

    assert "Page 1 of 3" in first.text
    assert list(links) == ["1", "2", "3"]
    b, d = (threaded_topic.posts.get(subject=s) for s in ("B", "D"))
    assert links["2"].endswith(f"?start={b.pk}") and links["3"].endswith(f"?start={d.pk}")
    second = client.get(links["2"])
    assert "Page 2 of 3" in second.text
    assert shown_subjects(second) == ["B", "B1", "C"]
    assert shown_subjects(client.get(links["3"])) == ["D"]
    assert 'aria-current="page"' in second.text


def test_next_and_previous_pages_keep_their_numbers(client, small_pages, threaded_topic):
    a2 = threaded_topic.posts.get(subject="A2")
    c = threaded_topic.posts.get(subject="C")
    assert "Page 2 of 3" in client.get(threaded_topic.get_absolute_url() + f"?after={a2.pk}").text
    assert "Page 3 of 3" in client.get(threaded_topic.get_absolute_url() + f"?after={c.pk}").text
    assert "Page 3 of 3" in client.get(threaded_topic.get_absolute_url() + "?page=last").text


def test_long_topics_show_at_most_nine_page_links_with_gaps(client, settings, topic):
    settings.FORUM_PAGE_SIZE = 2
    replies = [make_reply(topic, subject=f"R{i:02}") for i in range(24)]  # 12 pages

    middle = client.get(topic.get_absolute_url() + f"?start={replies[10].pk}")  # page 6
    links = page_links(middle)

    assert "Page 6 of 12" in middle.text
    assert [n for n in links if n != "…"] == ["1", "4", "5", "6", "7", "8", "12"]
    assert middle.text.count('<li aria-hidden="true">…</li>') == 2 * 2  # above and below
    assert shown_subjects(client.get(links["12"])) == ["R22", "R23"]
    assert shown_subjects(client.get(links["4"])) == ["R06", "R07"]


def test_a_topic_on_one_page_shows_no_page_numbers(client, topic):
    make_reply(topic)
    assert "page-numbers" not in client.get(topic.get_absolute_url()).text


def test_page_numbers_follow_replies_inserted_mid_tree(client, small_pages, threaded_topic):
    make_reply(threaded_topic, parent=threaded_topic.posts.get(subject="A"), subject="A3")
    links = page_links(client.get(threaded_topic.get_absolute_url()))
    # Tree order: A, A1, A2, A3, B, B1, C, D: page 2 now starts at A3.
    a3 = threaded_topic.posts.get(subject="A3")
    assert links["2"].endswith(f"?start={a3.pk}")
    assert shown_subjects(client.get(links["3"])) == ["C", "D"]
