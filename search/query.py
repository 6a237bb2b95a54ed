"""The search function the page (and the benchmark) call: the same on both
databases, returning the same shape of result."""

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from forum.permissions import can_view_topic

from . import backends
from .models import SearchEntry

PAGE_SIZE = 20
# Ranked results are read page by page with OFFSET: bounded, so that the
# last page costs about what the first does. Past it, narrow the search.
MAX_PAGES = 10
MAX_TERMS = 12
WORD = re.compile(r"\w+")


def words(query: str) -> list[str]:
    """The words of what was typed; quotes, operators, punctuation and
    control characters are dropped, never interpreted."""
    return WORD.findall(query)[:MAX_TERMS]


_MARKED = re.compile(f"{backends.START}([^{backends.START}{backends.STOP}]*){backends.STOP}")


def mark(snippet: str) -> SafeString:
    """Escape the plain-text snippet first, then turn the markers into
    <mark>: no text a member wrote reaches the page unescaped."""
    marked = _MARKED.sub(r"<mark>\1</mark>", escape(snippet or ""))
    return mark_safe(marked.replace(backends.START, "").replace(backends.STOP, ""))  # noqa: S308


@dataclass
class Filters:
    category: object = None
    topic: object = None
    author: object = None
    since: datetime | None = None
    before: datetime | None = None
    has_summary: bool = False
    only_summaries: bool = False
    only_leaders: bool = False


@dataclass
class Hit:
    entry: SearchEntry
    snippet: SafeString

    @property
    def is_summary(self) -> bool:
        return self.entry.kind == SearchEntry.Kind.SUMMARY

    @property
    def topic(self):
        return self.entry.topic

    @property
    def post(self):
        return self.entry.post

    @property
    def url(self) -> str:
        if self.is_summary:
            return f"{self.topic.get_absolute_url()}#summary"
        return self.post.get_absolute_url()


@dataclass
class Results:
    hits: list[Hit] = field(default_factory=list)
    page: int = 1
    has_next: bool = False

    @property
    def start(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _published(entry: SearchEntry) -> bool:
    """Belt and braces: hidden posts have no entry (search.indexing);
    checked on the page's rows, not in SQL, so ranking needs no join."""
    return entry.post is None or not entry.post.is_hidden


def filtered(filters: Filters):
    entries = SearchEntry.objects.all()
    if filters.category is not None:
        entries = entries.in_category(filters.category)
    if filters.topic is not None:
        entries = entries.in_topic(filters.topic)
    if filters.author is not None:
        entries = entries.by_author(filters.author)
    if filters.since is not None:
        entries = entries.since(filters.since)
    if filters.before is not None:
        entries = entries.before(filters.before)
    if filters.has_summary:
        entries = entries.with_summary()
    if filters.only_summaries:
        entries = entries.summaries()
    if filters.only_leaders:
        entries = entries.by_leaders()
    return entries


def search(terms: list[str], *, user, filters: Filters | None = None, page: int = 1) -> Results:
    """One page of the best matches for all of `terms`, in one query."""
    if not terms:
        return Results(page=page)
    page = min(max(page, 1), MAX_PAGES)
    start = (page - 1) * PAGE_SIZE
    rows = list(
        backends.page(
            filtered(filters or Filters()), terms, start, start + PAGE_SIZE + 1
        ).select_related("topic__category", "post__author")
    )
    hits = [
        Hit(entry=entry, snippet=mark(entry.snippet))
        for entry in rows[:PAGE_SIZE]
        if can_view_topic(user, entry.topic) and _published(entry)
    ]
    return Results(hits=hits, page=page, has_next=len(rows) > PAGE_SIZE and page < MAX_PAGES)
