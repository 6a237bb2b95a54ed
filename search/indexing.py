"""Keeping the index current. Every write happens inside the transaction of
the change it follows (forum.signals are sent inside it, and Dialogue is
saved inside write_summary()/publish_summary()), so the index never shows
a post that was rolled back or misses one that committed.

A hidden post has no entry at all: nothing of it can be matched or cut
into a snippet. A summary has one only while it is published."""

from django.db import connection

from dialogues.models import Dialogue
from forum.models import Post

from . import language
from .models import SearchEntry
from .text import CONTROL, plain_text


def _searchable_subject(post: Post) -> str:
    if post.is_opening:
        return post.subject  # the topic's title
    # "Re: <title>" on every reply would make each reply match the title.
    return "" if post.subject.lower().startswith("re:") else post.subject


def index_post(post: Post, *, new: bool = False) -> None:
    """`new`: the post was just created, so it has no entry to look up
    (one query fewer in every reply)."""
    if post.is_hidden:
        if not new:
            SearchEntry.objects.filter(post=post).delete()
        return
    title = CONTROL.sub(" ", _searchable_subject(post))
    text = plain_text(post.body_html)
    existing = None if new else SearchEntry.objects.filter(post=post).first()
    _store(
        existing or SearchEntry(post=post),
        kind=SearchEntry.Kind.POST,
        topic_id=post.topic_id,
        created_at=post.created_at,
        title=title,
        text=text,
    )


def index_summary(dialogue: Dialogue) -> None:
    if dialogue.summary_published_at is None or not dialogue.summary_html.strip():
        SearchEntry.objects.filter(dialogue=dialogue).delete()
        return
    title = dialogue.topic.title
    _store(
        SearchEntry.objects.filter(dialogue=dialogue).first() or SearchEntry(dialogue=dialogue),
        kind=SearchEntry.Kind.SUMMARY,
        topic_id=dialogue.topic_id,
        created_at=dialogue.summary_published_at,
        title=CONTROL.sub(" ", title),
        text=plain_text(dialogue.summary_html),
    )


def _store(entry: SearchEntry, **fields) -> None:
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.language = language.guess(f"{entry.title} {entry.text}")
    if connection.vendor == "postgresql":
        from .backends import postgres

        # Computed by the INSERT or UPDATE itself: no second statement.
        entry.vector = postgres.vector_of(entry)
    entry.save()
    # On SQLite the triggers of the migration update search_fts.


def reindex(post_ids, topic_ids=()) -> None:
    """For changes made without the signals (an account's erasure rewrites
    its posts with one UPDATE): the posts again, and the summaries of the
    topics, whose titles the entries carry."""
    for post in Post.objects.filter(pk__in=post_ids).select_related("topic"):
        index_post(post)
    for dialogue in Dialogue.objects.filter(topic_id__in=topic_ids).select_related("topic"):
        index_summary(dialogue)
    if connection.vendor == "sqlite":
        from .backends import sqlite

        sqlite.purge_deleted()


def post_added(sender, post: Post, **kwargs) -> None:
    """Receives forum.signals.post_added."""
    index_post(post, new=True)


def post_saved(sender, post: Post, **kwargs) -> None:
    """Receives forum.signals.post_changed (and, for an opening post, what
    post_added needs beyond the post's own entry)."""
    index_post(post)
    if post.is_opening:
        # The topic's title is its opening post's subject: the summary's
        # entry carries it too.
        dialogue = Dialogue.objects.filter(topic_id=post.topic_id).first()
        if dialogue is not None:
            index_summary(dialogue)


def dialogue_saved(sender, instance: Dialogue, update_fields=None, **kwargs) -> None:
    """Receives post_save of dialogues.Dialogue."""
    if update_fields is not None and not {
        "summary",
        "summary_html",
        "summary_published_at",
    } & set(update_fields):
        return
    index_summary(instance)
