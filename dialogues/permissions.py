"""Who may do what with dialogues. forum/permissions.py asks
reply_refusal(); everything here that names a role is in can_facilitate()."""

from django.contrib.auth.models import Permission
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Exists, Q, Value
from django.utils.translation import gettext as _


def can_facilitate(user, topic=None) -> bool:
    # TODO(issue 5): swap for the moderation branch's facilitator role
    # (per category/topic) when it lands; until then staff or forum.add_topic.
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_staff or user.has_perm("forum.add_topic"))
    )


def can_facilitate_expression(user):
    """can_facilitate() as SQL, so the topic page's own query answers it
    instead of has_perm()'s two queries. Keep the two in step."""
    if not user.is_authenticated or not user.is_active:
        return Value(False)
    if user.is_staff or user.is_superuser:
        return Value(True)
    granted = Permission.objects.filter(
        Q(user=user) | Q(group__user=user),
        codename="add_topic",
        content_type__app_label="forum",
    )
    return Exists(granted)


def check_facilitate(user, topic=None) -> None:
    if not can_facilitate(user, topic):
        raise PermissionDenied(_("Only facilitators can manage this dialogue."))


def dialogue_of(topic):
    """The topic's dialogue or None (cached on the topic after one look)."""
    try:
        return topic.dialogue
    except ObjectDoesNotExist:
        return None


def reply_refusal(topic, now=None) -> str | None:
    """Why the dialogue refuses replies right now, or None."""
    dialogue = dialogue_of(topic)
    return dialogue.reply_refusal(now) if dialogue else None


def can_see_topic(user, topic) -> bool:
    """Whether `user` may read `topic`: emails never carry a post from a
    topic its recipient cannot see. Every category is public today; the
    moderation branch's visibility rule goes here when it lands."""
    from forum import permissions as forum_permissions  # it imports this module

    if not user.is_active:
        return False
    can_view = getattr(forum_permissions, "can_view_topic", None)
    return can_view(user, topic) if can_view else True
