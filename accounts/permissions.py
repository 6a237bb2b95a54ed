"""Who may do what with accounts. Views, templates and the admin ask these."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def must_use_mfa(user) -> bool:
    """Staff, and anyone holding moderation or facilitation rights, must
    protect their account with a second factor (FORUM_STAFF_REQUIRE_MFA)."""
    if not settings.FORUM_STAFF_REQUIRE_MFA or not user.is_authenticated:
        return False
    from forum.permissions import facilitates_anywhere, is_moderator

    return (
        user.is_staff
        or user.is_superuser
        or user.has_perm("accounts.suspend_user")
        or user.has_perm("forum.add_topic")
        or is_moderator(user)
        or facilitates_anywhere(user)
    )


def has_mfa(user) -> bool:
    from allauth.mfa.utils import is_mfa_enabled

    return is_mfa_enabled(user)


def can_suspend(actor, target) -> bool:
    if not actor.is_authenticated or not actor.is_active or actor.pk == target.pk:
        return False
    if not actor.has_perm("accounts.suspend_user"):
        return False
    # Moderators cannot suspend staff; only superusers can.
    if target.is_staff or target.is_superuser:
        return actor.is_superuser
    return target.is_active


def check_suspend(actor, target) -> None:
    if not can_suspend(actor, target):
        raise PermissionDenied(_("You cannot suspend this person."))
