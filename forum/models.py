from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Count, F, FilteredRelation, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from . import generations, markup, signals, tree
from .moderation import (  # noqa: F401  (models of this app, defined by concern)
    Flag,
    ModerationLog,
    PostModeration,
    PostRevision,
    TopicModeration,
    describe_changes,
)
from .reading import TopicRead, own_visible_posts
from .reading_modes import ReadingPreference  # noqa: F401
from .reversing import url_for
from .roles import FacilitatorAssignment  # noqa: F401
from .schedule import TopicSchedule, TopicScheduleQuerySet


class VersionedSave:
    """`version` (what each process keeps of a topic's page is keyed on it:
    forum/topic_pages.py) only ever goes up, by `F() + 1` in
    TopicQuerySet.touch(). A save of a whole
    row that was read before a bump must not write the older number back:
    that would make stale renderings current again."""

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is None and not self._state.adding:
            update_fields = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "version"
            ]
        super().save(*args, update_fields=update_fields, **kwargs)


class Category(models.Model):
    class TopicStarters(models.TextChoices):
        FACILITATORS = "facilitators", _("Its facilitators (and moderators)")
        MEMBERS = "members", _("Any verified member")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_series = models.BooleanField(
        _("conversation series"),
        default=False,
        help_text=_("A series of facilitated dialogues rather than an open section."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    # Asked by forum.permissions.start_topic_refusal().
    topic_starters = models.CharField(
        _("who may start topics"),
        max_length=12,
        choices=TopicStarters.choices,
        default=TopicStarters.FACILITATORS,
        help_text=_(
            "A conversation series is opened by its facilitators; a help or open "
            "section can let every member with a verified address ask."
        ),
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # A renamed or re-described category changes its pages and its
        # topics' breadcrumbs.
        with transaction.atomic():
            super().save(*args, **kwargs)
            generations.renew(categories=[self.pk])

    def get_absolute_url(self) -> str:
        return reverse("forum:category", args=[self.slug])

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            generations.renew(categories=[self.pk])
            return super().delete(*args, **kwargs)


class TopicQuerySet(TopicScheduleQuerySet):
    def touch(self) -> None:
        """Mark these topics, and their categories, changed: a new version
        (for what each process keeps of their pages) and new generation
        tokens (forum/generations.py: the anonymous page cache's topic,
        category and home pages). Call it inside the transaction of every
        change to what those pages show."""
        rows = list(self.order_by().values_list("pk", "category_id"))
        if not rows:
            return
        ids, categories = {pk for pk, _ in rows}, {category for _, category in rows}
        Topic.objects.filter(pk__in=ids).update(version=F("version") + 1)
        generations.renew(topics=ids, categories=categories)

    def with_posts_by(self, user):
        """The topics where `user` has a post: the pages that show their name."""
        return self.filter(pk__in=Post.objects.filter(author=user).values("topic_id"))

    def for_listing(self):
        return self.select_related("category", "last_post__author").order_by(
            "-is_sticky", "-last_post_at"
        )

    def with_new_counts(self, user):
        """Annotate `new_count`: visible posts by others that `user` has not
        read. Hidden posts are never new, for anyone (TopicRead skips them too).
        Arithmetic on stored counts (see TopicRead.read_count): it costs the
        same however many posts are unread."""
        if not user.is_authenticated:
            return self.annotate(new_count=Value(0, output_field=IntegerField()))
        marker = TopicRead.objects.filter(topic=OuterRef("pk"), user=user)
        read = Coalesce(Subquery(marker.values("read_count")[:1]), 0)
        extra = Coalesce(Subquery(marker.values("extra_read_count")[:1]), 0)
        return self.annotate(
            new_count=Greatest(F("post_count") - own_visible_posts(user) - read - extra, 0)
        )

    def unread_by(self, user):
        """The topics with posts `user` has not read, with `new_count`."""
        return self.with_new_counts(user).filter(new_count__gt=0)

    def with_read_state(self, user):
        """`new_count` plus the user's read marker, so the topic page needs no
        query of its own for them (see Topic.read_marker): one join to the
        marker (a topic has at most one per user)."""
        if not user.is_authenticated:
            return self.with_new_counts(user)
        marker = self.annotate(viewer_read=FilteredRelation("reads", condition=Q(reads__user=user)))
        read = Coalesce(F("viewer_read__read_count"), 0)
        extra = Coalesce(F("viewer_read__extra_read_count"), 0)
        return marker.annotate(
            new_count=Greatest(F("post_count") - own_visible_posts(user) - read - extra, 0),
            read_marker_pk=F("viewer_read__pk"),
            read_until=F("viewer_read__last_read_post_id"),
            read_extra=F("viewer_read__extra_read_ids"),
            read_count=F("viewer_read__read_count"),
        )


class Topic(VersionedSave, TopicModeration, TopicSchedule, models.Model):
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="topics", verbose_name=_("category")
    )
    title = models.CharField(_("title"), max_length=settings.FORUM_MAX_SUBJECT_LENGTH)
    slug = models.SlugField(_("slug"), max_length=80, allow_unicode=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="topics",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    is_locked = models.BooleanField(_("locked"), default=False)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("locked by"),
    )
    lock_reason = models.CharField(_("lock reason"), max_length=500, blank=True)
    is_sticky = models.BooleanField(_("sticky"), default=False)
    # A dialogue: replies are taken from opens_at until closes_at (see
    # forum/schedule.py). Both empty for an ordinary topic.
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True, db_index=True)
    # When the close went into the moderation log (close_dialogues, or
    # closing early); replies are refused from closes_at on regardless.
    close_logged_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Denormalised, kept exact by add_reply(), Post.hide() and Post.restore()
    # inside their transactions. post_count counts visible posts only.
    opening_post = models.OneToOneField(
        "Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    post_count = models.PositiveIntegerField(_("posts"), default=0)
    last_post = models.ForeignKey(
        "Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_post_at = models.DateTimeField(_("last post"), default=timezone.now, db_index=True)
    # Goes up with every change to what the topic's page shows: see touch().
    version = models.PositiveBigIntegerField(default=0, editable=False)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["-is_sticky", "-last_post_at"]
        indexes = [models.Index(fields=["category", "-is_sticky", "-last_post_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True, closes_at__isnull=True)
                | Q(opens_at__isnull=False, closes_at__gt=F("opens_at")),
                name="topic_schedule_closes_after_opening",
            )
        ]
        permissions = [("moderate_forum", _("Can moderate every topic (Moderators)"))]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return url_for("forum:topic", self.pk, self.slug or "-")

    def touch(self) -> None:
        """This topic's pages changed (see TopicQuerySet.touch)."""
        type(self).objects.filter(pk=self.pk).touch()

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            self.touch()
            return super().delete(*args, **kwargs)

    def read_marker(self, user) -> "TopicRead":
        """The user's read marker, from with_read_state()'s annotations when
        present (unsaved if they never opened the topic)."""
        if not hasattr(self, "read_marker_pk"):
            marker = TopicRead.objects.filter(user=user, topic=self).first()
            return marker or TopicRead(user=user, topic=self)
        return TopicRead(
            pk=self.read_marker_pk,
            user=user,
            topic=self,
            last_read_post_id=self.read_until or 0,
            extra_read_ids=self.read_extra or [],
            extra_read_count=len(self.read_extra or []),
            read_count=self.read_count or 0,
        )

    @classmethod
    def start(cls, *, category: Category, author, title: str, body: str) -> "Topic":
        """Open a topic with its opening post (the prompt and guiding questions)."""
        # Rendered before the transaction: a long body must not hold the
        # database's write lock (all of it, on SQLite) while it renders.
        body_html = markup.render(body)
        with transaction.atomic():
            topic = cls.objects.create(
                category=category, author=author, title=title, slug=slugify(title)[:80]
            )
            post = Post.objects.create(
                topic=topic,
                author=author,
                subject=title,
                body=body,
                body_html=body_html,
                path=tree.ROOT_PATH,
                depth=0,
                created_at=topic.created_at,
            )
            topic.opening_post = post
            topic.last_post = post
            topic.last_post_at = post.created_at
            topic.post_count = 1
            topic.save(update_fields=["opening_post", "last_post", "last_post_at", "post_count"])
            topic.touch()
            signals.post_added.send(sender=Post, post=post)
        return topic

    @transaction.atomic
    def change_details(self, *, by, title: str, category: Category, author) -> None:
        """An admin edit of this topic (as stored: `self` is unchanged). The
        title is the opening post's subject, so a new title is an edit of that
        post, revision kept; each change is logged with its value before."""
        self._hold_row()  # the topic's row first, as every change to it does
        changes = []
        if title != self.title:
            changes.append(("title", f"“{self.title}”", f"“{title}”"))
            opening = Post.objects.select_related("topic").get(pk=self.opening_post_id)
            opening.edit(by=by, subject=title, body=opening.body)
            # A stale slug would keep the old title in every link.
            self.title, self.slug = title, slugify(title)[:80]
        if category.pk != self.category_id:
            changes.append(("category", self.category, category))
            self.category = category
        if author.pk != self.author_id:
            # By account number: a name written here would outlive an
            # account's deletion.
            changes.append(("author", f"#{self.author_id}", f"#{author.pk}"))
            Post.objects.filter(pk=self.opening_post_id).update(author=author)
            self.author = author
        if not changes:
            return
        old_category = type(self).objects.values_list("category_id", flat=True).get(pk=self.pk)
        self.save(update_fields=["title", "slug", "category", "author"])
        self.touch()
        generations.renew(categories=[old_category])
        ModerationLog.record(
            by, ModerationLog.Action.EDIT_TOPIC, topic=self, reason=describe_changes(changes)
        )

    def add_reply(self, *, author, parent: "Post", subject: str, body: str) -> "Post":
        """Add a reply under `parent` and keep the topic's counters exact.

        Raises PermissionDenied, with the reason, when the author may not
        reply at the moment of commit: the topic's row lock is taken first,
        as lock(), close_early() and schedule() take it, so a reply either
        commits before such a change or sees it. Once a lock has committed,
        no reply commits after it."""
        from .permissions import check_reply

        if parent.topic_id != self.pk:
            raise ValueError("the parent post belongs to another topic")
        # Everything slow happens before the lock: rendering a long body,
        # and finding where a deep reply sorts (under its parent's parent:
        # see tree.MAX_DEPTH).
        body_html = markup.render(body)
        tree_parent = parent
        while tree_parent.depth >= tree.MAX_DEPTH:
            tree_parent = tree_parent.parent
        with transaction.atomic():
            self._hold_row(also=["post_count"])
            check_reply(author, self)
            number = Post.next_child_number(tree_parent.pk)
            post = Post.objects.create(
                topic=self,
                parent=parent,
                author=author,
                subject=subject,
                body=body,
                body_html=body_html,
                path=tree.child_path(tree_parent.path, number),
                depth=tree_parent.depth + 1,
                # The moment the reply state was checked: never after a close.
                created_at=self.state.now,
            )
            Topic.objects.filter(pk=self.pk).update(
                post_count=F("post_count") + 1,
                last_post=post,
                last_post_at=post.created_at,
                version=F("version") + 1,  # as touch() does, in the same query
            )
            generations.renew(topics=[self.pk], categories=[self.category_id])
            # Exact: the row lock held since _hold_row() read it.
            self.post_count += 1
            self.last_post, self.last_post_at = post, post.created_at
            signals.post_added.send(sender=Post, post=post)
        return post


# The columns of a post that the topic page reads (PostQuerySet.for_display).
POST_SHOWN = (
    "id",
    "topic",
    "parent",
    "author",
    "subject",
    "body_html",
    "created_at",
    "path",
    "depth",
    "edited_at",
    "is_hidden",
    "hidden_at",
    "hidden_by",
    "hidden_reason",
    "pinned_at",
)


class PostQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(is_hidden=False)

    def replies(self):
        return self.exclude(path=tree.ROOT_PATH)

    def for_display(self):
        """What the topic page shows of each post, and no more: no Markdown
        source, no body of the post answered, no password hash."""
        people = ("id", "username", "display_name", "deleted_at", "is_active")
        return self.select_related("author", "parent__author", "hidden_by").only(
            *POST_SHOWN,
            *(f"author__{name}" for name in (*people, "role_line")),
            *(f"parent__{name}" for name in ("id", "topic", "author", "subject", "is_hidden")),
            *(f"parent__author__{name}" for name in people),
            *(f"hidden_by__{name}" for name in people),
        )

    def pinned(self):
        """The topic's "Pinned" block: visible pinned posts, oldest pin first."""
        return self.filter(pinned_at__isnull=False, is_hidden=False).order_by("pinned_at")

    def tree_page(self, *, size: int, after=None, start=None, before=None, last=False):
        """One page of replies in tree order, by keyset: only the page's rows
        are read, however deep into the topic it is. Returns (posts, has_more)
        where has_more tells whether posts exist beyond the page in the
        direction read."""
        replies = self.replies().for_display()

        def path_of(pk):
            return Subquery(Post.objects.filter(pk=pk).order_by().values("path")[:1])

        if before is not None or last:
            if before is not None:
                replies = replies.filter(path__lt=path_of(before))
            rows = list(replies.order_by("-path")[: size + 1])
            return rows[:size][::-1], len(rows) > size
        if after is not None:
            replies = replies.filter(path__gt=path_of(after))
        elif start is not None:
            replies = replies.filter(path__gte=path_of(start))
        rows = list(replies.order_by("path")[: size + 1])
        return rows[:size], len(rows) > size

    def tree_position(self, path: str) -> tuple[int, int]:
        """(replies in all, replies before `path`) in tree order: one pass
        over the (topic, path) index, the same wherever `path` is."""
        counts = self.replies().aggregate(
            total=Count("path"), before=Count("path", filter=Q(path__lt=path))
        )
        return counts["total"], counts["before"]

    def ids_around(self, path: str, offsets: dict, from_end: dict) -> dict:
        """One query for the ids of the replies `offsets[key]` places after
        `path` in tree order (before it when negative; 0 is `path` itself)
        and `from_end[key]` places before the last reply. Each reads only as
        many rows as its offset: the cursors of numbered page links."""
        replies = self.replies().order_by()
        after, before = replies.filter(path__gte=path), replies.filter(path__lt=path)
        columns = {}
        for key, n in offsets.items():
            rows = (
                after.order_by("path")[n : n + 1]
                if n >= 0
                else before.order_by("-path")[-n - 1 : -n]
            )
            columns[f"id_{key}"] = Subquery(rows.values("pk"))
        for key, n in from_end.items():
            columns[f"id_{key}"] = Subquery(replies.order_by("-path")[n : n + 1].values("pk"))
        if not columns:
            return {}
        # The reply at `path` is the query's one row.
        row = self.filter(path=path).order_by().values(**columns).first() or {}
        return {key: row.get(f"id_{key}") for key in [*offsets, *from_end]}


class Post(PostModeration, models.Model):
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="posts", verbose_name=_("topic")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="posts",
        verbose_name=_("author"),
    )
    subject = models.CharField(_("subject"), max_length=settings.FORUM_MAX_SUBJECT_LENGTH)
    body = models.TextField(_("body (Markdown)"))
    body_html = models.TextField(_("body (sanitized HTML)"), editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    # Tree order and depth: see forum/tree.py.
    path = models.CharField(max_length=tree.MAX_DEPTH * 10, editable=False)
    depth = models.PositiveIntegerField(default=0, editable=False)
    child_count = models.PositiveIntegerField(default=0, editable=False)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True, editable=False)
    is_hidden = models.BooleanField(_("hidden"), default=False, editable=False)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True, editable=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    hidden_reason = models.CharField(_("reason for hiding"), max_length=500, blank=True)
    pinned_at = models.DateTimeField(_("pinned at"), null=True, blank=True, editable=False)
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("pinned by"),
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["topic", "path"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "path"], name="post_unique_tree_path")
        ]
        indexes = [
            models.Index(fields=["topic", "id"], name="post_topic_id"),
            # A member's own posts in a topic, for "N new" (own_visible_posts).
            models.Index(fields=["author", "topic"], name="post_author_topic"),
            models.Index(
                fields=["topic", "pinned_at"],
                condition=Q(pinned_at__isnull=False),
                name="post_topic_pinned",
            ),
        ]
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return url_for("forum:post", self.pk)

    @property
    def anchor(self) -> str:
        return f"post-{self.pk}"

    @property
    def is_pinned(self) -> bool:
        return self.pinned_at is not None

    @property
    def is_opening(self) -> bool:
        return self.path == tree.ROOT_PATH

    @staticmethod
    def next_child_number(pk: int) -> int:
        """Count one more child of post `pk` and return the count, in one
        statement. The UPDATE locks the row until commit, so concurrent
        replies to the same post get distinct child numbers."""
        table = Post._meta.db_table
        with connection.cursor() as cursor:
            # UPDATE ... RETURNING: PostgreSQL, and SQLite since 3.35.
            cursor.execute(
                f"UPDATE {table} SET child_count = child_count + 1 "  # noqa: S608 (no input)
                "WHERE id = %s RETURNING child_count",
                [pk],
            )
            return cursor.fetchone()[0]

    def render_body(self) -> None:
        """Refresh the stored HTML after `body` changed."""
        self.body_html = markup.render(self.body)

    def reply_subject(self) -> str:
        """The default subject of a reply: "Re: <subject>", never "Re: Re: ..."."""
        subject = self.subject
        if subject.lower().startswith("re:"):
            return subject[: settings.FORUM_MAX_SUBJECT_LENGTH]
        return f"Re: {subject}"[: settings.FORUM_MAX_SUBJECT_LENGTH]
