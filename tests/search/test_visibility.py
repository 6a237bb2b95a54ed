"""Hidden means hidden in search too: a hidden post is found by nobody,
not even its author or the moderators (they see it on the topic page), and
no snippet carries its words; the index follows edit, hide and restore in
the transaction that made them."""

import pytest
from django.db import connection, transaction

from search.models import SearchEntry
from tests.factories import make_reply

from .helpers import hit_urls, search_page

pytestmark = pytest.mark.django_db

SECRET = "Periwinkle-mongoose"


@pytest.fixture
def hidden(topic, post_author, moderator):
    post = make_reply(topic, author=post_author, subject=f"{SECRET} notes", body=f"{SECRET} home.")
    post.hide(by=moderator, reason="Personal data")
    return post


def fts_rows(entry_pk) -> list:
    """What the SQLite full-text table holds for an entry (its own copy)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT title, text FROM search_fts WHERE rowid = %s", [entry_pk])
        return cursor.fetchall()


@pytest.mark.parametrize("who", ["anonymous", "participant", "post_author", "moderator"])
def test_a_hidden_post_is_found_by_nobody(request, client, topic, hidden, who):
    visible = make_reply(topic, body="periwinkle mongoose sighting, in the open.")
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    for typed in ("periwinkle mongoose", "periwinkle", "notes", "home"):
        page = search_page(client, typed).content.decode()
        assert SECRET not in page
        assert hidden.get_absolute_url() not in page
    # The page works: the visible post with the same words is found.
    assert hit_urls(client, "periwinkle mongoose") == [visible.get_absolute_url()]


def test_a_hidden_post_has_nothing_stored_in_the_index(hidden):
    assert not SearchEntry.objects.filter(post=hidden).exists()
    assert not SearchEntry.objects.filter(text__contains=SECRET).exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table is SQLite's")
def test_nothing_of_it_is_left_in_the_full_text_table(hidden, topic):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH 'periwinkle'")
        assert cursor.fetchone()[0] == 0


def test_the_index_follows_edit_hide_and_restore(client, topic, post_author, moderator):
    post = make_reply(topic, author=post_author, subject="Tidepools", body="Barnacles everywhere.")
    assert hit_urls(client, "barnacles") == [post.get_absolute_url()]

    post.edit(by=post_author, subject="Tidepools", body="Anemones everywhere.")
    assert hit_urls(client, "barnacles") == []
    assert hit_urls(client, "anemones") == [post.get_absolute_url()]
    entry = SearchEntry.objects.get(post=post)
    assert entry.text == "Anemones everywhere."
    if connection.vendor == "sqlite":
        assert fts_rows(entry.pk) == [("Tidepools", "Anemones everywhere.")]

    post.hide(by=moderator)
    assert hit_urls(client, "anemones") == []
    assert not SearchEntry.objects.filter(post=post).exists()
    if connection.vendor == "sqlite":
        assert fts_rows(entry.pk) == []

    post.restore(by=moderator)
    assert hit_urls(client, "anemones") == [post.get_absolute_url()]


def test_a_rolled_back_reply_leaves_nothing_in_the_index(client, topic):
    with pytest.raises(RuntimeError), transaction.atomic():
        make_reply(topic, body="Kingfisher sighting.")
        raise RuntimeError
    assert hit_urls(client, "kingfisher") == []
    assert not SearchEntry.objects.filter(text__contains="Kingfisher").exists()


def test_an_erased_accounts_words_leave_the_index(client, topic, post_author):
    post = make_reply(topic, author=post_author, subject="Otters", body="Otter holts by the weir.")
    post_author.delete_account("remove")
    assert hit_urls(client, "weir") == []
    assert hit_urls(client, "otters") == []
    assert "removed" in SearchEntry.objects.get(post=post).text
