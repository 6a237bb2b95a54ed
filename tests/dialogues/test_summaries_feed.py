"""The published summaries as an Atom feed: drafts never, edits at once."""

from datetime import timedelta

from django.urls import reverse

from tests.factories import make_dialogue, make_topic
from tests.forum.test_feeds import parse

from .conftest import START


def summaries(client):
    return parse(client.get(reverse("dialogues:summaries_feed")))


def test_published_summaries_are_entries_newest_first_and_drafts_are_not(
    client, dialogue, category, facilitator, clock
):
    dialogue.write_summary(body="We agreed on **backups**.", by=facilitator)
    assert summaries(client) == []

    dialogue.publish_summary(by=facilitator)
    later = make_dialogue(
        make_topic(category=category, author=facilitator, title="Second talk"),
        opens_at=START + timedelta(days=6),
        closes_at=START + timedelta(days=8),
    )
    clock.advance(days=9)
    later.write_summary(body="Second summary.", by=facilitator)
    later.publish_summary(by=facilitator)
    draft = make_dialogue(
        make_topic(category=category, author=facilitator, title="Draft talk"),
        opens_at=START + timedelta(days=10),
        closes_at=START + timedelta(days=11),
    )
    draft.write_summary(body="Not yet public.", by=facilitator)

    entries = summaries(client)

    assert [e[1] for e in entries] == ["Summary: Second talk", "Summary: What have you learned?"]
    assert "<strong>backups</strong>" in entries[1][3] and "**" not in entries[1][3]
    assert "Not yet public" not in client.get(reverse("dialogues:summaries_feed")).text


def test_editing_a_published_summary_changes_the_cached_feed(client, dialogue, facilitator, clock):
    dialogue.write_summary(body="First version.", by=facilitator)
    dialogue.publish_summary(by=facilitator)
    assert "First version." in summaries(client)[0][3]

    clock.advance(hours=1)
    dialogue.write_summary(body="Corrected version.", by=facilitator)

    content = summaries(client)[0][3]
    assert "Corrected version." in content and "First version." not in content


def test_the_home_page_points_to_the_summaries_feed(client, dialogue):
    html = client.get(reverse("forum:home")).text
    feed = reverse("dialogues:summaries_feed")
    assert f'<link rel="alternate" type="application/atom+xml" href="{feed}"' in html
