"""The two full-text engines behind search.query: each reads one page of the
best matches of a query's words among some SearchEntry rows, each with
`rank` (higher first) and `snippet`, the snippet being plain text with the matches
between START and STOP (control characters that plain text never holds)."""

from django.db import connection

START, STOP = "\x02", "\x03"


def page(entries, terms: list[str], start: int, stop: int):
    """Rows start..stop of the best matches, best first."""
    if connection.vendor == "postgresql":
        from . import postgres as engine
    else:
        from . import sqlite as engine
    return engine.page(entries, terms, start, stop)
