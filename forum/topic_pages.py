"""What a topic page shows of its posts, whoever reads it: the replies of
the requested page in the reading mode's order (by keyset cursor), its page
numbers and the pinned block (forum.views.topic_detail)."""

from django.conf import settings
from django.core.cache import caches
from django.http import Http404
from django.utils.translation import gettext as _

from . import reading_modes

# The "Pinned" block stays short: a facilitator's key posts, not a second thread.
PINNED_SHOWN = 20
# Numbered page links shown on each side of the current page.
PAGES_AROUND = 2


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
    found = caches["local"].get(key)
    if found is None:
        found = order.position(first)
        caches["local"].set(key, found, timeout=settings.FORUM_PAGE_CACHE_SECONDS or 600)
    return found


def page_of_posts(request, topic, order) -> dict:
    """The page's replies, its page numbers and the pinned block: in the
    threaded and time orders the same for every reader, so remembered in
    this process per topic version, which every change to a post, an
    author's name or the topic bumps. The read is never older than the
    version it is kept under: the topic row came first. A reader's own "new"
    order is read every time."""

    def read() -> dict:
        tree = _tree_page(request, topic, order)
        return {
            "tree": tree,
            "page_numbers": _page_numbers(topic, tree, order),
            # On every page: the block stays in view while reading.
            "pinned_posts": list(topic.posts.pinned().for_display()[:PINNED_SHOWN]),
        }

    if order.only_unread:
        return read()
    cursors = "-".join(str(_cursor(request, name)) for name in ("after", "start", "before"))
    last = request.GET.get("page") == "last"
    key = f"forum:topic-page:{topic.pk}:{topic.version}:{order.mode}:{cursors}:{last:d}"
    found = caches["local"].get(key)
    if found is None:
        found = read()
        caches["local"].set(key, found, timeout=settings.FORUM_PAGE_CACHE_SECONDS or 600)
    return found
