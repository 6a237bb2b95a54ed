from django.db import models
from django.db.models import Exists, OuterRef


class SearchEntryQuerySet(models.QuerySet):
    def in_category(self, category):
        return self.filter(topic__category=category)

    def in_topic(self, topic):
        return self.filter(topic=topic)

    def by_author(self, user):
        return self.filter(post__author=user)

    def since(self, moment):
        return self.filter(created_at__gte=moment)

    def before(self, moment):
        return self.filter(created_at__lt=moment)

    def with_summary(self):
        """Entries of dialogues whose summary is published."""
        return self.filter(topic__dialogue__summary_published_at__isnull=False)

    def summaries(self):
        return self.filter(kind="summary")

    def by_leaders(self):
        """Posts by a conversation leader of their own dialogue."""
        from dialogues.models import ConversationLeader

        return self.filter(
            Exists(
                ConversationLeader.objects.filter(
                    dialogue__topic_id=OuterRef("topic_id"), user_id=OuterRef("post__author_id")
                )
            )
        )
