"""Whatever is typed, the page answers 200 or 400 with a message, never
500, and the form shows what was typed."""

import pytest

from tests.factories import make_reply

from .helpers import hit_urls, search_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(topic):
    return make_reply(
        topic,
        body="Cooperative seed banks and title deeds, or near enough, keep old varieties alive.",
    )


@pytest.mark.parametrize(
    "typed",
    [
        '"',
        "-",
        "*",
        "-seed",
        "seed*",
        '"seed banks"',
        "seed AND banks",
        "seed OR",
        "NEAR(seed)",
        "title:seed",
        "seed & !banks",
        "seed | banks",
        "(seed",
        "seed:*",
        "^seed",
        "seed\\",
        "'",
    ],
)
def test_operators_and_quotes_are_read_as_words_or_ignored(client, post, typed):
    response = search_page(client, typed)
    assert response.status_code == 200
    page = response.content.decode()
    if "seed" in typed:
        assert post.get_absolute_url() in page
    else:
        assert "Your search has no words in it" in page


def test_quotes_do_not_make_a_phrase(client, post):
    assert hit_urls(client, '"banks seed"') == [post.get_absolute_url()]


def test_empty_search_asks_for_words(client, post):
    response = search_page(client, "   ")
    assert response.status_code == 200
    assert "Type one or more words to search for." in response.content.decode()


def test_no_query_at_all_shows_the_form(client):
    response = client.get("/search/")
    assert response.status_code == 200
    assert 'name="q"' in response.content.decode()


def test_a_thousand_characters_is_refused_and_kept(client, post):
    typed = "seed " * 200
    response = search_page(client, typed)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Keep the search under 200 characters (it has 999)." in page
    assert typed.strip() in page


def test_a_null_character_is_refused(client, post):
    response = search_page(client, "seed\x00banks")
    assert response.status_code == 400
    assert "Remove the null character (U+0000)." in response.content.decode()


@pytest.mark.parametrize(
    "params, message",
    [
        ({"page": "11"}, "Results stop at page 10"),
        ({"page": "0"}, "Pages start at 1."),
        ({"page": "x"}, "The page must be a number."),
        ({"since": "2026-13-45"}, "Enter a valid date."),
        ({"since": "2026-05-02", "until": "2026-05-01"}, "The end date comes before"),
        ({"category": "999999"}, "Select a valid choice."),
        ({"topic": "abc"}, "Select a valid choice."),
    ],
)
def test_bad_filters_get_a_message_and_keep_the_words(client, post, params, message):
    response = search_page(client, "seed", **params)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'value="seed"' in page


def test_a_search_is_a_get_and_nothing_else(client):
    assert client.post("/search/", {"q": "seed"}).status_code == 405
