from django import template
from django.utils.translation import gettext as _

from .. import permissions, schedule

register = template.Library()


@register.filter
def can_reply(user, topic) -> bool:
    return permissions.can_reply(user, topic)


@register.filter
def can_post_in_locked(user, topic) -> bool:
    return permissions.can_post_in_locked(user, topic)


@register.filter
def can_lock(user, topic) -> bool:
    return permissions.can_lock_topic(user, topic)


@register.filter
def can_make_sticky(user, topic) -> bool:
    return permissions.can_make_sticky(user, topic)


@register.filter
def can_see_lock_details(user, topic) -> bool:
    return permissions.can_see_lock_details(user, topic)


@register.filter
def can_view_log(user, topic) -> bool:
    return permissions.can_view_moderation_log(user, topic)


@register.filter
def can_pin(user, post) -> bool:
    return permissions.can_pin_post(user, post)


@register.filter
def can_hide(user, post) -> bool:
    return permissions.can_hide_post(user, post)


@register.filter
def can_edit(user, post) -> bool:
    return permissions.can_edit_post(user, post)


@register.filter
def can_flag(user, post) -> bool:
    return permissions.can_flag_post(user, post)


@register.filter
def can_view_hidden(user, post) -> bool:
    return permissions.can_view_hidden(user, post)


@register.filter
def can_view_parent(user, post) -> bool:
    return permissions.can_view_parent(user, post)


@register.filter
def needs_mfa_for_tools(user, topic) -> bool:
    return permissions.needs_mfa_for_tools(user, topic)


@register.filter
def can_view_revisions(user, post) -> bool:
    return permissions.can_view_revisions(user, post)


@register.filter
def can_see_flagger(user) -> bool:
    return permissions.can_see_flagger(user)


@register.filter
def can_view_moderation_queue(user) -> bool:
    return permissions.can_view_moderation_queue(user)


@register.filter
def indent(depth: int) -> int:
    """Visual indentation stops at 6 levels so deep threads fit a phone;
    the "in reply to" line keeps deeper replies' context."""
    return min(max(depth - 1, 0), 6)


@register.filter
def can_facilitate(user, topic) -> bool:
    return permissions.can_facilitate(user, topic)


@register.filter
def closes_in(state) -> str:
    """'closes in 20 hours' for an open dialogue's ReplyState."""
    return schedule.closes_in(state.time_left)


@register.filter
def dialogue_day(state) -> str:
    """'Day 3 of 5' for an open dialogue's ReplyState."""
    return _("Day %(day)d of %(days)d") % {"day": state.day_number, "days": state.day_count}
