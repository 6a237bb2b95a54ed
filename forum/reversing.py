"""URLs of posts, topics and people without a reverse() per link: the topic
page links every post, its author and the post it answers, and reverse()
walks the URL patterns each time. Each URL name is reversed once (per
script prefix and URLconf) with placeholder arguments; links are then that
template with the arguments quoted as reverse() quotes them."""

import functools
from urllib.parse import quote

from django.urls import get_script_prefix, get_urlconf, reverse

# Digits match every converter these URLs use (int, str, slug).
PLACEHOLDER = "7304918265"
# What reverse() leaves unquoted (django.urls.resolvers).
SAFE = "!$&'()*+,;=" + "/~:@"


@functools.lru_cache(maxsize=128)
def _parts(name: str, arity: int, prefix: str, urlconf) -> tuple[str, ...] | None:
    parts = tuple(reverse(name, args=[PLACEHOLDER] * arity).split(PLACEHOLDER))
    return parts if len(parts) == arity + 1 else None


def url_for(name: str, *args) -> str:
    """reverse(name, args=args), for arguments that match the URL's
    converters (ids, slugs, usernames: never a "/" nor empty)."""
    parts = _parts(name, len(args), get_script_prefix(), get_urlconf())
    if parts is None:
        return reverse(name, args=args)
    values = [quote(str(arg), safe=SAFE) for arg in args]
    return parts[0] + "".join(value + part for value, part in zip(values, parts[1:], strict=True))
