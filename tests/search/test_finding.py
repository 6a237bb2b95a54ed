"""Search finds a post by its words, their other forms (stems) and their
spelling without accents, in English and in French, on both databases."""

import io

import pytest

from search.models import SearchEntry
from tests.factories import make_reply, make_topic

from .helpers import hit_urls, on_postgres, snippets

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(topic, post_author):
    return make_reply(
        topic,
        author=post_author,
        subject="After the storm",
        body="The rivers were flooding the archives, so we moved every box upstairs.",
    )


@pytest.fixture
def french(topic, post_author):
    return make_reply(
        topic,
        author=post_author,
        subject="Témoignage",
        body="Les élèves étudiaient la sécurité des données dans le café du quartier.",
    )


def test_a_word_finds_the_post_and_marks_it_in_the_snippet(client, english, french):
    assert hit_urls(client, "archives") == [english.get_absolute_url()]
    [snippet] = snippets(client, "archives")
    assert "<mark>archives</mark>" in snippet


def test_a_stem_finds_other_forms_of_an_english_word(client, english):
    assert hit_urls(client, "flooded river") == [english.get_absolute_url()]
    assert hit_urls(client, "boxes") == [english.get_absolute_url()]


def test_words_without_accents_find_french_words_with_them(client, french):
    assert hit_urls(client, "eleves securite") == [french.get_absolute_url()]
    assert hit_urls(client, "cafe") == [french.get_absolute_url()]
    # And the other way round: the query's accents do not matter either.
    assert hit_urls(client, "témoignàge") == [french.get_absolute_url()]


@pytest.mark.skipif(not on_postgres, reason="SQLite's FTS5 stems English only (porter)")
def test_french_verbs_are_found_by_another_form(client, french):
    assert hit_urls(client, "étudier") == [french.get_absolute_url()]
    assert SearchEntry.objects.get(post=french).language == "fr"


def test_every_word_must_match(client, english, french):
    assert hit_urls(client, "archives café") == []


def test_the_opening_post_is_found_by_the_topic_title(client, category):
    topic = make_topic(category=category, title="Mangrove restoration", body="Plant them.")
    assert hit_urls(client, "mangroves") == [topic.opening_post.get_absolute_url()]


def test_replies_are_not_found_by_the_re_subject_they_inherit(client, category):
    topic = make_topic(category=category, title="Composting practices", body="Tell us.")
    make_reply(topic, body="Nothing to add.")  # subject "Re: Composting practices"
    assert hit_urls(client, "composting") == [topic.opening_post.get_absolute_url()]


def test_better_matches_rank_first(client, topic):
    once = make_reply(topic, subject="Notes", body="We spoke of wells and of many other things.")
    twice = make_reply(topic, subject="Wells", body="Wells, wells and more wells.")
    assert hit_urls(client, "wells") == [twice.get_absolute_url(), once.get_absolute_url()]


def test_markup_is_not_searched_and_text_is_stored_plain(client, topic):
    post = make_reply(topic, body="See [the guide](https://example.org/zebrafish) **now**.")
    entry = SearchEntry.objects.get(post=post)
    assert entry.text == "See the guide now."
    assert hit_urls(client, "zebrafish") == []
    assert hit_urls(client, "guide") == [post.get_absolute_url()]


def test_snippets_escape_what_members_wrote(client, topic):
    make_reply(topic, body="Try `<script>alert(1)</script>` & `<b>` in the sandbox.")
    [snippet] = snippets(client, "sandbox")
    assert "<script>" not in snippet and "<b>" not in snippet
    # PostgreSQL's headline drops what looks like a tag; SQLite keeps it, escaped.
    assert "alert(1)" in snippet and "&amp;" in snippet
    assert "<mark>sandbox</mark>" in snippet


def test_rebuilding_the_index_finds_what_was_changed_behind_its_back(client, topic):
    from django.core.management import call_command

    from forum.models import Post

    post = make_reply(topic, body="Kelp forests.")
    Post.objects.filter(pk=post.pk).update(body_html="<p>Seagrass meadows.</p>")
    assert hit_urls(client, "seagrass") == []
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert hit_urls(client, "seagrass") == [post.get_absolute_url()]
    assert hit_urls(client, "kelp") == []
