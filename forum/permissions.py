"""Who may do what: the only place roles are interpreted. Views, templates
(through forum_tags filters) and the admin all ask these functions."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from dialogues.permissions import reply_refusal

from .models import Category, Topic


def can_start_topic(user, category: Category) -> bool:
    # Facilitators open dialogues; until roles land (issue 4) that is anyone
    # granted forum.add_topic, which staff in the "Facilitators" group have.
    return user.is_authenticated and user.has_perm("forum.add_topic")


def can_reply(user, topic: Topic) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_suspended():
        return False
    return not topic.is_locked and reply_refusal(topic) is None


def check_reply(user, topic: Topic) -> None:
    """Raise PermissionDenied with the reason a person can act on."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Log in to reply."))
    if user.is_suspended():
        raise PermissionDenied(
            _("Your account is suspended until %(date)s: %(reason)s")
            % {"date": user.suspended_until.strftime("%Y-%m-%d"), "reason": user.suspension_reason}
        )
    if topic.is_locked:
        raise PermissionDenied(_("This topic is locked: no new replies can be posted."))
    if refusal := reply_refusal(topic):
        raise PermissionDenied(refusal)
    if not can_reply(user, topic):
        raise PermissionDenied(_("You cannot reply to this topic."))
