"""What a dialogue has beyond the forum's topic: conversation leaders, the
summary, the resources shared, the help page. Its schedule, and whether it
takes replies, are the topic's (forum/schedule.py). The email side is in
mailing.py."""

from datetime import datetime
from functools import partial

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from forum import markup
from forum.models import ModerationLog, Post, Topic

from . import links


class Dialogue(models.Model):
    """What a scheduled topic has beyond its schedule: conversation leaders
    and the summary. The times, and whether replies are taken, are the
    topic's (Topic.opens_at/closes_at and Topic.reply_state())."""

    topic = models.OneToOneField(
        Topic, on_delete=models.CASCADE, related_name="dialogue", verbose_name=gettext_lazy("topic")
    )
    summary = models.TextField(gettext_lazy("summary (Markdown)"), blank=True)
    summary_html = models.TextField(
        gettext_lazy("summary (sanitized HTML)"), blank=True, editable=False
    )
    survey_url = models.URLField(gettext_lazy("follow-up survey link"), blank=True, max_length=500)
    # Posts the summary links to, kept with the summary so the topic page
    # marks them without a query of its own.
    cited_post_ids = models.JSONField(default=list, editable=False)
    summary_published_at = models.DateTimeField(
        gettext_lazy("summary published"), null=True, blank=True
    )
    # A published summary changes in place: its feed entry's `updated`, and
    # part of the summaries feed's cache key (dialogues/feeds.py).
    summary_edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Claimed by the first publication: the summary is announced once only.
    summary_emailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["topic__opens_at", "pk"]
        verbose_name = gettext_lazy("dialogue")
        verbose_name_plural = gettext_lazy("dialogues")

    def __str__(self) -> str:
        return str(self.topic)

    def save(self, *args, **kwargs):
        # The summary and everything else of a dialogue is on its topic's
        # page: its cached copies must go (forum/page_cache.py).
        with transaction.atomic():
            super().save(*args, **kwargs)
            Topic.objects.filter(pk=self.topic_id).touch()

    def get_absolute_url(self) -> str:
        return self.topic.get_absolute_url()

    @classmethod
    def of(cls, topic: Topic) -> "Dialogue":
        """The topic's dialogue row, made on first use."""
        dialogue, _created = cls.objects.get_or_create(topic=topic)
        dialogue.topic = topic
        return dialogue

    @property
    def has_summary(self) -> bool:
        return self.summary_published_at is not None

    @transaction.atomic
    def add_leader(self, *, user, intro: str = "", by) -> "ConversationLeader":
        leader = ConversationLeader.objects.create(dialogue=self, user=user, intro=intro)
        Topic.objects.filter(pk=self.topic_id).touch()
        ModerationLog.record(
            by, ModerationLog.Action.LEADER_ADDED, topic=self.topic, user=user, reason=intro
        )
        return leader

    @transaction.atomic
    def remove_leader(self, leader: "ConversationLeader", *, by) -> None:
        ModerationLog.record(
            by, ModerationLog.Action.LEADER_REMOVED, topic=self.topic, user=leader.user
        )
        leader.delete()
        Topic.objects.filter(pk=self.topic_id).touch()

    @transaction.atomic
    def write_summary(self, *, body: str, survey_url: str = "", by=None) -> None:
        """Save the summary (a draft until published; published ones change
        in place). Logged when a person wrote it."""
        self.summary = body
        self.summary_html = markup.render(body)
        self.survey_url = survey_url
        self.summary_edited_at = timezone.now()
        self.cited_post_ids = sorted(
            self.topic.posts.filter(pk__in=self._linked_post_ids()).values_list("pk", flat=True)
        )
        self.save(
            update_fields=[
                "summary",
                "summary_html",
                "survey_url",
                "summary_edited_at",
                "cited_post_ids",
            ]
        )
        if by is not None:
            ModerationLog.record(
                by,
                ModerationLog.Action.SUMMARY_SAVED,
                topic=self.topic,
                reason=_("edited the published summary") if self.has_summary else _("draft"),
            )

    def _linked_post_ids(self) -> set[int]:
        return {pk for pk in map(links.post_id_in_url, links.hrefs(self.summary_html)) if pk}

    @transaction.atomic
    def publish_summary(self, *, by, now: datetime | None = None) -> bool:
        """Show the summary on the dialogue page. The first publication, and
        only that one, emails everyone who took part; returns whether it did."""
        from . import tasks  # tasks import this module

        if not self.summary.strip():
            raise ValueError("an empty summary cannot be published")
        now = now or timezone.now()
        if self.summary_published_at is None:
            self.summary_published_at = now
            self.save(update_fields=["summary_published_at"])
            ModerationLog.record(by, ModerationLog.Action.SUMMARY_PUBLISHED, topic=self.topic)
        # A conditional UPDATE: of two publications at once, one wins.
        claimed = Dialogue.objects.filter(pk=self.pk, summary_emailed_at__isnull=True).update(
            summary_emailed_at=now
        )
        if claimed:
            self.summary_emailed_at = now
            transaction.on_commit(partial(tasks.send_summary_emails.enqueue, self.pk), robust=True)
        return bool(claimed)

    def next_in_series(self) -> Topic | None:
        """The next dialogue of the same series, by opening time."""
        topic = self.topic
        if not topic.category.is_series:
            return None
        return (
            Topic.objects.scheduled()
            .filter(category_id=topic.category_id, opens_at__gt=topic.opens_at)
            .exclude(pk=topic.pk)
            .order_by("opens_at")
            .first()
        )


class ConversationLeader(models.Model):
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="leaders")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="dialogues_led",
        verbose_name=gettext_lazy("user"),
    )
    intro = models.CharField(gettext_lazy("one-line introduction"), max_length=200, blank=True)
    added_at = models.DateTimeField(gettext_lazy("added"), default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = gettext_lazy("conversation leader")
        verbose_name_plural = gettext_lazy("conversation leaders")
        constraints = [
            models.UniqueConstraint(fields=["dialogue", "user"], name="leader_unique_per_dialogue")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.dialogue})"


def leader_renamed(sender, instance, created, update_fields=None, **kwargs) -> None:
    """The header of each dialogue someone leads names them, posted or not:
    a change to their name there renews those topics' pages, in the same
    transaction (accounts.User.save renews those where they posted)."""
    shown = getattr(instance, "SHOWN_ON_POSTS", frozenset())
    if created or (update_fields is not None and not shown & set(update_fields)):
        return
    led = ConversationLeader.objects.filter(user=instance).values("dialogue__topic_id")
    Topic.objects.filter(pk__in=led).touch()


class Resource(models.Model):
    """A link found in a post. One row per post and address: the panel shows
    each address once, from the earliest post that still links to it."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="resources")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="resources")
    url = models.CharField(max_length=2000)
    text = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["post_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["post", "url"], name="resource_unique_per_post")
        ]
        indexes = [models.Index(fields=["topic", "post"], name="resource_topic_post")]

    def __str__(self) -> str:
        return self.url


def refresh_resources(post: Post, *, new: bool = False) -> None:
    """Re-read the links of `post` after it was created (`new`), edited,
    hidden or restored. A hidden post shares nothing."""
    found = [] if post.is_hidden else links.extract(post.body_html)
    if new:  # nothing to replace: no query at all for a post without links
        if found:
            Resource.objects.bulk_create(
                [
                    Resource(topic_id=post.topic_id, post=post, url=url, text=text)
                    for url, text in found
                ],
                ignore_conflicts=True,
            )
        return
    with transaction.atomic():
        Resource.objects.filter(post=post).exclude(url__in=[url for url, _text in found]).delete()
        Resource.objects.bulk_create(
            [
                Resource(topic_id=post.topic_id, post=post, url=url, text=text)
                for url, text in found
            ],
            update_conflicts=True,
            unique_fields=["post", "url"],
            update_fields=["text"],
        )


def resources_shared(topic: Topic) -> list[Resource]:
    """The panel's entries, deduplicated by address, in one query."""
    seen, shared = set(), []
    for resource in Resource.objects.filter(topic=topic).select_related("post__author"):
        if resource.url not in seen:
            seen.add(resource.url)
            shared.append(resource)
    return shared


class HelpPage(models.Model):
    """ "How to participate", edited in the admin, linked from every dialogue."""

    slug = models.SlugField(unique=True, default="how-to-participate")
    title = models.CharField(gettext_lazy("title"), max_length=200)
    body = models.TextField(gettext_lazy("body (Markdown)"))
    body_html = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = gettext_lazy("help page")
        verbose_name_plural = gettext_lazy("help pages")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.body_html = markup.render(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("dialogues:help", args=[self.slug])


# The email side lives in its own module; imported here so Django finds it.
from .mailing import (  # noqa: E402, F401
    DigestEntry,
    NotificationPreference,
    OutgoingEmail,
    Subscription,
    is_subscribed,
)
