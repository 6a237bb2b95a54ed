"""Reading modes of a topic page: threaded (tree order), flat (time order)
and, for members, only what they have not read yet (time order).

The mode comes from `?view=`, else from the member's remembered choice,
else threaded. Each mode pages its replies by keyset cursor (`?after=`,
`?before=`, `?start=`, `?page=last`): post ids in the tree for threaded,
ids in time order for the others, so page 500 costs what page 1 does in
each. ReadingPreference is a model of forum.models, defined here by
concern."""

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Count, Q, Subquery
from django.utils.translation import gettext_lazy as _


class Mode(models.TextChoices):
    THREADED = "threaded", _("Threaded")
    FLAT = "flat", _("In time order")
    NEW = "new", _("New to me")


class ReadingPreference(models.Model):
    """The reading mode a member last chose, so that it follows them from
    device to device. No row: threaded."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="reading_preference",
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.THREADED)

    def __str__(self) -> str:
        return f"{self.user} reads {self.mode}"

    @classmethod
    def remember(cls, user, mode: str) -> None:
        # An upsert: two tabs switching at once must not collide.
        cls.objects.bulk_create(
            [cls(user=user, mode=mode)],
            update_conflicts=True,
            unique_fields=["user"],
            update_fields=["mode"],
        )


class ViewForm(forms.Form):
    view = forms.ChoiceField(choices=Mode.choices, required=False)


CURSORS = ("after", "before", "start", "page")


def with_reading_mode(queryset, user):
    """Annotate `stored_reading_mode`, the member's remembered choice, on
    the topic (or post) a page reads anyway: no query of its own for it."""
    if not user.is_authenticated:
        return queryset
    stored = ReadingPreference.objects.filter(user=user).values("mode")[:1]
    return queryset.annotate(stored_reading_mode=Subquery(stored))


def asked_mode(request) -> str:
    """The valid `?view=` of the request, or ""."""
    form = ViewForm(request.GET)
    return form.cleaned_data["view"] if form.is_valid() else ""


def chosen_mode(request, stored: str | None = None, *, remember: bool = True) -> str:
    """The mode this request reads in. An explicit, valid `?view=` wins;
    a member's choice is remembered when it is one (the switcher's links
    carry no cursor), not when a page link, a permalink's redirect or a
    link someone shared carries it. Anonymous readers have no "new": they
    read threaded unless the address says flat."""
    asked, user = asked_mode(request), request.user
    if not user.is_authenticated:
        return Mode.FLAT if asked == Mode.FLAT else Mode.THREADED
    current = stored or Mode.THREADED
    if remember and asked and asked != current and not any(n in request.GET for n in CURSORS):
        ReadingPreference.remember(user, asked)
    return asked or current


def mode_query(mode: str) -> str:
    """What page links in `mode` add to their address: threaded, the
    default, adds nothing, so its addresses stay what they always were."""
    return "" if mode == Mode.THREADED else f"view={mode}"


def switcher(topic, mode: str, user) -> dict:
    """What templates/forum/_reading_modes.html shows, and what the topic
    page's links add to stay in `mode`."""
    url = topic.get_absolute_url()
    modes = [m for m in Mode if user.is_authenticated or m != Mode.NEW]
    query = mode_query(mode)
    return {
        "reading_mode": mode,
        "mode_query": query,
        # Permalinks on the page land in the same mode (post_permalink).
        "post_link_query": f"?{query}" if query else "",
        # In time order a reply's neighbours are not its thread: each one
        # says what it answers, the opening post included.
        "in_time_order": mode != Mode.THREADED,
        "reading_modes": [
            {"label": m.label, "url": f"{url}?view={m.value}", "current": m == mode} for m in modes
        ],
    }


def order_for(mode: str, topic, marker=None) -> "TreeOrder | TimeOrder":
    from .models import Post

    if mode == Mode.NEW and marker is not None:
        return TimeOrder(unread_replies(topic, marker), topic, only_unread=True)
    # From the topic's own database, as topic.posts would read, but by its id:
    # the threaded and time orders' pages are kept per topic version for
    # every reader (forum/topic_pages.py), so their posts must not carry
    # this reader's topic object.
    posts = Post.objects.db_manager(topic._state.db).filter(topic_id=topic.pk)
    return TimeOrder(posts, topic) if mode == Mode.FLAT else TreeOrder(posts)


def unread_replies(topic, marker):
    """The replies `marker`'s user has not read, as TopicRead counts them:
    past the watermark, visible, by someone else, and not among the extras
    read already (only those past the watermark are ever kept)."""
    posts = topic.posts.filter(pk__gt=marker.last_read_post_id, is_hidden=False).exclude(
        author_id=marker.user_id
    )
    if marker.extra_read_ids:
        posts = posts.exclude(pk__in=marker.extra_read_ids)
    return posts


class TreeOrder:
    """Threaded: the reply tree's order, by `path` (forum/tree.py)."""

    mode = Mode.THREADED
    only_unread = False

    def __init__(self, posts):
        self.posts = posts

    def page(self, **cursors):
        return self.posts.tree_page(**cursors)

    def position(self, first) -> tuple[int, int]:
        return self.posts.tree_position(first.path)

    def ids_around(self, first, offsets: dict, from_end: dict) -> dict:
        return self.posts.ids_around(first.path, offsets, from_end)

    def before_count(self, post, limit: int) -> int:
        """How many replies come before `post`, counting at most `limit`."""
        return self.posts.replies().filter(path__lt=post.path)[:limit].count()


class TimeOrder:
    """Flat and new: replies by id, the order they were posted in. Every
    query reads the topic's (topic, id) index from a cursor, like the tree
    order reads (topic, path)."""

    def __init__(self, posts, topic, *, only_unread=False):
        # The replies are all but the opening post: said by id, not by path,
        # a count reads the (topic, id) index alone, never the table.
        self.posts = posts.exclude(pk=topic.opening_post_id)
        self.only_unread = only_unread
        self.mode = Mode.NEW if only_unread else Mode.FLAT
        self._positions = {}

    def page(self, *, size: int, after=None, start=None, before=None, last=False):
        """As PostQuerySet.tree_page(): (posts, has_more beyond the page in
        the direction read)."""
        replies = self.posts.for_display()
        if before is not None or last:
            if before is not None:
                replies = replies.filter(pk__lt=before)
            rows = list(replies.order_by("-pk")[: size + 1])
            return rows[:size][::-1], len(rows) > size
        if after is not None:
            replies = replies.filter(pk__gt=after)
        elif start is not None:
            replies = replies.filter(pk__gte=start)
        rows = list(replies.order_by("pk")[: size + 1])
        return rows[:size], len(rows) > size

    def position(self, first) -> tuple[int, int]:
        """(replies in all, replies before `first`): one pass over the
        (topic, id) index. Asked twice on some pages: counted once."""
        if first.pk not in self._positions:
            counts = self.posts.order_by().aggregate(
                total=Count("pk"), before=Count("pk", filter=Q(pk__lt=first.pk))
            )
            self._positions[first.pk] = counts["total"], counts["before"]
        return self._positions[first.pk]

    def ids_around(self, first, offsets: dict, from_end: dict) -> dict:
        """As PostQuerySet.ids_around(), in time order: one query, each
        subquery reading only as many index entries as its offset."""
        from .models import Post

        replies = self.posts.order_by()
        after, before = replies.filter(pk__gte=first.pk), replies.filter(pk__lt=first.pk)
        columns = {}
        for key, n in offsets.items():
            rows = (
                after.order_by("pk")[n : n + 1] if n >= 0 else before.order_by("-pk")[-n - 1 : -n]
            )
            columns[f"id_{key}"] = Subquery(rows.values("pk"))
        for key, n in from_end.items():
            columns[f"id_{key}"] = Subquery(replies.order_by("-pk")[n : n + 1].values("pk"))
        if not columns:
            return {}
        row = Post.objects.filter(pk=first.pk).values(**columns).first() or {}
        return {key: row.get(f"id_{key}") for key in [*offsets, *from_end]}

    def before_count(self, post, limit: int) -> int:
        return self.posts.filter(pk__lt=post.pk)[:limit].count()


def page_url(post, mode: str, user, *, stored: str = Mode.THREADED, marker=None) -> str:
    """The topic page that shows `post` in `mode`, at its anchor: the first
    page when it is among the first replies, else a page starting at it.
    A post read already is not in "new": it is shown in time order. A
    page in a mode other than the remembered one always has a cursor, so
    that landing there changes no one's choice (see chosen_mode)."""
    from .reading import TopicRead

    topic = post.topic
    if mode == Mode.NEW and marker is None:
        marker = TopicRead.objects.filter(user=user, topic=topic).first()
        marker = marker or TopicRead(user=user, topic=topic)
    if mode == Mode.NEW:
        if not marker.is_unread(post, user):
            mode = Mode.FLAT
    query = [mode_query(mode)] if mode_query(mode) else []
    size = settings.FORUM_PAGE_SIZE
    # Showing the opening post is what the first page does, in every mode.
    if mode != stored or (
        not post.is_opening and order_for(mode, topic, marker).before_count(post, size) >= size
    ):
        query.insert(0, f"start={post.pk}")
    url = topic.get_absolute_url() + (f"?{'&'.join(query)}" if query else "")
    return f"{url}#{post.anchor}"
