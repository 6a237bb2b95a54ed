"""The sitemap: every topic (every category is public), by last activity."""

from django.contrib.sitemaps import Sitemap

from .models import Topic


class TopicSitemap(Sitemap):
    # Well under the protocol's 50,000: a page of the sitemap is one query
    # of this many narrow rows.
    limit = 5000

    def items(self):
        return Topic.objects.only("pk", "slug", "last_post_at").order_by("pk")

    def lastmod(self, topic):
        return topic.last_post_at


SITEMAPS = {"topics": TopicSitemap}
