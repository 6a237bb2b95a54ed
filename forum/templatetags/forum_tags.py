from django import template

from .. import permissions

register = template.Library()


@register.filter
def can_reply(user, topic) -> bool:
    return permissions.can_reply(user, topic)


@register.filter
def indent(depth: int) -> int:
    """Visual indentation stops at 6 levels so deep threads fit a phone;
    the "in reply to" line keeps deeper replies' context."""
    return min(max(depth - 1, 0), 6)
