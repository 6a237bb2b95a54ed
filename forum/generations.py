"""The anonymous page cache's generations: one token for each topic, each
category and the site's lists, kept in the shared cache beside the pages
(forum/page_cache.py), so that a cached page is found and checked without
asking the database.

Every change to what a page shows renews the tokens of what it changed
(TopicQuerySet.touch, Category.save and delete, Topic.add_reply): a fresh
random value, never an increment, so two changes at once can never leave a
token that an earlier one already had. It is renewed twice: at once, so the
process making the change (and a test inside one transaction) sees it, and
again after the commit. A reader reads the tokens before it reads the
database; a page rendered between the two renewals may show the database
from before the commit, and is kept under the first renewal's tokens, which
the second one retires. A page is only kept after rendering from the
primary (page_cache), so a replica that is behind never puts an old page
under new tokens.

Forum models import this module; it imports none of them."""

import logging
import secrets

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

PREFIX = "forum:generation:"
LISTS = PREFIX + "lists"  # the home page: every category and its latest topics
# A token outlives the pages kept under it; when it is evicted or expires,
# a new random one simply makes the next reader render the page again.
SECONDS = 24 * 3600


def topic_key(pk) -> str:
    return f"{PREFIX}topic:{pk}"


def category_key(pk) -> str:
    return f"{PREFIX}category:{pk}"


def _fresh() -> str:
    return secrets.token_hex(8)


def renew(*, topics=(), categories=()) -> None:
    """What topics and categories (by primary key) changed, inside the
    change's transaction. The lists always change with them."""
    keys = [*map(topic_key, topics), *map(category_key, categories), LISTS]

    def write():
        try:
            cache.set_many({key: _fresh() for key in keys}, timeout=SECONDS)
        except Exception:  # the cache is down: its pages expire by themselves
            logger.exception("page cache generations not renewed: %s", keys)

    write()
    transaction.on_commit(write)


def current(keys) -> dict[str, str]:
    """The tokens now, making any that are missing. One round trip when all
    are there."""
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, _fresh(), timeout=SECONDS)
        # Whoever added first (or a change renewing it meanwhile) wins.
        found.update(cache.get_many(missing))
    return found
