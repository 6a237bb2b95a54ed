"""Anonymous readers' home, category and topic pages, kept whole in the
shared cache (issue 10).

An entry is kept under its address (the path with its whole query string),
the language and the release (the code and catalogues that render it), and
holds the generation tokens of what it shows (forum/generations.py): its
topic, its category, the site's lists. Every change to what a page shows
renews the tokens of what it changed, inside its transaction and again
after the commit, so an entry whose tokens are no longer the current ones
is never served: the next reader renders the page again and replaces it.
Time changes pages too (a dialogue opens, closes, or its "closes in" figure
moves): an entry lives no longer than the next such moment, which the
entry keeps and each hit compares with the time now: the topic page's own
(ReplyState.shown_until), the next opening or closing of the topics a list
shows (TopicQuerySet.next_state_change).

A hit costs no query and one round trip to the cache: the entry with its
tokens (which tokens an entry holds, each process remembers). A page is
rendered to be kept only from the primary database, after the tokens are
read, so it is never older than the tokens it is kept under.

Nothing is cached for a member, nor a page that carries a CSRF token, a
message, a CSP nonce or a cookie. Every page served here, hit or miss,
carries an ETag and a Last-Modified, and conditional requests get 304 Not
Modified.
"""

import functools
import hashlib
from datetime import datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from . import generations
from .db_router import use_primary
from .models import Category, Topic

KEY_PREFIX = "forum:page:"


@functools.cache
def release() -> str:
    """What the pages are rendered with: the project's Python, templates
    and compiled catalogues. Part of every key, so a deployment (new code,
    new translations) never serves a page that older code cached, and
    processes of one release share their entries. Read once a process."""
    roots = {Path(app.path) for app in apps.get_app_configs()}
    roots |= {Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", ())}
    roots |= {Path(d) for d in settings.LOCALE_PATHS}
    base = Path(settings.BASE_DIR).resolve()
    digest = hashlib.sha256()
    for root in sorted(r.resolve() for r in roots):
        if not root.is_relative_to(base) or ".venv" in root.parts:
            continue  # Django's and the libraries' own: pinned by requirements
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".html", ".txt", ".mo") and path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# The query parameters these pages read (cursors, page numbers, reading
# modes). A request with any other is rendered and not stored: made-up
# parameters must not fill the cache with copies of one page.
QUERY_PARAMETERS = frozenset({"after", "before", "start", "page", "view"})


def _cacheable_request(request) -> bool:
    if request.method not in ("GET", "HEAD") or settings.FORUM_PAGE_CACHE_SECONDS <= 0:
        return False
    if not QUERY_PARAMETERS.issuperset(request.GET):
        return False
    if request.user.is_authenticated:
        return False
    # A message waiting for this reader (after logging out, say) is theirs.
    return not len(messages.get_messages(request))


def _storable(request, response, csrf_before) -> bool:
    if response.status_code != 200 or response.cookies or response.streaming:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") != csrf_before:
        return False  # the page asked for a CSRF token: it is this reader's
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:  # evaluated: the page carries this response's nonce
        return False
    return b"csrfmiddlewaretoken" not in response.content


def _page_key(request) -> str:
    return (
        KEY_PREFIX
        + hashlib.sha256(
            f"{release()}|{translation.get_language()}|{request.get_full_path()}".encode()
        ).hexdigest()
    )


# Page key -> the token keys its entry was last seen with, in this process:
# asked for with the entry, so a hit is one round trip to the cache.
_token_keys: dict[str, tuple[str, ...]] = {}
TOKEN_KEYS_KEPT = 10_000


def _remember(key, tokens) -> None:
    if len(_token_keys) >= TOKEN_KEYS_KEPT:
        _token_keys.clear()
    _token_keys[key] = tuple(tokens)


def _current_entry(key):
    """The entry kept under `key` if its tokens are the current ones and the
    page has not changed by itself since."""
    found = cache.get_many([key, *_token_keys.get(key, ())])
    entry = found.pop(key, None)
    if entry is None or (entry["until"] is not None and timezone.now() >= entry["until"]):
        return None
    tokens = entry["tokens"]
    if not tokens.keys() <= found.keys():
        found |= generations.current([name for name in tokens if name not in found])
        _remember(key, tokens)
    return entry if all(found[name] == token for name, token in tokens.items()) else None


def cached_for_anonymous(signature):
    """Serve the view's page to anonymous readers from the cache.
    `signature(request, **kwargs)`, called only to render a page that may be
    kept, returns (tokens, lifetime): the generation tokens of what the page
    shows (None: do not keep it, e.g. no such page), read before the page
    is, and lifetime() the moment the page changes by itself, or None."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not _cacheable_request(request):
                return view(request, *args, **kwargs)
            key = _page_key(request)
            entry = _current_entry(key)
            if entry is not None:
                return _respond(request, entry)
            with use_primary():
                tokens, lifetime = signature(request, **kwargs)
                if tokens is None:
                    return view(request, *args, **kwargs)
                csrf_before = request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and callable(response.render):
                    response = response.render()
                if not _storable(request, response, csrf_before):
                    return response
                until = lifetime()
            now = timezone.now()
            seconds = settings.FORUM_PAGE_CACHE_SECONDS
            if until is not None:
                seconds = min(seconds, int((until - now).total_seconds()))
            entry = {
                "tokens": tokens,
                "content": response.content,
                "content_type": response["Content-Type"],
                # Of the bytes: the same tokens can show other times
                # ("closes in 4 hours"), which must not be a 304.
                "etag": f'"{hashlib.sha256(response.content).hexdigest()[:32]}"',
                "last_modified": int(now.timestamp()),
                # Past this moment the page says something else by itself:
                # the cache's own expiry is only for cleaning up.
                "until": until,
            }
            if seconds > 0:
                cache.set(key, entry, timeout=seconds)
                _remember(key, tokens)
            return _respond(request, entry, response)

        return wrapped

    return decorator


def _respond(request, entry, response=None):
    if response is None:
        response = HttpResponse(entry["content"], content_type=entry["content_type"])
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = http_date(entry["last_modified"])
    # Cacheable, but asked again before each use (a heuristic lifetime from
    # Last-Modified would show an old page after a reply); the answer is
    # often a 304.
    patch_cache_control(response, max_age=0)
    return (
        get_conditional_response(
            request,
            etag=entry["etag"],
            last_modified=entry["last_modified"],
            response=response,
        )
        or response
    )


# -- what each page shows ------------------------------------------------------


def _next_change_anywhere(**filters):
    def lifetime() -> datetime | None:
        return Topic.objects.filter(**filters).next_state_change(timezone.now())

    return lifetime


def home_signature(request):
    return generations.current([generations.LISTS]), _next_change_anywhere()


def category_signature(request, slug):
    pk = Category.objects.filter(slug=slug).values_list("pk", flat=True).first()
    if pk is None:
        return None, None
    tokens = generations.current([generations.category_key(pk), generations.LISTS])
    return tokens, _next_change_anywhere(category_id=pk)


def topic_signature(request, pk, slug=None):
    # The topic's token before its row: a move to another category after
    # this read renews it, so the page is never kept under the old one's.
    tokens = generations.current([generations.topic_key(pk)])
    row = (
        Topic.objects.filter(pk=pk)
        .values_list("category_id", "is_locked", "opens_at", "closes_at")
        .first()
    )
    if row is None:
        return None, None
    category_id, is_locked, opens_at, closes_at = row
    # The category's too: its name is in the breadcrumbs, and a dialogue's
    # page links the next one of its series.
    tokens |= generations.current([generations.category_key(category_id)])

    def lifetime():
        schedule = Topic(is_locked=is_locked, opens_at=opens_at, closes_at=closes_at)
        return schedule.reply_state().shown_until()

    return tokens, lifetime
