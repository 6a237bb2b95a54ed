"""SQLite: the FTS5 table search_fts (external content: the rows of
search_searchentry, copied in by triggers), tokenized by unicode61 with
remove_diacritics 2 (accent-free) and the porter stemmer (English)."""

from django.db import connection
from django.db.models.expressions import RawSQL

from . import START, STOP


def expression(terms: list[str]) -> str:
    # Every word quoted: FTS5 then reads none of it as an operator
    # (terms hold only word characters, so never a quote).
    return " ".join(f'"{term}"' for term in terms)


def page(entries, terms: list[str], start: int, stop: int):
    """FTS5 ranks every match: a site on SQLite is small enough for it."""
    return (
        entries.filter(fts__search_fts__match=expression(terms))
        .annotate(
            # bm25 is lower for better matches; the title weighs more.
            rank=RawSQL("-bm25(search_fts, 4.0, 1.0)", ()),
            snippet=RawSQL("snippet(search_fts, 1, %s, %s, %s, 30)", (START, STOP, "…")),
        )
        .order_by("-rank", "-pk")[start:stop]
    )


def purge_deleted() -> None:
    """FTS5 records a deletion as a marker in a new segment: the words stay
    in the older segments' data until they are merged. An account's erasure
    must leave none, so every segment is merged into one, now (a full
    rewrite of the index: fine at the size of a site on SQLite)."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO search_fts(search_fts) VALUES('optimize')")
