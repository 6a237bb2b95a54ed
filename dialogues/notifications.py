"""Who is told about what, by email. Builds OutgoingEmail rows (the queue);
tasks.deliver_emails sends them, a batch over one SMTP connection."""

import contextlib
import contextvars
from collections import defaultdict
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from forum.models import Post, Topic
from forum.permissions import can_view_topic

from .models import (
    Dialogue,
    DigestEntry,
    NotificationPreference,
    OutgoingEmail,
    Subscription,
    refresh_resources,
)

UNSUBSCRIBE_SALT = "dialogues.unsubscribe"
RETRY_SAFETY_NET = timedelta(minutes=10)
_muted = contextvars.ContextVar("dialogues_notifications_muted", default=False)
_batch = contextvars.ContextVar("dialogues_email_batch", default=None)
# Retries go out in batches of this many per task (and SMTP connection).
RETRY_BATCH = 200


@contextlib.contextmanager
def muted():
    """No notification email for posts made inside (demo seeding, imports)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


@contextlib.contextmanager
def sent_together():
    """The emails queued inside are sent by one task, over one SMTP
    connection, after the commit: a fan-out to a hundred followers is one
    connection, not a hundred."""
    ids = []
    token = _batch.set(ids)
    try:
        yield
    finally:
        _batch.reset(token)
        if ids:
            _deliver_after_commit(ids)


def _deliver_after_commit(ids: list[int]) -> None:
    from . import tasks

    # robust: a queue that fails to take the work must not fail the caller;
    # the emails are stored, and retry_emails sends them.
    transaction.on_commit(partial(tasks.deliver_emails.enqueue, ids), robust=True)


def post_added(sender, post: Post, **kwargs) -> None:
    """Everything a new post means beyond the forum itself: receives
    forum.signals.post_added, sent inside the transaction that saved it."""
    from . import tasks

    refresh_resources(post, new=True)
    Subscription.on_posting(post.author, post.topic)
    if not _muted.get():
        # robust: a queue that fails to take the work must not fail the post.
        transaction.on_commit(partial(tasks.notify_new_post.enqueue, post.pk), robust=True)


def post_changed(sender, post: Post, **kwargs) -> None:
    """Receives forum.signals.post_changed: the resources panel follows
    edits, hiding and restoring."""
    refresh_resources(post)


def unsubscribe_token(user, topic=None) -> str:
    return signing.dumps({"u": user.pk, "t": topic.pk if topic else None}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> dict:
    """Raise signing.BadSignature for anything we did not sign."""
    return signing.loads(token, salt=UNSUBSCRIBE_SALT)


def absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url


def queue_email(user, template: str, context: dict, *, dedupe_key: str, topic=None, posts=()):
    """Store an email (plain text and HTML, in the recipient's language,
    with a one-click unsubscribe) and send it after commit. `posts`: the ids
    of the posts whose words it shows (OutgoingEmail.posts). Returns None
    when an email with this dedupe_key already exists."""

    if OutgoingEmail.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    unsubscribe_url = absolute(
        reverse("dialogues:unsubscribe", args=[unsubscribe_token(user, topic)])
    )
    context = {
        **context,
        "recipient": user,
        "topic": topic,
        "unsubscribe_url": unsubscribe_url,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    # The language chosen in the profile (accounts.User.language), else the site's.
    language = getattr(user, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = render_to_string(f"dialogues/email/{template}_subject.txt", context)
        text = render_to_string(f"dialogues/email/{template}.txt", context)
        html = render_to_string(f"dialogues/email/{template}.html", context)
    email, created = OutgoingEmail.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults=dict(
            recipient=user,
            to=user.email,
            subject=" ".join(subject.split())[:300],
            text=text,
            html=html,
            headers={
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            # A safety net: retry_emails picks it up if the task never ran.
            next_attempt_at=timezone.now() + RETRY_SAFETY_NET,
        ),
    )
    if not created:  # another worker got there first
        return None
    email.posts.add(*(pk for pk in posts if pk is not None))
    batch = _batch.get()
    if batch is None:
        _deliver_after_commit([email.pk])
    else:
        batch.append(email.pk)
    return email


def queue_message(message, *, recipient=None) -> OutgoingEmail:
    """Store an email built elsewhere (allauth's codes, links and notices)
    and send it after commit, like ours: the request never waits on the mail
    server, and a server that is down loses nothing. It carries a secret, so
    it is forgotten once delivered (OutgoingEmail.forget_when_sent)."""
    html = next(
        (body for body, kind in getattr(message, "alternatives", ()) if kind == "text/html"), ""
    )
    text = message.body if message.content_subtype == "plain" else ""
    email = OutgoingEmail.objects.create(
        recipient=recipient,
        to=message.to[0],
        subject=" ".join(message.subject.split())[:300],
        text=text,
        html=html or (message.body if message.content_subtype == "html" else ""),
        headers=dict(message.extra_headers),
        forget_when_sent=True,
        next_attempt_at=timezone.now() + RETRY_SAFETY_NET,
    )
    _deliver_after_commit([email.pk])
    return email


def _reachable(users, now: datetime):
    """Active, not suspended, with an address, and wanting email."""
    return (
        users.filter(is_active=True)
        .exclude(email="")
        .exclude(suspended_until__gt=now)
        .exclude(notification_preference__email_enabled=False)
    )


def notify_new_post(post_id: int) -> int:
    """Tell followers of the topic, and the author of the post replied to,
    now or in their digest. Returns how many people were told."""
    post = Post.objects.select_related("topic", "author", "parent").filter(pk=post_id).first()
    if post is None or post.is_hidden:
        return 0
    topic = post.topic
    parent_author_id = post.parent.author_id if post.parent_id else None
    followers = Subscription.objects.active().filter(topic=topic, user=OuterRef("pk"))
    opted_out = Subscription.objects.filter(topic=topic, user=OuterRef("pk"), is_subscribed=False)
    users = (
        _reachable(get_user_model().objects, timezone.now())
        .filter(Q(Exists(followers)) | Q(pk=parent_author_id))
        .exclude(Exists(opted_out))
        .exclude(pk=post.author_id)
        .select_related("notification_preference")
    )
    told = 0
    with sent_together():
        for user in users:
            if not can_view_topic(user, topic):
                continue
            preference = NotificationPreference.for_user(user)
            if preference.delivery == NotificationPreference.DIGEST:
                DigestEntry.objects.get_or_create(user=user, post=post)
            else:
                is_reply = user.pk == parent_author_id
                queue_email(
                    user,
                    "reply" if is_reply else "new_post",
                    {"post": post, "post_url": absolute(post.get_absolute_url())},
                    dedupe_key=f"post:{post.pk}:{user.pk}",
                    topic=topic,
                    # The title, and the parent whose subject a reply shows or quotes.
                    posts=[post.pk, topic.opening_post_id, post.parent_id],
                )
            told += 1
    return told


def send_summary_emails(dialogue_id: int) -> int:
    """Email the published summary, once, to everyone who posted in the
    dialogue or follows it."""
    dialogue = Dialogue.objects.select_related("topic__category").get(pk=dialogue_id)
    topic = dialogue.topic
    now = timezone.now()
    # Someone whose only posts were removed by a moderator did not take part.
    posted = Post.objects.filter(topic=topic, author=OuterRef("pk"), is_hidden=False)
    followers = Subscription.objects.active().filter(topic=topic, user=OuterRef("pk"))
    users = _reachable(get_user_model().objects, now).filter(
        Q(Exists(posted)) | Q(Exists(followers))
    )
    next_topic = dialogue.next_in_series()
    context = {
        "dialogue": dialogue,
        "summary_url": absolute(topic.get_absolute_url() + "#summary"),
        "survey_url": dialogue.survey_url,
        "next_topic": next_topic,
        "next_url": absolute(next_topic.get_absolute_url()) if next_topic else "",
    }
    sent = 0
    with sent_together():
        for user in users.order_by("pk"):
            if not can_view_topic(user, topic):
                continue
            # No topic in the unsubscribe token: it stops all email, since
            # people who only posted follow nothing to unfollow.
            key = f"summary:{dialogue.pk}:{user.pk}"
            shown = [topic.opening_post_id, next_topic and next_topic.opening_post_id]
            if queue_email(user, "summary", context, dedupe_key=key, posts=shown):
                sent += 1
    return sent


def send_digests(now: datetime | None = None) -> int:
    """Send each digest reader, during their chosen hour in their own time
    zone, one email grouping the new posts per topic. Run hourly."""
    now = now or timezone.now()
    pending = DigestEntry.objects.filter(user=OuterRef("user"), sent_at__isnull=True)
    preferences = NotificationPreference.objects.filter(
        Exists(pending), delivery=NotificationPreference.DIGEST, email_enabled=True
    ).select_related("user")
    sent = 0
    with sent_together():
        for preference in preferences:
            if preference.digest_due(now):
                sent += _send_digest(preference, now)
    return sent


def _send_digest(preference, now: datetime) -> int:
    """One reader's digest: 1 if an email was queued."""
    sent = 0
    with transaction.atomic():
        entries = list(
            DigestEntry.objects.select_for_update()
            .filter(user=preference.user, sent_at__isnull=True)
            .select_related("post__topic", "post__author")
            .order_by("post__topic_id", "post__created_at")
        )
        by_topic = defaultdict(list)
        for entry in entries:
            post = entry.post
            if post.is_hidden or not can_view_topic(preference.user, post.topic):
                continue
            post.url = absolute(post.get_absolute_url())
            by_topic[post.topic].append(post)
        if by_topic:
            local_day = now.astimezone(preference.zone()).date()
            queue_email(
                preference.user,
                "digest",
                {
                    "topics": [
                        {"topic": t, "url": absolute(t.get_absolute_url()), "posts": posts}
                        for t, posts in by_topic.items()
                    ],
                    "day": local_day,
                },
                dedupe_key=f"digest:{preference.user_id}:{local_day.isoformat()}",
                posts=[
                    pk
                    for t, shown in by_topic.items()
                    for pk in (t.opening_post_id, *(p.pk for p in shown))
                ],
            )
            sent += 1
        DigestEntry.objects.filter(pk__in=[e.pk for e in entries]).update(sent_at=now)
        preference.last_digest_at = now
        preference.save(update_fields=["last_digest_at"])
    return sent


def close_due_dialogues(now: datetime | None = None) -> int:
    """Record in the moderation log every dialogue that reached its closing
    time. What pages show needs no such step: they ask Topic.reply_state()."""
    now = now or timezone.now()
    return sum(topic.record_close(now=now) for topic in Topic.objects.due_to_close(now))


def retry_due_emails(now: datetime | None = None) -> int:
    from . import tasks

    ids = list(OutgoingEmail.objects.due(now or timezone.now()).values_list("pk", flat=True))
    for start in range(0, len(ids), RETRY_BATCH):
        tasks.deliver_emails.enqueue(ids[start : start + RETRY_BATCH])
    return len(ids)
