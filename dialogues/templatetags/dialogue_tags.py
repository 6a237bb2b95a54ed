"""What dialogues add to the forum's pages. The forum's views know nothing
of dialogues; its templates ask these tags, each at a fixed number of
queries (none for an ordinary topic)."""

from dataclasses import dataclass, field

from django import template
from django.urls import reverse

from forum import topic_pages
from forum.models import Topic
from forum.schedule import Status

from ..library import first_paragraph
from ..models import ConversationLeader, Dialogue, Resource, Subscription, resources_shared

register = template.Library()

HELP_SLUG = "how-to-participate"


@dataclass
class DialoguePage:
    dialogue: Dialogue | None
    leaders: list[ConversationLeader] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)

    @property
    def leader_ids(self) -> frozenset:
        return frozenset(leader.user_id for leader in self.leaders)

    @property
    def featured_post_ids(self) -> frozenset:
        if self.dialogue is None or not self.dialogue.has_summary:
            return frozenset()
        return frozenset(self.dialogue.cited_post_ids)

    @property
    def help_url(self) -> str:
        return reverse("dialogues:help", args=[HELP_SLUG])


@register.simple_tag
def dialogue_page(topic):
    """The topic page's dialogue panels: summary, leaders, resources. Three
    queries for a dialogue, once per topic version in each process (every
    change to the dialogue, its leaders, their names or its posts bumps
    it); none for an ordinary topic."""
    if not topic.is_scheduled:
        return None
    page = topic_pages.kept_for_version(topic, "dialogue-page", lambda: _read_page(topic))
    if page.dialogue is not None:
        page.dialogue.topic = topic  # this request's, with this reader's state
    return page


def _read_page(topic) -> DialoguePage:
    # Kept with its topic's id only: each request gives it its own topic.
    dialogue = Dialogue.objects.filter(topic=topic).first()
    leaders = ConversationLeader.objects.filter(dialogue__topic=topic).select_related("user")
    return DialoguePage(dialogue, list(leaders), resources_shared(topic))


@register.simple_tag
def follows(user, topic) -> bool:
    """Whether `user` follows the topic (one query for members)."""
    if not user.is_authenticated:
        return False
    return Subscription.objects.filter(
        user_id=user.pk, topic_id=topic.pk, is_subscribed=True
    ).exists()


@register.simple_tag
def summarized(topics) -> frozenset:
    """The ids of those `topics` whose dialogue published a summary, in one
    query for the whole list (none when no topic in it is a dialogue)."""
    ids = [topic.pk for topic in topics if topic.is_scheduled]
    if not ids:
        return frozenset()
    return frozenset(
        Dialogue.objects.filter(topic__in=ids, summary_published_at__isnull=False).values_list(
            "topic_id", flat=True
        )
    )


@register.simple_tag
def series(category) -> dict:
    """A series page's dialogues grouped by Topic.reply_state(), in two
    queries: open now, upcoming, and past (closed, or locked by a person),
    each past one with its summary's first paragraph (`summary_lead`)."""
    groups = {"open": [], "upcoming": [], "past": []}
    topics = list(Topic.objects.scheduled().filter(category=category).order_by("opens_at"))
    for topic in topics:
        status = topic.state.status
        if status == Status.OPEN:
            groups["open"].append(topic)
        elif status == Status.UPCOMING:
            groups["upcoming"].append(topic)
        else:
            groups["past"].append(topic)
    groups["past"].reverse()
    summaries = dict(
        Dialogue.objects.filter(
            topic__in=[topic.pk for topic in topics], summary_published_at__isnull=False
        ).values_list("topic_id", "summary_html")
    )
    for topic in groups["past"]:
        topic.summary_lead = first_paragraph(summaries.get(topic.pk, ""))
    groups["summarized"] = frozenset(summaries)
    return groups
