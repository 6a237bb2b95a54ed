"""A series as a library: the links shared across its dialogues, once per
address, and each past dialogue's summary in brief. The offline download
of a dialogue is in download.py."""

import re
from dataclasses import dataclass, field

from django.db.models import Count, Min, OuterRef, Q, Subquery

from forum.models import Topic

from .models import Resource

RESOURCES_PER_PAGE = 25
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)


def dialogues_of(category=None):
    """The dialogues of a series, or of every series: scheduled topics."""
    topics = Topic.objects.scheduled().select_related("category")
    if category is not None:
        topics = topics.filter(category=category)
    return topics.order_by("-opens_at", "-pk")


@dataclass
class SharedLink:
    """One address, however often it was shared: its first share (who, in
    which dialogue, the link text they gave), how many shares, by how many
    people, in which dialogues."""

    url: str
    times: int
    people: int
    title: str = ""
    first: Resource | None = None
    topics: list = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.title or self.url


def shared_links(dialogues, *, query: str = "", dialogue=None):
    """The links shared in `dialogues` (optionally one of them), one row per
    address, most shared first, as an unevaluated queryset of dicts: page
    it, then pass the page to with_details(). Hidden posts share nothing
    (refresh_resources() drops their rows); the filter on them is kept so a
    row left over by a bug still shows nobody anything."""
    shares = Resource.objects.filter(topic__in=dialogues, post__is_hidden=False)
    if dialogue is not None:
        shares = shares.filter(topic=dialogue)
    rows = shares
    if query:
        rows = rows.filter(Q(url__icontains=query) | Q(text__icontains=query))
    # The title: the first words anyone gave the link (a bare address has none).
    named = shares.filter(url=OuterRef("url")).exclude(text="").order_by("post_id", "pk")
    return (
        rows.values("url")
        .annotate(
            times=Count("pk"),
            people=Count("post__author", distinct=True),
            first_post=Min("post_id"),
            title=Subquery(named.values("text")[:1]),
        )
        .order_by("-times", "first_post", "url")
    )


def with_details(rows, dialogues, *, dialogue=None) -> list[SharedLink]:
    """The page's rows as SharedLinks, in two queries whatever the page's
    length: the first share of each address, then the dialogues each was
    shared in."""
    rows = list(rows)
    links = {
        row["url"]: SharedLink(row["url"], row["times"], row["people"], row["title"] or "")
        for row in rows
    }
    if not links:
        return []
    firsts = Resource.objects.filter(
        url__in=list(links), post_id__in={row["first_post"] for row in rows}
    ).select_related("post__author", "topic")
    first_post = {row["url"]: row["first_post"] for row in rows}
    for resource in firsts:
        if first_post[resource.url] == resource.post_id:
            links[resource.url].first = resource
    places = Resource.objects.filter(
        url__in=list(links), topic__in=dialogues, post__is_hidden=False
    )
    if dialogue is not None:
        places = places.filter(topic=dialogue)
    for place in (
        places.values("url", "topic_id", "topic__title", "topic__slug")
        .distinct()
        .order_by("url", "topic_id")
    ):
        links[place["url"]].topics.append(
            Topic(pk=place["topic_id"], title=place["topic__title"], slug=place["topic__slug"])
        )
    return list(links.values())


def first_paragraph(html: str) -> str:
    """The first paragraph of sanitized HTML (a summary), as HTML: a part
    of what markup.render() made, so as safe as the whole."""
    match = _FIRST_PARAGRAPH.search(html or "")
    return match.group(1).strip() if match else ""
