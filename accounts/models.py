from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    # A pseudonym is fine: real names are never required.
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    role_line = models.CharField(
        _("role line"),
        max_length=120,
        blank=True,
        help_text=_('Shown under your posts, e.g. "Online Community Builder".'),
    )
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True)
    suspension_reason = models.CharField(_("suspension reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        return self.display_name or self.username

    def is_suspended(self, now=None) -> bool:
        return self.suspended_until is not None and self.suspended_until > (now or timezone.now())

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile", args=[self.username])
