"""What a topic page shows of its posts, whoever reads it: the replies of
the requested page in the reading mode's order (by keyset cursor), its page
numbers, the opening and last posts and the pinned block, each read once
per topic version in each process; and how the page's rendered parts are
kept (per post, the whole replies section, the parts alike for every
reader, and the CSRF slot of a kept form) (forum.views.topic_detail)."""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db.models import Case, Q, When
from django.http import Http404
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import limits, reading_modes
from .models import Post

# The "Pinned" block stays short: a facilitator's key posts, not a second thread.
PINNED_SHOWN = 20
# Numbered page links shown on each side of the current page.
PAGES_AROUND = 2


def kept_for_version(topic, name: str, read):
    """`read()`, remembered in this process for `topic`'s version: for what
    its page shows that only a change bumping the version can change."""
    return _kept(f"forum:{name}:{topic.pk}:{topic.version}", read)


def _kept(key: str, read):
    """`read()`, remembered in this process under `key` (which names a
    topic version: every change to what the page shows bumps it)."""
    found = caches["local"].get(key)
    if found is None:
        found = read()
        caches["local"].set(key, found, timeout=settings.FORUM_PAGE_CACHE_SECONDS or 600)
    return found


def _read_shown_posts(topic) -> dict:
    """The opening post, the last post and the pinned block in one query."""
    ends = {topic.opening_post_id, topic.last_post_id} - {None}
    pinned = Q(pinned_at__isnull=False, is_hidden=False)
    rows = list(
        # The topic's own database, as topic.posts would read, but by its id:
        # the kept posts must not carry this reader's topic object.
        Post.objects.db_manager(topic._state.db)
        .filter(Q(pk__in=ends) | pinned, topic_id=topic.pk)
        .for_display()
        # The two ends first, then the pins: the limit never cuts an end off.
        .order_by(Case(When(pk__in=ends, then=0), default=1), "pinned_at", "pk")[
            : len(ends) + PINNED_SHOWN
        ]
    )
    by_pk = {post.pk: post for post in rows}
    pins = sorted((p for p in rows if p.pinned_at and not p.is_hidden), key=lambda p: p.pinned_at)
    return {
        "opening_post": by_pk.get(topic.opening_post_id),
        "last_post": by_pk.get(topic.last_post_id),
        "pinned_posts": pins[:PINNED_SHOWN],
    }


def attach_shown_posts(topic) -> list:
    """Give `topic` its opening post and last post, each with its author,
    and return the pinned block (on every page: it stays in view while
    reading). The same for every reader, so read once per topic version in
    this process (one query then, none after); never older than the version
    they are kept under, since the topic row was read first."""
    shown = _kept(f"forum:topic-shown:{topic.pk}:{topic.version}", lambda: _read_shown_posts(topic))
    topic.opening_post, topic.last_post = shown["opening_post"], shown["last_post"]
    return shown["pinned_posts"]


def _cursor(request, name):
    value = request.GET.get(name)
    if value is None:
        return None
    if not value.isdigit():
        raise Http404(_("That page of the topic does not exist."))
    return int(value)


def _tree_page(request, topic, order) -> dict:
    """The replies of the requested page, in the reading mode's order, by
    keyset cursor, and the cursors of the pages around it."""
    after, start, before = (_cursor(request, n) for n in ("after", "start", "before"))
    last = request.GET.get("page") == "last"
    if start == topic.opening_post_id:
        start = None  # where a permalink to the opening post lands: the first page
    posts, has_more = order.page(
        size=settings.FORUM_PAGE_SIZE, after=after, start=start, before=before, last=last
    )
    if before is not None or last:
        has_previous, has_next = has_more, before is not None
    else:
        has_previous, has_next = after is not None or start is not None, has_more
    if has_previous and order.only_unread:
        # What came before was read on the pages before, so it left "new".
        has_previous = order.position(posts[0] if posts else topic.last_post)[1] > 0
    return {
        "posts": posts,
        "is_first_page": not has_previous,
        "has_previous": has_previous,
        "has_next": has_next,
        "previous_cursor": posts[0].pk if has_previous and posts else None,
        "next_cursor": posts[-1].pk if has_next and posts else None,
    }


def _page_numbers(topic, tree: dict, order) -> dict:
    """ "Page 3 of 7" and numbered links: the first, the last, and those near
    this page, each an offset-free ?start= cursor at a multiple of the page
    size. Two queries, the same on page 500 as on page 1 (one pass over the
    topic's index in the mode's order, then offsets of a few pages at most);
    none when the whole topic fits on this page."""
    if tree["is_first_page"] and not tree["has_next"]:
        return {"page_number": 1, "page_count": 1, "page_links": []}
    size = settings.FORUM_PAGE_SIZE
    first = tree["posts"][0] if tree["posts"] else topic.last_post
    total, before = _position(topic, order, first)
    count = max(-(-total // size), 1)
    number = count if not tree["has_next"] else before // size + 1
    shown = sorted(
        n
        for n in {1, count, *range(number - PAGES_AROUND, number + PAGES_AROUND + 1)}
        if 1 <= n <= count
    )
    # Where each linked page starts, counted from the first post shown (or,
    # for the last page, from the end): never more than a few pages away.
    near = {n: (n - 1) * size - before for n in shown if n > 1 and n != count}
    ends = {count: total - 1 - (count - 1) * size} if count > 1 else {}
    ids = order.ids_around(first, near, ends)
    url, query = topic.get_absolute_url(), reading_modes.mode_query(order.mode)
    links, previous = [], 0
    for n in shown:
        if n > 1 and ids.get(n) is None:
            continue  # deleted a moment ago
        if n > previous + 1:
            links.append(None)  # an ellipsis
        cursor = f"start={ids[n]}&{query}" if n > 1 else query
        links.append({"number": n, "url": f"{url}?{cursor}".rstrip("?&")})
        previous = n
    return {"page_number": number, "page_count": count, "page_links": links}


def _position(topic, order, first) -> tuple[int, int]:
    """The order's position count, which reads the topic's whole index (a
    third of a second for 100,000 replies on a busy machine). The tree
    order's is the same for every reader, so it is remembered in this
    process per topic version: every reply, hide or restore bumps it. The
    time orders' are cheap (the (topic, id) index alone), and "new" is the
    reader's own."""
    if not isinstance(order, reading_modes.TreeOrder):
        return order.position(first)
    key = f"forum:position:{topic.pk}:{topic.version}:{first.path}"
    return _kept(key, lambda: order.position(first))


def page_of_posts(request, topic, order) -> dict:
    """The page's replies and its page numbers (attach_shown_posts() first): in the
    threaded and time orders the same for every reader, so remembered in
    this process per topic version, which every change to a post, an
    author's name or the topic bumps. The read is never older than the
    version it is kept under: the topic row came first. A reader's own "new"
    order is read every time."""

    def read() -> dict:
        tree = _tree_page(request, topic, order)
        return {"tree": tree, "page_numbers": _page_numbers(topic, tree, order)}

    if order.only_unread:
        return read()
    cursors = "-".join(str(_cursor(request, name)) for name in ("after", "start", "before"))
    last = request.GET.get("page") == "last"
    key = f"forum:topic-page:{topic.pk}:{topic.version}:{order.mode}:{cursors}:{last:d}"
    return _kept(key, read)


# How long a rendered post, or a page's rendered replies, stays in each
# process's memory (CACHES["local"]).
FRAGMENT_SECONDS = 600


@dataclass(frozen=True)
class Fragment:
    key: str
    timeout: int
    has_actions: bool = False  # a footer of links or tools (else none: nothing to show)


def fragment(rights, post) -> Fragment:
    """What a post's rendering on the topic page depends on beyond the post,
    its author and the post it answers (all covered by the topic's version,
    which every change to them bumps): the viewer's answers
    (permissions.PageRights, asked once a page), "new", the language and
    the time zone. Never kept when it shows messages or forms (their CSRF
    token is this reader's)."""
    keep = not (rights.pin(post) or rights.hide(post)) and not getattr(post, "notes", None)
    answers = (
        keep,
        getattr(post, "is_new", False),
        rights.view_hidden(post),
        rights.view_parent(post),
        rights.reply,
        rights.edit(post),
        rights.flag(post),
        rights.view_revisions(post),
    )
    key = "".join("1" if answer else "0" for answer in answers)
    return Fragment(
        f"{key}:{get_language()}:{timezone.get_current_timezone_name()}",
        FRAGMENT_SECONDS if keep else 0,
        has_actions=bool(
            not keep  # the facilitator's tools, or messages
            or post.is_opening  # its "Link"
            or post.edited_at  # "edited"
            or (rights.reply and not post.is_hidden)
            or any(answers[5:7])  # edit, flag
        ),
    )


def shared_parts() -> Fragment:
    """How the topic page keeps the parts it shows alike to every reader
    (the pinned block, a dialogue's header, the reply form): per topic
    version, language and time zone (their dates)."""
    return Fragment(f"{get_language()}:{timezone.get_current_timezone_name()}", FRAGMENT_SECONDS)


def replies_fragment(request, rights, posts, order) -> Fragment:
    """How the page's whole replies section (reading modes, page links and
    the posts) is kept: under what each of its posts is kept by, with the
    page's cursors and mode, so two readers whose posts would render alike
    share it: one read of the cache instead of one a post. Not kept in "new
    to me" (its page links are the reader's own) nor when a post shows
    tools or messages."""
    parts = [fragment(rights, post) for post in posts]
    if order.only_unread or not all(part.timeout for part in parts):
        return Fragment("", 0)
    cursors = "-".join(str(request.GET.get(name)) for name in reading_modes.CURSORS)
    return Fragment(
        ":".join(
            [
                order.mode,
                cursors,
                "member" if request.user.is_authenticated else "anonymous",
                get_language(),
                timezone.get_current_timezone_name(),
                *(f"{post.pk}={part.key}" for post, part in zip(posts, parts, strict=True)),
            ]
        ),
        FRAGMENT_SECONDS,
    )


# What a form kept in this process's memory carries in place of what must
# be new on every page: its reader's CSRF token (`{% with
# csrf_token=csrf_slot %}` around it in the template) and its one-time
# submission token (forms.SubmittedOnce: the same one on two pages would make
# the second reply a "resend" of the first). Random, so no post or title can
# contain them; per process, like the CACHES["local"] entries that carry them.
CSRF_SLOT = f"csrf-slot-{secrets.token_urlsafe(18)}"
SUBMISSION_SLOT = f"submission-slot-{secrets.token_urlsafe(18)}"


def fill_slots(request, response):
    """Put the reader's own CSRF token and a fresh submission token where a
    kept form has their slots."""
    content = response.content
    for slot, value in (
        (CSRF_SLOT, lambda: get_token(request)),
        (SUBMISSION_SLOT, limits.new_token),
    ):
        if slot.encode() in content:
            content = content.replace(slot.encode(), value().encode())
    response.content = content
    return response
