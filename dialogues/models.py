"""A topic's life as a facilitated dialogue (schedule, leaders, summary,
resources shared) and the email it causes (subscriptions, preferences, the
outgoing queue)."""

import logging
import math
import zoneinfo
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from forum import markup
from forum.models import Post, Topic

from . import links
from .log import log_moderation

logger = logging.getLogger(__name__)


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
        Topic.objects.filter(pk=self.topic_id).update(is_locked=True)
        self.topic.is_locked = True
        self.closed_at = now
        self.save(update_fields=["closed_at"])
        log_moderation(
            self.topic, action="lock", by=by, reason=_("The dialogue reached its closing time.")
        )
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
            Topic.objects.filter(pk=self.topic_id).update(is_locked=False)
            self.topic.is_locked = False
            self.closed_at = None
            fields.append("closed_at")
            outcome = "reopened"
            log_moderation(self.topic, action="unlock", by=by, reason=_("Dialogue reopened."))
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
            transaction.on_commit(partial(tasks.send_summary_emails.enqueue, self.pk))
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


class DialogueEvent(models.Model):
    """What happened to a dialogue and who did it; see log.log_moderation."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="dialogue_events")
    action = models.CharField(max_length=40)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.topic} at {self.at:%Y-%m-%d %H:%M}"


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


def refresh_resources(post: Post, *, visible: bool | None = None) -> None:
    """Re-read the links of `post` after it was created, edited or hidden.
    A hidden post shares nothing (`visible` defaults to the post's own
    is_hidden flag, when it has one)."""
    if visible is None:
        visible = not getattr(post, "is_hidden", False)
    found = links.extract(post.body_html) if visible else []
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


class SubscriptionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_subscribed=True)


class Subscription(models.Model):
    """A person following a topic. An explicit unsubscribe is kept as a row
    with is_subscribed=False, so posting again does not resubscribe them and
    replies to their posts stop too."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="subscriptions")
    is_subscribed = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="subscription_unique_user_topic")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.topic}"

    @classmethod
    def set(cls, user, topic, subscribed: bool) -> None:
        cls.objects.update_or_create(user=user, topic=topic, defaults={"is_subscribed": subscribed})

    @classmethod
    def on_posting(cls, user, topic) -> None:
        """Posting subscribes, unless the person said no to this topic or
        to subscribing when posting."""
        if NotificationPreference.for_user(user).subscribe_when_posting:
            cls.objects.get_or_create(user=user, topic=topic)


def is_subscribed(user):
    """An expression for annotating topics: does `user` follow it? Lets the
    topic page's own query answer, at no extra query."""
    if not user.is_authenticated:
        return models.Value(False)
    return Exists(Subscription.objects.active().filter(topic=OuterRef("pk"), user=user))


class NotificationPreference(models.Model):
    IMMEDIATE, DIGEST = "immediate", "digest"
    DELIVERY_CHOICES = [
        (IMMEDIATE, _lazy("One email per new post")),
        (DIGEST, _lazy("One daily digest")),
    ]

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_enabled = models.BooleanField(_lazy("send me email"), default=True)
    subscribe_when_posting = models.BooleanField(_lazy("follow topics I post in"), default=True)
    delivery = models.CharField(
        _lazy("new posts in followed topics"),
        max_length=10,
        choices=DELIVERY_CHOICES,
        default=IMMEDIATE,
    )
    digest_hour = models.PositiveSmallIntegerField(
        _lazy("digest hour"),
        default=8,
        choices=[(h, f"{h:02d}:00") for h in range(24)],
        help_text=_lazy("In your time zone."),
    )
    # TODO(issue 5): the accounts branch adds a time zone on User; user_zone()
    # prefers it, and this field can go once that lands.
    time_zone = models.CharField(_lazy("time zone"), max_length=64, default="UTC")
    last_digest_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"{self.user}: {self.delivery}"

    @classmethod
    def for_user(cls, user) -> "NotificationPreference":
        """The saved preferences, or unsaved defaults."""
        try:
            return user.notification_preference
        except cls.DoesNotExist:
            return cls(user=user)

    def zone(self) -> zoneinfo.ZoneInfo:
        name = getattr(self.user, "time_zone", "") or self.time_zone
        try:
            return zoneinfo.ZoneInfo(str(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    def digest_due(self, now: datetime) -> bool:
        """True during the chosen hour of the person's day, once a day."""
        local = now.astimezone(self.zone())
        if local.hour != self.digest_hour:
            return False
        last = self.last_digest_at
        return last is None or last.astimezone(self.zone()).date() != local.date()


class DigestEntry(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_entries"
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="digest_entry_unique")]
        indexes = [models.Index(fields=["sent_at", "user"], name="digest_entry_pending")]

    def __str__(self) -> str:
        return f"{self.user} ← post {self.post_id}"


class OutgoingEmailQuerySet(models.QuerySet):
    def due(self, now: datetime):
        return self.filter(status=OutgoingEmail.PENDING, next_attempt_at__lte=now)


class OutgoingEmail(models.Model):
    """Every email we send is first stored here, so a mail server that is
    down loses nothing: delivery is retried (see retry_emails)."""

    PENDING, SENT, FAILED = "pending", "sent", "failed"
    MAX_ATTEMPTS = 8

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    to = models.EmailField()
    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    # Makes "send once" hold even if a task runs twice.
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    status = models.CharField(
        max_length=10,
        default=PENDING,
        choices=[(PENDING, "pending"), (SENT, "sent"), (FAILED, "failed")],
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to} ({self.status})"

    def message(self) -> EmailMultiAlternatives:
        message = EmailMultiAlternatives(
            self.subject, self.text, settings.DEFAULT_FROM_EMAIL, [self.to], headers=self.headers
        )
        if self.html:
            message.attach_alternative(self.html, "text/html")
        return message

    def deliver(self, now: datetime | None = None) -> bool:
        """Send it; on failure record the attempt and when to try again."""
        if self.status == self.SENT:
            return True
        now = now or timezone.now()
        self.attempts += 1
        try:
            self.message().send()
        except Exception as error:  # any transport failure: keep it for a retry
            self.last_error = f"{type(error).__name__}: {error}"[:2000]
            self.next_attempt_at = now + timedelta(minutes=5 * 2 ** (self.attempts - 1))
            if self.attempts >= self.MAX_ATTEMPTS:
                self.status = self.FAILED
            logger.warning(
                "Email %s to %s failed (attempt %s): %s",
                self.pk,
                self.to,
                self.attempts,
                self.last_error,
            )
            self.save(update_fields=["attempts", "last_error", "next_attempt_at", "status"])
            return False
        self.status, self.sent_at = self.SENT, now
        self.save(update_fields=["attempts", "status", "sent_at"])
        return True
