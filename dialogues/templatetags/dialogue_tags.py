from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.simple_tag
def closes_in(dialogue) -> str:
    """'closes in 20 hours': whole days from two days on (so 47 hours never
    reads "1 day"), then hours, then minutes."""
    left = dialogue.closes_at - timezone.now()
    if left >= timedelta(days=2):
        n = left // timedelta(days=1)
        return ngettext("closes in %(n)d day", "closes in %(n)d days", n) % {"n": n}
    if left >= timedelta(hours=1):
        n = left // timedelta(hours=1)
        return ngettext("closes in %(n)d hour", "closes in %(n)d hours", n) % {"n": n}
    n = max(left // timedelta(minutes=1), 1)
    return ngettext("closes in %(n)d minute", "closes in %(n)d minutes", n) % {"n": n}


@register.simple_tag
def dialogue_day(dialogue) -> str:
    return _("Day %(day)d of %(days)d") % {
        "day": dialogue.day_number(),
        "days": dialogue.day_count,
    }
