"""The two full-text engines behind search.query: each turns the words of
a query into a filter on SearchEntry with `rank` (higher first) and
`snippet` annotations, the snippet being plain text with the matches
between START and STOP (control characters that plain text never holds)."""

from django.db import connection

START, STOP = "\x02", "\x03"


def match(entries, terms: list[str]):
    if connection.vendor == "postgresql":
        from . import postgres as engine
    else:
        from . import sqlite as engine
    return engine.match(entries, terms)
