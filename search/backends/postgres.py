"""PostgreSQL: a stored tsvector per entry (GIN-indexed by the migration),
built with the configuration of the entry's language; each configuration
strips accents (unaccent) before stemming."""

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat

from ..language import CONFIGS
from . import START, STOP


def vector_of(entry):
    """The entry's tsvector as an expression of its own text (no column
    references), so it can be written by the statement that saves the row."""
    config = CONFIGS[entry.language]
    return SearchVector(Value(entry.title), weight="A", config=config) + SearchVector(
        Value(entry.text), weight="B", config=config
    )


class Lexemes(SearchQuery):
    """A tsquery written out: lexemes()'s result, never what was typed."""

    def __init__(self, text: str):
        super().__init__(text, search_type="raw")
        self.text = text

    def as_sql(self, compiler, connection, **extra):
        return "%s::tsquery", (self.text,)


def lexemes(terms: list[str]) -> str:
    """The words parsed in every configuration ("plain": every character is
    text, never an operator), each distinct result once, OR-ed: an entry
    matches when all the words match in its own language's stemming. A
    query of its own because repeated branches ('river' | 'river' | ...)
    make the planner expect several times too many matches and read the
    table from its start instead of through the index."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT plainto_tsquery(config::regconfig, %s)::text "
            "FROM unnest(%s::text[]) AS config",
            [" ".join(terms), list(CONFIGS.values())],
        )
        found = sorted(text for (text,) in cursor.fetchall() if text)
    return " | ".join(f"( {text} )" for text in found)


def page(entries, terms: list[str], start: int, stop: int):
    """lexemes(), then one query in three steps: the first
    FORUM_SEARCH_RANKED_MATCHES matches the GIN index yields (its bitmap
    heap scan stops there), the page of them by rank, and the snippets of
    that page only (ts_headline re-reads the text: 21 rows, not thousands)."""
    text = lexemes(terms)
    if not text:  # only stopwords ("the", "and")
        return entries.none()
    tsquery = Lexemes(text)
    model = entries.model
    matches = entries.filter(vector=tsquery).order_by().values("pk", "vector")
    matches = matches[: settings.FORUM_SEARCH_RANKED_MATCHES]
    matches_sql, matches_params = matches.query.sql_with_params()
    ranked = RawSQL(  # noqa: S611 (every value a parameter)
        f"SELECT m.pk FROM ({matches_sql}) m "  # noqa: S608 (compiled by the ORM)
        "ORDER BY ts_rank(m.vector, %s::tsquery) DESC, m.pk DESC LIMIT %s OFFSET %s",
        (*matches_params, text, stop - start, start),
    )
    return (
        model.objects.filter(pk__in=ranked)
        .annotate(
            rank=SearchRank(F("vector"), tsquery),
            snippet=SearchHeadline(
                "text",
                tsquery,
                config=Concat(Value("forum_"), F("language")),
                start_sel=START,
                stop_sel=STOP,
                max_words=35,
                min_words=15,
            ),
        )
        .order_by("-rank", "-pk")
    )
