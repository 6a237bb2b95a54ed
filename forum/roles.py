"""Facilitator assignments: who facilitates which category or topic. What
a facilitator may do is decided in forum/permissions.py."""

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .moderation import ModerationLog


class FacilitatorAssignment(models.Model):
    """A facilitator of one category (a conversation series) or one topic."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="facilitator_assignments",
        verbose_name=_("facilitator"),
    )
    category = models.ForeignKey(
        "forum.Category",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="facilitator_assignments",
        verbose_name=_("category"),
    )
    topic = models.ForeignKey(
        "forum.Topic",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="facilitator_assignments",
        verbose_name=_("topic"),
    )
    created_at = models.DateTimeField(_("assigned"), default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(category__isnull=False, topic__isnull=True)
                | Q(category__isnull=True, topic__isnull=False),
                name="facilitator_category_xor_topic",
            ),
            models.UniqueConstraint(
                fields=["user", "category"], name="facilitator_unique_category"
            ),
            models.UniqueConstraint(fields=["user", "topic"], name="facilitator_unique_topic"),
        ]
        verbose_name = _("facilitator assignment")
        verbose_name_plural = _("facilitator assignments")

    def __str__(self) -> str:
        return f"{self.user} · {self.scope}"

    @property
    def scope(self):
        return self.category or self.topic

    @transaction.atomic
    def assign(self, *, by) -> None:
        self.save()
        ModerationLog.record(
            by,
            ModerationLog.Action.ROLE_CHANGED,
            topic=self.topic,
            user=self.user,
            reason=_("Facilitator of %(scope)s") % {"scope": self.scope},
        )

    @transaction.atomic
    def revoke(self, *, by) -> None:
        ModerationLog.record(
            by,
            ModerationLog.Action.ROLE_CHANGED,
            topic=self.topic,
            user=self.user,
            reason=_("No longer facilitator of %(scope)s") % {"scope": self.scope},
        )
        self.delete()
