"""Read tracking: what each member has read of each topic, the first post
they have not read, and catching up on a topic or on the whole forum.
TopicRead is a model of forum.models, defined here by concern."""

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce

# Upserts of "mark all read" go in batches of this many topics.
CATCH_UP_BATCH = 500


def own_visible_posts(user, after=None):
    """An expression for annotating topics: how many visible posts of the
    topic are `user`'s (with ids above `after`, an expression, if given).
    Reads the user's own posts only (the author/topic index), never the
    posts of others."""
    from .models import Post

    posts = Post.objects.filter(topic=OuterRef("pk"), author=user, is_hidden=False)
    if after is not None:
        posts = posts.filter(pk__gt=after)
    count = posts.order_by().values("topic").annotate(n=models.Count("pk")).values("n")
    return Coalesce(Subquery(count), 0)


class TopicRead(models.Model):
    """What one user has read of one topic, exactly: every post with an id up
    to `last_read_post_id`, plus the later ones in `extra_read_ids` (read on a
    page further down the tree before the posts in between)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_reads"
    )
    topic = models.ForeignKey("forum.Topic", on_delete=models.CASCADE, related_name="reads")
    last_read_post_id = models.BigIntegerField(default=0)
    extra_read_ids = models.JSONField(default=list)
    # len(extra_read_ids), so that topic lists can count new posts in SQL on
    # every database.
    extra_read_count = models.PositiveIntegerField(default=0)
    # How many visible posts by others have ids up to last_read_post_id: the
    # "N new" count is then arithmetic on stored counts (Topic.post_count,
    # this, extra_read_count, and the reader's own posts), the same with 0
    # or 50,000 unread. Kept exact by mark_read(), catch_up() and
    # Post.hide()/restore() (read_count_changed).
    read_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="topicread_unique_user_topic")
        ]

    def __str__(self) -> str:
        return f"{self.user} read {self.topic}"

    def is_unread(self, post, user) -> bool:
        return (
            post.author_id != user.pk
            and not post.is_hidden
            and post.pk > self.last_read_post_id
            and post.pk not in self.extra_read_ids
        )

    def _unread_candidates(self):
        """Posts past the watermark that could be new to the user, oldest
        first; the extras among them are already read."""
        from .models import Post

        return (
            Post.objects.filter(
                topic_id=self.topic_id, pk__gt=self.last_read_post_id, is_hidden=False
            )
            .exclude(author_id=self.user_id)
            .order_by("pk")
        )

    def first_unread(self):
        """The oldest post the user has not read, or None: one query, reading
        at most one row more than the extras."""
        extra = set(self.extra_read_ids)
        for post in self._unread_candidates().only("pk", "path", "topic")[: len(extra) + 1]:
            if post.pk not in extra:
                return post
        return None

    def mark_read(self, posts) -> None:
        """Record `posts` as read, then fold the extras into the watermark as
        far as every post in between has been read."""
        extra = set(self.extra_read_ids)
        extra.update(
            post.pk
            for post in posts
            if post.pk > self.last_read_post_id
            and post.author_id != self.user_id
            and not post.is_hidden
        )
        if self.pk and len(extra) == len(self.extra_read_ids):
            return
        if extra:
            for pk in self._unread_candidates().values_list("pk", flat=True)[: len(extra) + 1]:
                if pk not in extra:
                    break
                # Every candidate passed is a visible post by someone else.
                self.last_read_post_id = pk
                self.read_count += 1
                extra.discard(pk)
        self.extra_read_ids = sorted(extra)
        self.extra_read_count = len(extra)
        # An upsert: two tabs opening the topic at once must not collide.
        TopicRead.objects.bulk_create(
            [self],
            update_conflicts=True,
            unique_fields=["user", "topic"],
            update_fields=["last_read_post_id", "extra_read_ids", "extra_read_count", "read_count"],
        )

    @classmethod
    def read_count_changed(cls, post, by: int) -> None:
        """`post` was hidden (by=-1) or restored (+1): readers whose
        watermark is past it counted it, unless it is their own."""
        cls.objects.filter(topic_id=post.topic_id, last_read_post_id__gte=post.pk).exclude(
            user_id=post.author_id
        ).update(read_count=models.F("read_count") + by)

    @classmethod
    def catch_up(cls, user, topics) -> int:
        """Mark every post of `topics` read for `user`: the watermark moves to
        each topic's latest post and the extras are forgotten. One query to
        read the latest post ids, then one upsert per CATCH_UP_BATCH topics.
        Returns how many topics were marked."""
        from .models import Post

        latest = Post.objects.filter(topic=OuterRef("pk")).order_by("-pk").values("pk")[:1]
        marks = [
            cls(
                user=user,
                topic_id=topic_id,
                last_read_post_id=latest_id,
                extra_read_ids=[],
                extra_read_count=0,
                read_count=visible - own,
            )
            for topic_id, latest_id, visible, own in topics.order_by()
            .annotate(latest_id=Subquery(latest), own=own_visible_posts(user))
            .filter(latest_id__isnull=False)
            .values_list("pk", "latest_id", "post_count", "own")
        ]
        cls.objects.bulk_create(
            marks,
            update_conflicts=True,
            unique_fields=["user", "topic"],
            update_fields=["last_read_post_id", "extra_read_ids", "extra_read_count", "read_count"],
            batch_size=CATCH_UP_BATCH,
        )
        return len(marks)
