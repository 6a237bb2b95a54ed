"""Moderation: flags, post revisions, the moderation log, and the
lock/pin/hide/edit rules of topics and posts (mixed into Topic and Post).
Every action goes through a method here, so pages and the admin record it the
same way. Who may act is decided in forum/permissions.py; who facilitates
where is forum/roles.py."""

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import markup, signals


class ModerationLogQuerySet(models.QuerySet):
    def for_topic(self, topic):
        return self.filter(Q(topic=topic) | Q(post__topic=topic))

    def for_display(self):
        return self.select_related("actor", "topic", "post", "user").order_by("-created_at")


class ModerationLog(models.Model):
    class Action(models.TextChoices):
        LOCK = "lock", _("locked topic")
        UNLOCK = "unlock", _("unlocked topic")
        STICKY = "sticky", _("made topic sticky")
        UNSTICKY = "unsticky", _("made topic not sticky")
        PIN = "pin", _("pinned post")
        UNPIN = "unpin", _("unpinned post")
        HIDE = "hide", _("hid post")
        RESTORE = "restore", _("restored post")
        EDIT = "edit", _("edited someone else's post")
        EDIT_TOPIC = "edit_topic", _("changed topic")
        FLAG_RESOLVED = "flag_resolved", _("resolved flags")
        ROLE_CHANGED = "role_changed", _("changed role")
        SCHEDULE = "schedule", _("scheduled dialogue")
        RESCHEDULE = "reschedule", _("changed the dialogue's times")
        EXTEND = "extend", _("extended dialogue")
        REOPEN = "reopen", _("reopened dialogue")
        CLOSE = "close", _("dialogue closed at its closing time")
        CLOSE_EARLY = "close_early", _("closed dialogue early")
        LEADER_ADDED = "leader_added", _("added conversation leader")
        LEADER_REMOVED = "leader_removed", _("removed conversation leader")
        SUMMARY_SAVED = "summary_saved", _("saved summary")
        SUMMARY_PUBLISHED = "summary_published", _("published summary")
        SUSPEND = "suspend", _("suspended user")
        UNSUSPEND = "unsuspend", _("lifted suspension")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    topic = models.ForeignKey(
        "forum.Topic",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("topic"),
    )
    post = models.ForeignKey(
        "forum.Post",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("post"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # What the target was called at the time: the log outlives deletions.
    target = models.CharField(_("target"), max_length=300, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    objects = ModerationLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log")

    def __str__(self) -> str:
        return f"{self.actor} {self.get_action_display()} {self.target}"

    @classmethod
    def record(
        cls, actor, action, *, topic=None, post=None, user=None, reason=""
    ) -> "ModerationLog":
        if post is not None and topic is None:
            topic = post.topic
        target = post or topic or user
        return cls.objects.create(
            actor=actor,
            action=action,
            topic=topic,
            post=post,
            user=user,
            target=str(target)[:300] if target is not None else "",
            reason=str(reason),
        )


def describe_changes(changes) -> str:
    """A log entry's reason for changed fields, each with its value before
    and after: 'title: "Old" → "New"; category: Open questions → Help'."""
    return "; ".join(f"{field}: {before} → {after}" for field, before, after in changes)


class PostRevision(models.Model):
    """A post as it was before one edit."""

    post = models.ForeignKey(
        "forum.Post", on_delete=models.CASCADE, related_name="revisions", verbose_name=_("post")
    )
    subject = models.CharField(_("subject"), max_length=settings.FORUM_MAX_SUBJECT_LENGTH)
    body = models.TextField(_("body (Markdown)"))
    written_at = models.DateTimeField(_("written"))
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("edited by"),
    )
    replaced_at = models.DateTimeField(_("edited"), default=timezone.now)

    class Meta:
        ordering = ["-replaced_at", "-pk"]
        verbose_name = _("post revision")
        verbose_name_plural = _("post revisions")

    def __str__(self) -> str:
        return self.subject

    @property
    def body_html(self) -> str:
        return markup.render(self.body)


class FlagQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Flag.Status.OPEN)

    def for_queue(self):
        return self.select_related(
            "post__author", "post__topic__category", "flagger", "resolved_by"
        ).order_by("created_at")


class Flag(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        ABUSE = "abuse", _("Abuse or harassment")
        PERSONAL_DATA = "personal_data", _("Personal data exposed")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        HIDDEN = "hidden", _("Post hidden")
        DISMISSED = "dismissed", _("Dismissed")

    post = models.ForeignKey(
        "forum.Post", on_delete=models.CASCADE, related_name="flags", verbose_name=_("post")
    )
    flagger = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("flagged by"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    text = models.TextField(_("details"), blank=True)
    created_at = models.DateTimeField(_("flagged"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "flagger"], name="flag_once_per_post")
        ]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.post}"

    @transaction.atomic
    def resolve(self, *, by, hide: bool, note: str = "") -> None:
        """One decision settles every open flag on the post."""
        post = self.post
        if hide and not post.is_hidden:
            post.hide(by=by, reason=note or self.get_reason_display())
        status = Flag.Status.HIDDEN if hide else Flag.Status.DISMISSED
        post.flags.open().update(status=status, resolved_by=by, resolved_at=timezone.now())
        ModerationLog.record(
            by,
            ModerationLog.Action.FLAG_RESOLVED,
            post=post,
            reason=f"{Flag.Status(status).label}. {note}".strip(),
        )
        self.refresh_from_db(fields=["status", "resolved_by", "resolved_at"])


class TopicModeration:
    """Lock and sticky rules of forum.models.Topic."""

    @transaction.atomic
    def lock(self, *, by, reason: str = "") -> None:
        # The row lock that add_reply() takes: replies checked before the
        # lock commit first; the rest wait for it and are refused.
        self._hold_row()
        self.is_locked, self.locked_by, self.locked_at = True, by, timezone.now()
        self.lock_reason = reason
        self.save(update_fields=["is_locked", "locked_by", "locked_at", "lock_reason"])
        self._forget_state()
        self.touch()
        ModerationLog.record(by, ModerationLog.Action.LOCK, topic=self, reason=reason)

    @transaction.atomic
    def unlock(self, *, by, reason: str = "") -> None:
        self._hold_row()
        self.is_locked, self.locked_by, self.locked_at, self.lock_reason = False, None, None, ""
        self.save(update_fields=["is_locked", "locked_by", "locked_at", "lock_reason"])
        self._forget_state()
        self.touch()
        ModerationLog.record(by, ModerationLog.Action.UNLOCK, topic=self, reason=reason)

    @transaction.atomic
    def set_sticky(self, sticky: bool, *, by) -> None:
        self.is_sticky = sticky
        self.save(update_fields=["is_sticky"])
        self.touch()
        action = ModerationLog.Action.STICKY if sticky else ModerationLog.Action.UNSTICKY
        ModerationLog.record(by, action, topic=self)

    def refresh_last_post(self) -> None:
        """Point last_post at the latest visible post (hidden posts neither
        bump a topic nor show in topic lists)."""
        latest = self.posts.filter(is_hidden=False).order_by("-pk").first()
        if latest is not None:
            type(self).objects.filter(pk=self.pk).update(
                last_post=latest, last_post_at=latest.created_at
            )
        self.refresh_from_db(fields=["post_count", "last_post", "last_post_at"])


class PostModeration:
    """Pin, hide, edit and flag rules of forum.models.Post."""

    @transaction.atomic
    def pin(self, *, by) -> None:
        self.pinned_at, self.pinned_by = timezone.now(), by
        self.save(update_fields=["pinned_at", "pinned_by"])
        self._touch_topic()
        ModerationLog.record(by, ModerationLog.Action.PIN, post=self)

    @transaction.atomic
    def unpin(self, *, by) -> None:
        self.pinned_at, self.pinned_by = None, None
        self.save(update_fields=["pinned_at", "pinned_by"])
        self._touch_topic()
        ModerationLog.record(by, ModerationLog.Action.UNPIN, post=self)

    @transaction.atomic
    def hide(self, *, by, reason: str = "") -> None:
        """Soft delete. post_count counts visible posts only, so it drops by
        one; the post keeps its place in the tree for its replies."""
        if self.is_opening:
            raise ValueError("the opening post cannot be hidden; lock or delete the topic")
        self.topic._hold_row()  # before the post's row, in add_reply()'s order
        updated = (
            type(self)
            .objects.filter(pk=self.pk, is_hidden=False)
            .update(is_hidden=True, hidden_by=by, hidden_at=timezone.now(), hidden_reason=reason)
        )
        self.refresh_from_db(fields=["is_hidden", "hidden_by", "hidden_at", "hidden_reason"])
        if not updated:
            return
        topic = self.topic
        type(topic).objects.filter(pk=topic.pk).update(post_count=F("post_count") - 1)
        topic.refresh_last_post()
        self._forget_read_extras()
        self._read_count_changed(-1)
        self._changed()
        ModerationLog.record(by, ModerationLog.Action.HIDE, post=self, reason=reason)

    @transaction.atomic
    def restore(self, *, by, reason: str = "") -> None:
        self.topic._hold_row()  # before the post's row, in add_reply()'s order
        updated = (
            type(self)
            .objects.filter(pk=self.pk, is_hidden=True)
            .update(is_hidden=False, hidden_by=None, hidden_at=None, hidden_reason="")
        )
        self.refresh_from_db(fields=["is_hidden", "hidden_by", "hidden_at", "hidden_reason"])
        if not updated:
            return
        topic = self.topic
        type(topic).objects.filter(pk=topic.pk).update(post_count=F("post_count") + 1)
        topic.refresh_last_post()
        self._read_count_changed(+1)
        self._changed()
        ModerationLog.record(by, ModerationLog.Action.RESTORE, post=self, reason=reason)

    def _touch_topic(self) -> None:
        from .models import Topic

        Topic.objects.filter(pk=self.topic_id).touch()

    def _changed(self) -> None:
        self._touch_topic()
        # E.g. the dialogue's "Resources shared" panel follows edits and hiding.
        signals.post_changed.send(sender=type(self), post=self)

    def _read_count_changed(self, by: int) -> None:
        from .models import TopicRead

        TopicRead.read_count_changed(self, by)

    def _forget_read_extras(self) -> None:
        # New counts subtract len(extra_read_ids) from the visible unread
        # posts; a hidden post left in that list would be subtracted twice.
        from .models import TopicRead

        reads = TopicRead.objects.filter(topic_id=self.topic_id, extra_read_count__gt=0)
        for read in reads.only("pk", "extra_read_ids"):
            if self.pk in read.extra_read_ids:
                read.extra_read_ids = [pk for pk in read.extra_read_ids if pk != self.pk]
                read.extra_read_count = len(read.extra_read_ids)
                read.save(update_fields=["extra_read_ids", "extra_read_count"])

    @transaction.atomic
    def edit(self, *, by, subject: str, body: str) -> None:
        """Replace subject and body, keeping the previous version."""
        if subject == self.subject and body == self.body:
            return
        if self.is_opening:  # its topic's title changes too: that row first
            self.topic._hold_row()
        PostRevision.objects.create(
            post=self,
            subject=self.subject,
            body=self.body,
            written_at=self.edited_at or self.created_at,
            replaced_by=by,
        )
        self.subject, self.body, self.edited_at = subject, body, timezone.now()
        self.render_body()
        self.save(update_fields=["subject", "body", "body_html", "edited_at"])
        self._changed()
        if self.is_opening:
            # The opening post's subject is the topic's title.
            type(self.topic).objects.filter(pk=self.topic_id).update(title=subject)
        if by.pk != self.author_id:
            ModerationLog.record(by, ModerationLog.Action.EDIT, post=self)

    def flag(self, *, by, reason: str, text: str = "") -> Flag:
        return Flag.objects.create(post=self, flagger=by, reason=reason, text=text)
