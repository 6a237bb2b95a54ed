"""PostgreSQL: a stored tsvector per entry (GIN-indexed by the migration),
built with the configuration of the entry's language; each configuration
strips accents (unaccent) before stemming."""

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db.models import F, Value
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


def match(entries, terms: list[str]):
    tsquery = query(terms)
    return (
        entries.filter(vector=tsquery)
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
