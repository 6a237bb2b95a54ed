""" "Download this dialogue": the opening post, the summary and every
visible reply in tree order, as one HTML file that needs nothing else: its
styles are in the file, it loads nothing (its own Content-Security-Policy
says so, offline too), and it prints. Written as it is read, in chunks of
posts, so a 100,000-post topic never sits in memory."""

from collections.abc import Iterator
from itertools import batched

from django.conf import settings
from django.db.models import F
from django.template.loader import get_template
from django.utils import timezone, translation

from forum import markup
from forum.models import Topic

from . import links
from .models import ConversationLeader, Dialogue

# Also sent as the response's header; the <meta> copy holds when the file
# is opened from disk, where no header comes with it.
FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'"
CHUNK = 500
# Replies rendered by one call of the template: a render's own cost, spread.
RENDERED_TOGETHER = 100
TEMPLATE = "dialogues/download.html"


def filename(topic: Topic) -> str:
    return f"{topic.slug or 'dialogue'}-{topic.pk}.html"


def _offline(html: str, anchor_for=None) -> str:
    return markup.absolute(html, settings.SITE_URL, keep_images=False, anchor_for=anchor_for)


def _in_this_file(post_ids: frozenset):
    """Links to a post the file holds lead to it in the file."""

    def anchor_for(href: str) -> str | None:
        pk = links.post_id_in_url(href)
        return f"#post-{pk}" if pk in post_ids else None

    return anchor_for


def dialogue_file(topic: Topic, dialogue: Dialogue | None) -> Iterator[str]:
    """The file, in pieces. Three queries, then one for the replies, read
    with a cursor in chunks. Run under the language and time zone active
    now: a streamed response is written after the middleware is done."""
    language, zone = translation.get_language(), timezone.get_current_timezone()
    leader_ids = frozenset(
        ConversationLeader.objects.filter(dialogue__topic=topic).values_list("user_id", flat=True)
    )
    summary = dialogue if dialogue is not None and dialogue.has_summary else None
    # The posts the summary cites that the file shows (none hidden).
    featured = (
        frozenset(
            topic.posts.visible().filter(pk__in=summary.cited_post_ids).values_list("pk", flat=True)
        )
        if summary and summary.cited_post_ids
        else frozenset()
    )
    replies = (
        topic.posts.replies()
        .visible()
        .select_related("author")
        .defer("body")  # the Markdown source: the file shows the HTML
        .annotate(parent_subject=F("parent__subject"), parent_hidden=F("parent__is_hidden"))
        .order_by("path")
    )
    context = {
        "topic": topic,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL.rstrip("/"),
        "csp": FILE_CSP,
        "leader_ids": leader_ids,
        "featured": featured,
    }

    def pieces():
        with translation.override(language), timezone.override(zone):
            opening = topic.opening_post
            if opening is not None and not opening.is_hidden:
                opening.offline_html = _offline(opening.body_html)
            yield get_template(f"{TEMPLATE}#start").render(
                {
                    **context,
                    "now": timezone.now(),
                    "opening": opening,
                    "summary": summary,
                    "summary_html": _offline(summary.summary_html, _in_this_file(featured))
                    if summary
                    else "",
                }
            )
            posts_template = get_template(f"{TEMPLATE}#posts")
            for batch in batched(replies.iterator(chunk_size=CHUNK), RENDERED_TOGETHER):
                for post in batch:
                    post.offline_html = _offline(post.body_html)
                yield posts_template.render({**context, "posts": batch})
            yield get_template(f"{TEMPLATE}#end").render(context)

    return pieces()
