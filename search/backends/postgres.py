"""PostgreSQL: a stored tsvector per entry (GIN-indexed by the migration),
built with the configuration of the entry's language; each configuration
strips accents (unaccent) before stemming."""

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db.models import F, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat

from ..language import CONFIGS
from . import START, STOP


def refresh_vector(entry) -> None:
    config = CONFIGS[entry.language]
    type(entry).objects.filter(pk=entry.pk).update(
        vector=SearchVector("title", weight="A", config=config)
        + SearchVector("text", weight="B", config=config)
    )


def query(terms: list[str]) -> SearchQuery:
    """The words in every configuration, OR-ed: an entry matches when all
    the words match in its own language's stemming. "plain" parsing treats
    every character as text, never as an operator."""
    text = " ".join(terms)
    combined = None
    for config in CONFIGS.values():
        part = SearchQuery(text, config=config, search_type="plain")
        combined = part if combined is None else combined | part
    return combined


def _tsquery_sql(terms: list[str]) -> tuple[str, list]:
    """query() as SQL, for the ranking step that the ORM cannot write."""
    text = " ".join(terms)
    sql = " || ".join(f"plainto_tsquery('{config}'::regconfig, %s)" for config in CONFIGS.values())
    return f"({sql})", [text] * len(CONFIGS)


def page(entries, terms: list[str], start: int, stop: int):
    """One query, three steps: the first FORUM_SEARCH_RANKED_MATCHES matches
    the GIN index yields (its bitmap scan stops there), the page of them by
    rank, and then the snippets of that page only (ts_headline re-reads
    the text, so it runs for 21 rows, not thousands)."""
    tsquery = query(terms)
    model = entries.model
    matches = entries.filter(vector=tsquery).order_by().values("pk", "vector")
    matches_sql, matches_params = matches[
        : settings.FORUM_SEARCH_RANKED_MATCHES
    ].query.sql_with_params()
    rank_sql, rank_params = _tsquery_sql(terms)
    ranked = RawSQL(  # noqa: S611 (every value a parameter)
        f"SELECT m.pk FROM ({matches_sql}) m "  # noqa: S608 (compiled by the ORM, with params)
        f"ORDER BY ts_rank(m.vector, {rank_sql}) DESC, m.pk DESC LIMIT %s OFFSET %s",
        (*matches_params, *rank_params, stop - start, start),
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
