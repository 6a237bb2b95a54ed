"""A topic's life as a facilitated dialogue: schedule, leaders, summary,
resources shared, the help page. The email side is in mailing.py."""

import math
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from forum import markup
from forum.models import Post, Topic

from . import links


class DialogueQuerySet(models.QuerySet):
    def upcoming(self, now: datetime):
        return self.filter(opens_at__gt=now)

    def open(self, now: datetime):
        return self.filter(opens_at__lte=now, closes_at__gt=now)

    def past(self, now: datetime):
        return self.filter(closes_at__lte=now)

    def due_to_close(self, now: datetime):
        """Past their closing time, but the lock not yet recorded."""
        return self.past(now).filter(closed_at__isnull=True)


class Dialogue(models.Model):
    UPCOMING, OPEN, CLOSED = "upcoming", "open", "closed"

    topic = models.OneToOneField(
        Topic, on_delete=models.CASCADE, related_name="dialogue", verbose_name=_lazy("topic")
    )
    opens_at = models.DateTimeField(_lazy("opens at"), db_index=True)
    closes_at = models.DateTimeField(_lazy("closes at"), db_index=True)
    # Set when the closing lock was applied and logged (by close_dialogues or
    # a facilitator); replies are refused from closes_at on regardless.
    closed_at = models.DateTimeField(_lazy("lock recorded at"), null=True, blank=True)
    summary = models.TextField(_lazy("summary (Markdown)"), blank=True)
    summary_html = models.TextField(_lazy("summary (sanitized HTML)"), blank=True, editable=False)
    survey_url = models.URLField(_lazy("follow-up survey link"), blank=True, max_length=500)
    # Posts the summary links to, kept with the summary so the topic page
    # marks them without a query of its own.
    cited_post_ids = models.JSONField(default=list, editable=False)
    summary_published_at = models.DateTimeField(_lazy("summary published"), null=True, blank=True)
    # Claimed by the first publication: the summary is announced once only.
    summary_emailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = DialogueQuerySet.as_manager()

    class Meta:
        ordering = ["opens_at"]
        verbose_name = _lazy("dialogue")
        verbose_name_plural = _lazy("dialogues")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="dialogue_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return str(self.topic)

    def get_absolute_url(self) -> str:
        return self.topic.get_absolute_url()

    def state(self, now: datetime | None = None) -> str:
        now = now or timezone.now()
        if now < self.opens_at:
            return self.UPCOMING
        if now < self.closes_at:
            return self.OPEN
        return self.CLOSED

    @property
    def is_upcoming(self) -> bool:
        return self.state() == self.UPCOMING

    @property
    def is_open(self) -> bool:
        return self.state() == self.OPEN

    @property
    def is_closed(self) -> bool:
        return self.state() == self.CLOSED

    @property
    def has_summary(self) -> bool:
        return self.summary_published_at is not None

    @property
    def day_count(self) -> int:
        return max(1, math.ceil((self.closes_at - self.opens_at) / timedelta(days=1)))

    def day_number(self, now: datetime | None = None) -> int:
        now = now or timezone.now()
        day = (now - self.opens_at) // timedelta(days=1) + 1
        return min(max(day, 1), self.day_count)

    def reply_refusal(self, now: datetime | None = None) -> str | None:
        """Why replies are refused right now, or None. Checked on every
        request, so a dialogue never stays open past its closing time."""
        state = self.state(now)
        if state == self.UPCOMING:
            return _("This dialogue has not opened yet: replies open on %(date)s.") % {
                "date": timezone.localtime(self.opens_at).strftime("%Y-%m-%d %H:%M %Z")
            }
        if state == self.CLOSED:
            return _("This dialogue closed on %(date)s: no new replies can be posted.") % {
                "date": timezone.localtime(self.closes_at).strftime("%Y-%m-%d %H:%M %Z")
            }
        return None

    @transaction.atomic
    def close(self, *, by=None, now: datetime | None = None) -> bool:
        """Lock the topic once the closing time has passed, and log it."""
        now = now or timezone.now()
        if self.state(now) != self.CLOSED or self.closed_at is not None:
            return False
        self.topic.lock(by=by, reason=_("The dialogue reached its closing time."))
        self.closed_at = now
        self.save(update_fields=["closed_at"])
        return True

    @transaction.atomic
    def reschedule(self, *, opens_at: datetime, closes_at: datetime, by, now=None) -> str:
        """Change the dates. Moving the closing time of a closed dialogue into
        the future reopens it (unlocks the topic). Returns what happened:
        "scheduled", "extended" or "reopened"."""
        now = now or timezone.now()
        if closes_at <= opens_at:
            raise ValueError("a dialogue must close after it opens")
        was_locked_by_closing = self.closed_at is not None
        outcome = "extended" if closes_at > self.closes_at else "scheduled"
        self.opens_at, self.closes_at = opens_at, closes_at
        fields = ["opens_at", "closes_at"]
        if was_locked_by_closing and closes_at > now:
            self.topic.unlock(by=by, reason=_("Dialogue reopened."))
            self.closed_at = None
            fields.append("closed_at")
            outcome = "reopened"
        self.save(update_fields=fields)
        return outcome

    def write_summary(self, *, body: str, survey_url: str = "") -> None:
        self.summary = body
        self.summary_html = markup.render(body)
        self.survey_url = survey_url
        self.cited_post_ids = sorted(
            self.topic.posts.filter(pk__in=self._linked_post_ids()).values_list("pk", flat=True)
        )
        self.save(update_fields=["summary", "summary_html", "survey_url", "cited_post_ids"])

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
        # A conditional UPDATE: of two publications at once, one wins.
        claimed = Dialogue.objects.filter(pk=self.pk, summary_emailed_at__isnull=True).update(
            summary_emailed_at=now
        )
        if claimed:
            self.summary_emailed_at = now
            transaction.on_commit(partial(tasks.send_summary_emails.enqueue, self.pk), robust=True)
        return bool(claimed)

    def next_in_series(self) -> "Dialogue | None":
        """The next dialogue of the same series that is scheduled to open."""
        if not self.topic.category.is_series:
            return None
        return (
            Dialogue.objects.filter(
                topic__category_id=self.topic.category_id, opens_at__gt=self.opens_at
            )
            .exclude(pk=self.pk)
            .select_related("topic")
            .order_by("opens_at")
            .first()
        )


class ConversationLeader(models.Model):
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="leaders")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dialogues_led"
    )
    intro = models.CharField(_lazy("one-line introduction"), max_length=200, blank=True)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _lazy("conversation leader")
        verbose_name_plural = _lazy("conversation leaders")
        constraints = [
            models.UniqueConstraint(fields=["dialogue", "user"], name="leader_unique_per_dialogue")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.dialogue})"


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


def refresh_resources(post: Post) -> None:
    """Re-read the links of `post` after it was created, edited, hidden or
    restored. A hidden post shares nothing."""
    found = [] if post.is_hidden else links.extract(post.body_html)
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
    title = models.CharField(_lazy("title"), max_length=200)
    body = models.TextField(_lazy("body (Markdown)"))
    body_html = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _lazy("help page")
        verbose_name_plural = _lazy("help pages")

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
