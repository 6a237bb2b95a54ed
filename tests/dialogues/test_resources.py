"""The "Resources shared" panel: every link posted in a dialogue, once, kept
up to date when posts are edited or hidden."""

from dialogues import links
from dialogues.models import Resource
from tests.factories import make_reply


def panel(client, dialogue):
    return client.get(dialogue.topic.get_absolute_url()).context["dialogue_page"].resources


def test_links_posted_in_a_dialogue_are_collected_once_with_text_and_source(
    client, dialogue, participant, other_participant
):
    first = make_reply(
        dialogue.topic,
        author=participant,
        body="Read [the safety guide](https://guides.example.org/safety) and https://tools.example.org",
    )
    make_reply(
        dialogue.topic,
        author=other_participant,
        body="Seconding [this guide](https://guides.example.org/safety).",
    )

    shared = panel(client, dialogue)
    page = client.get(dialogue.topic.get_absolute_url()).content.decode()

    assert [(r.url, r.text, r.post) for r in shared] == [
        ("https://guides.example.org/safety", "the safety guide", first),
        ("https://tools.example.org", "", first),
    ]
    assert "Resources shared" in page
    assert ">the safety guide</a>" in page


def test_editing_a_post_updates_the_panel(client, dialogue, participant):
    post = make_reply(
        dialogue.topic, author=participant, body="See [old link](https://old.example.org)."
    )

    post.edit(
        by=participant, subject=post.subject, body="Better: [new link](https://new.example.org)."
    )

    assert [(r.url, r.text) for r in panel(client, dialogue)] == [
        ("https://new.example.org", "new link")
    ]


def test_hiding_a_post_removes_its_links_and_the_next_source_takes_over(
    client, dialogue, participant, other_participant, facilitator
):
    first = make_reply(dialogue.topic, author=participant, body="https://shared.example.org")
    second = make_reply(
        dialogue.topic, author=other_participant, body="Also https://shared.example.org"
    )

    first.hide(by=facilitator, reason="Off topic")

    assert [(r.url, r.post) for r in panel(client, dialogue)] == [
        ("https://shared.example.org", second)
    ]
    assert not Resource.objects.filter(post=first).exists()

    first.restore(by=facilitator)
    assert [(r.url, r.post) for r in panel(client, dialogue)] == [
        ("https://shared.example.org", first)
    ]


def test_only_web_links_are_collected_from_the_sanitized_html():
    html = (
        '<p><a href="mailto:a@example.org">mail</a> <a href="/p/3/">a post</a> '
        '<a href="https://x.example.org/a?b=1&amp;c=2">x <em>site</em></a></p>'
    )

    assert links.extract(html) == [("https://x.example.org/a?b=1&c=2", "x site")]
