import re
from datetime import UTC
from urllib.parse import urlsplit, urlunsplit

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

from .. import permissions, schedule, topic_pages

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
def start_topic_refusal(user, category):
    return permissions.start_topic_refusal(user, category)


@register.filter
def post_fragment(rights, post) -> topic_pages.Fragment:
    """How the topic page keeps `post` rendered (topic_pages.fragment)."""
    return topic_pages.fragment(rights, post)


@register.filter
def isolate(text) -> SafeString:
    """User text inside a translated sentence, isolated in <bdi> so an
    English title does not scramble an Arabic sentence (or the reverse),
    without putting markup in the msgid."""
    return format_html("<bdi>{}</bdi>", text)


@register.filter
def machine_time(value) -> str:
    """A <time datetime=""> value: UTC to the second, the shortest form
    browsers and assistive technology read ("2026-11-28T22:18:20Z"), on
    every post of every page."""
    if not value:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
    # Counted on the number of days: Arabic says "of 5 days" differently from "of 11 days".
    return ngettext("Day %(day)d of %(days)d", "Day %(day)d of %(days)d", state.day_count) % {
        "day": state.day_number,
        "days": state.day_count,
    }


# Sentences that end with a date or a name. English dates end "10:31 a.m."
# and names may end "B.": the sentence's own full stop must not double it.
SENTENCE_ENDS = (".", "!", "?", "…", "؟", "。")


@register.filter
def before_full_stop(value) -> str:
    """The value without its trailing full stop, for a sentence that ends
    with it: "Published {{ date|before_full_stop }}." reads "… 10:31 a.m."."""
    text = str(value).rstrip()
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


@register.filter
def full_stop(value) -> str:
    """The value as a whole sentence: a full stop added unless it already
    ends with one (or with ! ? …), so another sentence can follow it."""
    text = str(value).rstrip()
    return text if not text or text.endswith(SENTENCE_ENDS) else f"{text}."


@register.simple_tag
def site_name() -> str:
    """SITE_NAME, for templates rendered without a request (emails)."""
    return settings.SITE_NAME


@register.simple_tag
def site_url() -> str:
    return settings.SITE_URL


@register.filter
def on_site(url) -> str:
    """The same address on the configured SITE_URL: links that allauth builds
    from the request's host ("127.0.0.1:8101") point at the public site."""
    parts = urlsplit(str(url))
    return settings.SITE_URL + urlunsplit(("", "", parts.path, parts.query, parts.fragment))


_RELATIVE_LINK = re.compile(r'\b(href|src)="/(?!/)')


@register.filter
def absolute_links(html) -> SafeString:
    """Sanitized post or summary HTML for an email: links written relative to
    the site ("/p/12/") point at SITE_URL, since a mail client has no site
    to resolve them against. The input is already sanitized (markup.py)."""
    return mark_safe(_RELATIVE_LINK.sub(rf'\1="{settings.SITE_URL}/', str(html)))  # noqa: S308
