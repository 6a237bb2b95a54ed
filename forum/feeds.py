"""Atom feeds: the latest posts of the whole site, of a category (a series)
and of a topic. Each shows what an anonymous reader sees, whoever asks:
visible posts only, as their sanitized HTML (never the Markdown source).

A feed is rendered once per state of what it shows and kept in the shared
cache. The cache key holds a fingerprint of that state, read with one small
query: every shown post's id, subject, edit time and author's names. An
edit changes the edit time, hiding or restoring changes which ids are
shown, a deleted account changes the names, a new post adds an id: no
cached feed outlives what it showed, and no signal or expiry is needed for
it. dialogues/feeds.py builds its summaries feed on the same base."""

import hashlib

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import http_date
from django.utils.translation import gettext as _

from . import markup
from .models import Category, Post, Topic

ENTRIES = 30
# Keys change with what the feed shows, so this only bounds what the cache
# holds for feeds nobody reads any more.
CACHE_SECONDS = 24 * 60 * 60
# Part of every key: raise it when what a feed shows changes in the code,
# so a deployment does not serve feeds rendered by the previous version.
FORMAT = 1


def absolute(url: str) -> str:
    """Ids and links from SITE_URL, not from the request's Host header: an
    entry keeps its id whichever address the reader used."""
    return settings.SITE_URL.rstrip("/") + url


class AtomWithContent(Atom1Feed):
    """Entries carry the whole post as <content type="html">: Django's
    Atom feed would call it a summary."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("content", item["description"], {"type": "html"})


class CachedFeed(Feed):
    """A feed cached under a fingerprint of what it shows (see above).
    Subclasses give `fingerprint(obj)`: cheap values that change whenever
    an entry would."""

    feed_type = AtomWithContent
    cache_name = ""

    def fingerprint(self, obj) -> list:
        raise NotImplementedError

    def feed_guid(self, obj):
        # Each feed its own id: Django's default, the site's address, is
        # shared by every feed whose link is the home page.
        return self._get_dynamic_attr("feed_url", obj)

    def cache_key(self, obj) -> str:
        state = repr([getattr(obj, "pk", None), str(obj or ""), *self.fingerprint(obj)])
        digest = hashlib.sha256(state.encode()).hexdigest()[:40]
        return f"feed:{FORMAT}:{self.cache_name}:{digest}"

    def __call__(self, request, *args, **kwargs):
        obj = self.get_object(request, *args, **kwargs)
        key = self.cache_key(obj)
        # The key names what the feed shows: a reader polling with the ETag
        # it was given gets 304, without a cache read, until something changes.
        etag = f'"{key.rsplit(":", 1)[-1]}"'
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return not_modified
        cached = cache.get(key)
        if cached is None:
            feed = self.get_feed(obj, request)
            cached = {
                "body": feed.writeString("utf-8"),
                "type": feed.content_type,
                "modified": http_date(feed.latest_post_date().timestamp()),
            }
            cache.set(key, cached, CACHE_SECONDS)
        response = HttpResponse(cached["body"], content_type=cached["type"])
        response.headers["Last-Modified"] = cached["modified"]
        response.headers["ETag"] = etag
        return response


class PostFeed(CachedFeed):
    """Entries are posts, newest first."""

    def posts(self, obj):
        raise NotImplementedError

    def fingerprint(self, obj) -> list:
        shown = self.posts(obj).order_by("-pk")[:ENTRIES]
        return list(
            shown.values_list(
                "pk", "subject", "edited_at", "author__username", "author__display_name"
            )
        )

    def items(self, obj):
        # Not the Markdown source: a feed shows the sanitized HTML only.
        shown = self.posts(obj).select_related("author").defer("body")
        return shown.order_by("-pk")[:ENTRIES]

    def item_title(self, post):
        return post.subject

    def item_description(self, post):
        return markup.absolute(post.body_html, settings.SITE_URL)

    def item_link(self, post):
        return absolute(post.get_absolute_url())

    def item_guid(self, post):
        return absolute(post.get_absolute_url())

    def item_author_name(self, post):
        return post.author.public_name

    def item_pubdate(self, post):
        return post.created_at

    def item_updateddate(self, post):
        return post.edited_at or post.created_at

    def author_name(self):
        return settings.SITE_NAME


class LatestPostsFeed(PostFeed):
    cache_name = "site"

    def title(self):
        return _("%(site)s: latest posts") % {"site": settings.SITE_NAME}

    def link(self):
        return absolute(reverse("forum:home"))

    def feed_url(self):
        return absolute(reverse("forum:feed"))

    def posts(self, obj):
        return Post.objects.visible()


class CategoryFeed(PostFeed):
    cache_name = "category"

    def get_object(self, request, slug):
        return get_object_or_404(Category, slug=slug)

    def title(self, category):
        return f"{category.name} · {settings.SITE_NAME}"

    def subtitle(self, category):
        return category.description or None

    def link(self, category):
        return absolute(category.get_absolute_url())

    def feed_url(self, category):
        return absolute(reverse("forum:category_feed", args=[category.slug]))

    def fingerprint(self, category) -> list:
        return [category.description, *super().fingerprint(category)]

    def posts(self, category):
        return Post.objects.visible().filter(topic__category=category)


class TopicFeed(PostFeed):
    cache_name = "topic"

    def get_object(self, request, pk):
        return get_object_or_404(Topic.objects.select_related("category"), pk=pk)

    def title(self, topic):
        return f"{topic.title} · {settings.SITE_NAME}"

    def link(self, topic):
        return absolute(topic.get_absolute_url())

    def feed_url(self, topic):
        return absolute(reverse("forum:topic_feed", args=[topic.pk]))

    def posts(self, topic):
        return Post.objects.visible().filter(topic=topic)
