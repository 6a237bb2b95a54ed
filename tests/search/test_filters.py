"""Every filter narrows the results, and they combine."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dialogues.models import Dialogue
from forum.models import Post
from tests.factories import make_category, make_dialogue, make_reply, make_topic, make_user

from .helpers import hit_urls

pytestmark = pytest.mark.django_db

WORD = "watershed"


@pytest.fixture
def corpus(clock, category, facilitator):
    """Two series, each a dialogue; one with a leader and a summary."""
    other = make_category("Other series", is_series=True)
    first = make_topic(category=category, author=facilitator, title="First dialogue")
    second = make_topic(category=other, title="Second dialogue")
    dialogue = make_dialogue(
        first, opens_at=clock.now - timedelta(days=10), closes_at=clock.now + timedelta(days=10)
    )
    make_dialogue(
        second, opens_at=clock.now - timedelta(days=10), closes_at=clock.now + timedelta(days=10)
    )
    leader, member = make_user("leila"), make_user("mo")
    dialogue.add_leader(user=leader, by=facilitator)
    posts = {
        "leader_first": make_reply(first, author=leader, body=f"The {WORD} matters."),
        "member_first": make_reply(first, author=member, body=f"A {WORD} map."),
        "member_second": make_reply(second, author=member, body=f"Our {WORD} story."),
    }
    # An old post, dated as if written 30 days ago.
    old = make_reply(second, author=leader, body=f"Old {WORD} notes.")
    Post.objects.filter(pk=old.pk).update(created_at=clock.now - timedelta(days=30))
    old.search_entry.__class__.objects.filter(post=old).update(
        created_at=clock.now - timedelta(days=30)
    )
    posts["old_second"] = old
    dialogue.write_summary(body=f"We mapped the {WORD} together.", by=facilitator)
    dialogue.publish_summary(by=facilitator)
    return {"first": first, "second": second, "dialogue": dialogue, "leader": leader, **posts}


def urls(corpus, *names):
    return sorted(
        f"{corpus['first'].get_absolute_url()}#summary"
        if name == "summary"
        else corpus[name].get_absolute_url()
        for name in names
    )


def found(client, **params):
    return sorted(hit_urls(client, WORD, **params))


def test_without_filters_everything_matching_is_found(client, corpus):
    assert found(client) == urls(
        corpus, "leader_first", "member_first", "member_second", "old_second", "summary"
    )


def test_series_dialogue_and_author(client, corpus):
    first, second = corpus["first"], corpus["second"]
    assert found(client, category=first.category_id) == urls(
        corpus, "leader_first", "member_first", "summary"
    )
    assert found(client, topic=second.pk) == urls(corpus, "member_second", "old_second")
    assert found(client, author="mo") == urls(corpus, "member_first", "member_second")
    assert found(client, author="MO", topic=second.pk) == urls(corpus, "member_second")


def test_dates(client, corpus, clock):
    today = timezone.localdate(clock.now)
    since = (today - timedelta(days=7)).isoformat()
    until = (today - timedelta(days=7)).isoformat()
    assert "old_second" not in str(found(client, since=since))
    assert found(client, until=until) == urls(corpus, "old_second")
    assert found(client, until=until, author="mo") == []


def test_summaries_leaders_and_dialogues_with_a_summary(client, corpus):
    assert found(client, only_summaries="on") == urls(corpus, "summary")
    assert found(client, has_summary="on") == urls(
        corpus, "leader_first", "member_first", "summary"
    )
    # Leila leads the first dialogue only: her post in the second is not a leader's.
    assert found(client, only_leaders="on") == urls(corpus, "leader_first")
    assert found(client, only_leaders="on", topic=corpus["second"].pk) == []


def test_an_unknown_author_is_a_clear_error_that_keeps_the_form(client, corpus):
    response = client.get("/search/", {"q": WORD, "author": "nobody-here"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "No member has the user name “nobody-here”." in page
    assert 'value="nobody-here"' in page and f'value="{WORD}"' in page


def test_a_draft_summary_is_not_found_and_publishing_indexes_it(client, corpus, facilitator):
    dialogue = Dialogue.of(corpus["second"])
    dialogue.write_summary(body="Draft about the estuary.", by=facilitator)
    assert hit_urls(client, "estuary") == []
    dialogue.publish_summary(by=facilitator)
    assert hit_urls(client, "estuary") == [f"{corpus['second'].get_absolute_url()}#summary"]
