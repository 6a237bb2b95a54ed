import unicodedata
from datetime import datetime

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Names refuse every bidi control and invisible character: a name that looks
# like another, or displays differently from what it is, impersonates.
from forum.reversing import url_for
from forum.text import BIDI_CONTROLS, is_invisible

FORMER_PARTICIPANT = _("Former participant")
# Stored, not translated: it replaces the text in the database.
REMOVED_TEXT = "[removed at the author's request]"


def normalize_display_name(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value).split())


def validate_display_name_characters(value: str) -> None:
    for char in value:
        if char in BIDI_CONTROLS:
            raise ValidationError(
                _("Names cannot contain text-direction control characters."),
                code="bidi_control",
            )
        if is_invisible(char):
            raise ValidationError(
                _("Names cannot contain invisible or control characters."),
                code="invisible",
            )


class DeletionMode(models.TextChoices):
    KEEP = "keep", _('Keep my posts, shown as written by "Former participant"')
    REMOVE = (
        "remove",
        _("Replace the subjects and text of my posts with “[removed at the author's request]”"),
    )


class User(AbstractUser):
    # A pseudonym is fine: real names are never required.
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        blank=True,
        validators=[validate_display_name_characters],
        help_text=_("Shown with your posts. A pseudonym is fine."),
    )
    role_line = models.CharField(
        _("role line"),
        max_length=120,
        blank=True,
        help_text=_('Shown under your posts, e.g. "Online Community Builder".'),
    )
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True)
    suspension_reason = models.CharField(_("suspension reason"), max_length=500, blank=True)

    # Profile (issue 3). Everything optional.
    affiliation = models.CharField(
        _("affiliation"), max_length=120, blank=True, help_text=_("Your organisation, if any.")
    )
    bio = models.TextField(_("about you"), max_length=1000, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("Times on the site are shown in this zone."),
    )
    language = models.CharField(_("preferred language"), max_length=10, blank=True)

    deleted_at = models.DateTimeField(_("account deleted"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("suspend_user", _("Can suspend and reinstate users"))]
        constraints = [
            models.UniqueConstraint(
                Lower("display_name"),
                condition=Q(is_active=True) & ~Q(display_name=""),
                name="user_unique_active_display_name_ci",
                violation_error_message=_("Someone already uses this display name."),
            )
        ]

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        if self.deleted_at:
            return str(FORMER_PARTICIPANT)
        return self.display_name or self.username

    def get_absolute_url(self) -> str:
        return url_for("accounts:profile", self.username)

    # What the forum's pages show of an author beside their posts.
    SHOWN_ON_POSTS = frozenset({"username", "display_name", "role_line", "is_active", "deleted_at"})

    def save(self, *args, update_fields=None, **kwargs):
        from forum.models import Topic

        adding = self._state.adding
        with transaction.atomic():
            super().save(*args, update_fields=update_fields, **kwargs)
            if not adding and (update_fields is None or self.SHOWN_ON_POSTS & set(update_fields)):
                # Their name on every page with a post of theirs: those
                # pages' cached copies must go (forum/page_cache.py).
                Topic.objects.with_posts_by(self).touch()

    def is_suspended(self, now=None) -> bool:
        return self.suspended_until is not None and self.suspended_until > (now or timezone.now())

    @transaction.atomic
    def suspend(self, until: datetime, reason: str, by) -> None:
        from forum.models import ModerationLog

        self.suspended_until = until
        self.suspension_reason = reason
        self.save(update_fields=["suspended_until", "suspension_reason"])
        ModerationLog.record(
            by,
            ModerationLog.Action.SUSPEND,
            user=self,
            reason=f"{reason} (until {until:%Y-%m-%d %H:%M} UTC)",
        )

    @transaction.atomic
    def unsuspend(self, by) -> None:
        from forum.models import ModerationLog

        self.suspended_until = None
        self.suspension_reason = ""
        self.save(update_fields=["suspended_until", "suspension_reason"])
        ModerationLog.record(by, ModerationLog.Action.UNSUSPEND, user=self)

    @transaction.atomic
    def delete_account(self, mode: str) -> None:
        """Erase personal data for good. The row stays (posts point at it,
        PROTECT) as an inactive, anonymous "Former participant". In both
        modes their words go from every copy (emails, flags, earlier
        versions); "remove" also replaces their posts' subjects and text."""
        from allauth.account.models import EmailAddress
        from allauth.mfa.models import Authenticator

        from dialogues.models import NotificationPreference, Subscription
        from forum.models import FacilitatorAssignment, ReadingPreference, TopicRead

        from . import erasure

        if mode not in DeletionMode.values:
            raise ValueError(f"unknown deletion mode {mode!r}")
        erasure.erase_words(self, remove_text=mode == DeletionMode.REMOVE)
        erasure.end_sessions(self)
        EmailAddress.objects.filter(user=self).delete()
        for model in (
            Subscription,
            NotificationPreference,
            TopicRead,
            ReadingPreference,
            FacilitatorAssignment,
        ):
            model.objects.filter(user=self).delete()
        Authenticator.objects.filter(user=self).delete()
        self.groups.clear()
        self.user_permissions.clear()

        self.username = f"deleted-{self.pk}"
        self.display_name = "Former participant"
        self.email = ""
        self.first_name = self.last_name = ""
        self.role_line = self.affiliation = self.bio = ""
        self.time_zone = self.language = ""
        self.suspended_until = None
        self.suspension_reason = ""
        self.is_active = self.is_staff = self.is_superuser = False
        self.last_login = None
        self.deleted_at = timezone.now()
        self.set_unusable_password()
        self.save()
        # The logs outlive the account but keep no name of the person.
        erasure.forget_name(self, self.display_name)


def user_display(user) -> str:
    """How allauth names a user on its pages and in its emails."""
    return user.public_name


# allauth's session list records the IP address of every login (and its
# column cannot be empty). We keep the browser and the time only: every row
# gets the unspecified address instead, whichever allauth path saves it.
NO_IP_ADDRESS = "0.0.0.0"  # noqa: S104 (stored, never bound to)


@receiver(pre_save, sender="usersessions.UserSession")
def _keep_no_ip_address(sender, instance, **kwargs) -> None:
    instance.ip = NO_IP_ADDRESS
