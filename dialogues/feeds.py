"""The published summaries, newest first, as an Atom feed: what a
practitioner following the series' outcomes reads. Cached like the forum's
feeds (forum/feeds.py), under a fingerprint of what it shows."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from forum import markup
from forum.feeds import ENTRIES, CachedFeed, absolute

from .models import Dialogue


def _published():
    return Dialogue.objects.filter(summary_published_at__isnull=False).order_by(
        "-summary_published_at", "-pk"
    )


class SummariesFeed(CachedFeed):
    cache_name = "summaries"

    def fingerprint(self, obj) -> list:
        return list(
            _published().values_list(
                "pk", "summary_published_at", "summary_edited_at", "topic__title"
            )[:ENTRIES]
        )

    def items(self):
        return _published().select_related("topic").defer("summary")[:ENTRIES]

    def title(self):
        return _("%(site)s: dialogue summaries") % {"site": settings.SITE_NAME}

    def link(self):
        return absolute(reverse("forum:home"))

    def feed_url(self):
        return absolute(reverse("dialogues:summaries_feed"))

    def author_name(self):
        return settings.SITE_NAME

    def item_title(self, dialogue):
        return _("Summary: %(title)s") % {"title": dialogue.topic.title}

    def item_description(self, dialogue):
        return markup.absolute(dialogue.summary_html, settings.SITE_URL)

    def item_link(self, dialogue):
        return absolute(dialogue.topic.get_absolute_url() + "#summary")

    def item_guid(self, dialogue):
        return absolute(reverse("dialogues:summaries_feed")) + f"#dialogue-{dialogue.pk}"

    def item_pubdate(self, dialogue):
        return dialogue.summary_published_at

    def item_updateddate(self, dialogue):
        return max(filter(None, [dialogue.summary_published_at, dialogue.summary_edited_at]))
