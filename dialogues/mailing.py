"""Following topics and the email that follows: subscriptions, each
person's preferences, digest entries and the outgoing queue. Imported by
models.py, where Django looks for the app's models."""

import logging
import smtplib
import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

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
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        verbose_name=gettext_lazy("user"),
    )
    topic = models.ForeignKey(
        Topic,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        verbose_name=gettext_lazy("topic"),
    )
    is_subscribed = models.BooleanField(gettext_lazy("subscribed"), default=True)
    updated_at = models.DateTimeField(gettext_lazy("updated"), auto_now=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("subscription")
        verbose_name_plural = gettext_lazy("subscriptions")
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
            # One statement whether or not they follow it already (an
            # explicit unsubscribe stays as it is).
            cls.objects.bulk_create([cls(user=user, topic=topic)], ignore_conflicts=True)


def is_subscribed(user):
    """An expression for annotating topics: does `user` follow it? Lets the
    topic page's own query answer, at no extra query."""
    if not user.is_authenticated:
        return models.Value(False)
    return Exists(Subscription.objects.active().filter(topic=OuterRef("pk"), user=user))


class NotificationPreference(models.Model):
    IMMEDIATE, DIGEST = "immediate", "digest"
    DELIVERY_CHOICES = [
        (IMMEDIATE, gettext_lazy("One email per new post")),
        (DIGEST, gettext_lazy("One daily digest")),
    ]

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=gettext_lazy("user"),
    )
    email_enabled = models.BooleanField(gettext_lazy("send me email"), default=True)
    subscribe_when_posting = models.BooleanField(
        gettext_lazy("follow topics I post in"), default=True
    )
    delivery = models.CharField(
        gettext_lazy("new posts in followed topics"),
        max_length=10,
        choices=DELIVERY_CHOICES,
        default=IMMEDIATE,
    )
    digest_hour = models.PositiveSmallIntegerField(
        gettext_lazy("digest hour"),
        default=8,
        choices=[(h, f"{h:02d}:00") for h in range(24)],
        help_text=gettext_lazy("In your time zone."),
    )
    last_digest_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = gettext_lazy("notification preference")
        verbose_name_plural = gettext_lazy("notification preferences")

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

    def deliver(self, *, even_if_backing_off: bool = False) -> int:
        """Send this queryset's emails that wait for a send, over one SMTP
        connection; return how many the server accepted.

        Each email is claimed just before its send (OutgoingEmail.claim), so
        two workers given the same ids never both send one. Each is marked
        sent the moment the server accepts it: a connection that hangs or
        fails afterwards, on the next email or on QUIT, cannot get it sent
        twice."""
        sent = 0
        with _Connection() as connection:
            for email in self.filter(status=OutgoingEmail.PENDING).order_by("pk"):
                if not email.claim(connection.claim_length, even_if_backing_off):
                    continue
                failure = connection.send(email.message())
                if failure is None:
                    email.mark_sent()
                    sent += 1
                else:
                    email.mark_failed(*failure)
        return sent


class _Connection:
    """One connection to the mail server for a batch of emails. After a
    connection-level failure (refused, timed out, dropped) the rest of the
    batch fails at once with the same error rather than waiting out the
    timeout once per email; a connection that had delivered something is
    reopened, since servers end long sessions."""

    # A claimed email is left to its worker for this many times the mail
    # server's timeout (at least MIN_CLAIM): longer than any send can take,
    # so another worker only takes over from a worker that died.
    CLAIM_PER_TIMEOUT = 10
    MIN_CLAIM = timedelta(minutes=10)

    def __init__(self):
        self.backend = mailers.default
        timeout = getattr(self.backend, "timeout", None) or 0
        self.claim_length = max(self.MIN_CLAIM, timedelta(seconds=timeout * self.CLAIM_PER_TIMEOUT))
        self.is_open = False
        self.broken: Exception | None = None
        self.delivered = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def send(self, message) -> tuple[Exception, bool] | None:
        """None when the server accepted the message, else the error and
        whether it is final for this message (a 5xx answer about it)."""
        if self.broken is not None:
            return self.broken, False
        try:
            if not self.is_open:
                self.backend.open()
                self.is_open = True
            if not self.backend.send_messages([message]):
                return RuntimeError("the mail backend sent nothing"), False
        except (smtplib.SMTPRecipientsRefused, ValueError) as error:
            # This message's recipient; the connection is still good.
            return error, _is_final(error)
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            if error.smtp_code == 421:  # the server is closing the connection
                self._lost(error)
            return error, _is_final(error)
        except Exception as error:  # refused, timed out, dropped: the connection is gone
            self._lost(error)
            return error, False
        self.delivered += 1
        return None

    def _lost(self, error: Exception) -> None:
        self.close()
        if self.delivered:
            self.delivered = 0  # try a new connection once for the rest
        else:
            self.broken = error

    def close(self) -> None:
        if not self.is_open:
            return
        self.is_open = False
        try:
            self.backend.close()
        except Exception as error:  # e.g. QUIT timed out: what was accepted stays sent
            logger.info("Closing the mail connection failed: %s", error)


def _is_final(error: Exception) -> bool:
    """A 5xx answer about this message (unknown mailbox, content refused):
    retrying would get the same answer. A refused sender is a settings
    problem, so it is retried."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPDataError):
        return 500 <= error.smtp_code < 600
    return isinstance(error, ValueError)  # an address that cannot be sent to


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
        verbose_name=gettext_lazy("recipient"),
    )
    to = models.EmailField(gettext_lazy("recipient address"))
    subject = models.CharField(gettext_lazy("subject"), max_length=300)
    text = models.TextField(gettext_lazy("plain text"))
    html = models.TextField(gettext_lazy("HTML"), blank=True)
    headers = models.JSONField(gettext_lazy("headers"), default=dict, blank=True)
    # The posts whose text, subject or author's name this email shows (a
    # topic's title is its opening post's subject), so deleting an account
    # finds exactly the copies that carry that person's words.
    posts = models.ManyToManyField(Post, blank=True, related_name="+")
    # Makes "send once" hold even if a task runs twice.
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    status = models.CharField(
        gettext_lazy("status"),
        max_length=10,
        default=PENDING,
        choices=[
            (PENDING, gettext_lazy("pending")),
            (SENT, gettext_lazy("sent")),
            (FAILED, gettext_lazy("failed")),
        ],
    )
    attempts = models.PositiveIntegerField(gettext_lazy("attempts"), default=0)
    last_error = models.TextField(gettext_lazy("last error"), blank=True)
    created_at = models.DateTimeField(gettext_lazy("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(
        gettext_lazy("next attempt"), default=timezone.now, db_index=True
    )
    sent_at = models.DateTimeField(gettext_lazy("sent"), null=True, blank=True)
    # Sign-in codes and password-reset links: worth nothing to keep once the
    # server has taken them, and dangerous in a backup, so the row goes then.
    forget_when_sent = models.BooleanField(default=False, editable=False)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = gettext_lazy("stored email")
        verbose_name_plural = gettext_lazy("stored emails")

    def __str__(self) -> str:
        return f"{self.subject} → {self.to} ({self.status})"

    def message(self) -> EmailMultiAlternatives:
        # The same Message-ID on every attempt: when a server took a message
        # but its answer was lost, the retry is recognisably the same email,
        # which mail systems show once.
        headers = {"Message-ID": self.message_id(), **self.headers}
        message = EmailMultiAlternatives(
            self.subject, self.text, settings.DEFAULT_FROM_EMAIL, [self.to], headers=headers
        )
        if self.html:
            message.attach_alternative(self.html, "text/html")
        return message

    def message_id(self) -> str:
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
        return f"<outgoing.{self.pk}.{self.created_at:%Y%m%d%H%M%S}@{domain}>"

    def claim(self, length: timedelta, even_if_backing_off: bool = False) -> bool:
        """Take this email for one attempt; False when another worker has
        it, or it waits for its next retry. The UPDATE matches the row only
        as this object read it (same attempt count), so of two workers
        racing for it exactly one wins, on PostgreSQL and SQLite alike.

        While claimed, next_attempt_at holds the end of the claim (like a
        queue's visibility timeout: if the worker dies mid-send the email is
        due again then) and last_error is empty, so not even a forced retry
        (the admin's "Retry delivery now") takes an email that is being sent."""
        now = timezone.now()
        waiting = Q(attempts=0) | Q(next_attempt_at__lte=now)
        if even_if_backing_off:
            waiting |= ~Q(last_error="")
        claimed = (
            type(self)
            .objects.filter(waiting, pk=self.pk, status=self.PENDING, attempts=self.attempts)
            .update(attempts=F("attempts") + 1, next_attempt_at=now + length, last_error="")
        )
        if claimed:
            self.attempts += 1
        return bool(claimed)

    def mark_sent(self) -> None:
        if self.forget_when_sent:
            self.delete()
            return
        self.status, self.sent_at = self.SENT, timezone.now()
        self.save(update_fields=["status", "sent_at"])

    def mark_failed(self, error: Exception, final: bool = False) -> None:
        """Record the failed attempt and when to try again, with a growing
        delay; give up after MAX_ATTEMPTS, or at once when `final`."""
        self.last_error = f"{type(error).__name__}: {error}"[:2000]
        self.next_attempt_at = timezone.now() + timedelta(minutes=5 * 2 ** (self.attempts - 1))
        if final or self.attempts >= self.MAX_ATTEMPTS:
            self.status = self.FAILED
        logger.warning(
            "Email %s to %s failed (attempt %s): %s",
            self.pk,
            self.to,
            self.attempts,
            self.last_error,
        )
        self.save(update_fields=["last_error", "next_attempt_at", "status"])
