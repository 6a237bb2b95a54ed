"""Who may do what with dialogues. forum/permissions.py asks
reply_refusal(); everything here that names a role is in can_facilitate()."""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.utils.translation import gettext as _


def can_facilitate(user, topic) -> bool:
    """Facilitators of the topic or its series, and moderators: the forum's
    roles (forum/permissions.py). On the topic page the answer comes from
    the roles annotated onto the topic query, at no query of its own."""
    from forum.permissions import moderates  # it imports this module

    return moderates(user, topic)


def check_facilitate(user, topic) -> None:
    if not can_facilitate(user, topic):
        raise PermissionDenied(_("Only this dialogue's facilitators can manage it."))


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
