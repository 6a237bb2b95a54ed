"""Following topics and the email that follows: subscriptions, each
person's preferences, digest entries and the outgoing queue. Imported by
models.py, where Django looks for the app's models."""

import logging
import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from forum.models import Post, Topic

logger = logging.getLogger(__name__)


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
        # The profile's time zone (accounts), else the site's.
        name = self.user.time_zone or settings.TIME_ZONE
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
    # The posts whose text, subject or author's name this email shows (a
    # topic's title is its opening post's subject), so deleting an account
    # finds exactly the copies that carry that person's words.
    posts = models.ManyToManyField(Post, blank=True, related_name="+")
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
