"""Facilitator tools that are hard to misuse: Lock and Hide change what
everyone sees, so the topic page only links to a confirmation page (no
one-click form); the harmless tools stay one click and say what happened,
next to the post they changed."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from forum.models import ModerationLog, Post, Topic
from tests.factories import make_dialogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def facilitator_client(client, facilitator):
    client.force_login(facilitator)
    return client


def test_the_topic_page_has_no_one_click_hide_or_lock(facilitator_client, topic, reply):
    page = facilitator_client.get(topic.get_absolute_url()).content.decode()

    hide_url = reverse("forum:post_hide", args=[reply.pk])
    lock_url = reverse("forum:topic_lock", args=[topic.pk])
    assert f'<a href="{hide_url}">Hide…</a>' in page
    assert f'<a href="{lock_url}">Lock topic…</a>' in page
    assert f'action="{hide_url}"' not in page and f'action="{lock_url}"' not in page
    assert 'name="reason"' not in page


def test_the_tool_row_groups_the_facilitator_tools_apart(facilitator_client, topic, reply):
    page = facilitator_client.get(topic.get_absolute_url()).content.decode()
    article = page[page.index(f'id="post-{reply.pk}"') :]
    footer = article[article.index('<footer class="post-actions">') : article.index("</footer>")]
    member, facilitator = footer.split('<span class="facilitator-tools"')

    assert "Reply</a>" in member and "Flag</a>" in member and "Hide" not in member
    assert 'aria-label="Facilitator tools"' in facilitator
    assert ">Pin</button>" in facilitator and "Hide…" in facilitator


def test_hide_confirmation_shows_the_post_and_what_participants_will_see(facilitator_client, reply):
    response = facilitator_client.get(reverse("forum:post_hide", args=[reply.pk]))
    page = response.content.decode()

    assert response.status_code == 200
    assert "Hide “<bdi>My experience</bdi>”?" in page
    assert "Original text." in page  # the post being hidden
    assert "What participants will see" in page
    assert "Removed post" in page and "This post was removed by a moderator." in page
    assert 'name="reason"' in page and ">Hide the post</button>" in page
    assert not Post.objects.get(pk=reply.pk).is_hidden


def test_hiding_through_the_confirmation_page_says_so_next_to_the_post(
    facilitator_client, topic, reply, facilitator
):
    response = facilitator_client.post(
        reverse("forum:post_hide", args=[reply.pk]), {"reason": "Names a person"}, follow=True
    )
    page = response.content.decode()

    stored = Post.objects.get(pk=reply.pk)
    assert stored.is_hidden and stored.hidden_reason == "Names a person"
    assert response.redirect_chain[-1][0].endswith(f"#post-{reply.pk}")
    article = page[page.index(f'id="post-{reply.pk}"') :]
    assert article.index("The post is hidden.") < article.index("</article>")
    assert "The post is hidden." not in page[: page.index(f'id="post-{reply.pk}"')]
    assert ModerationLog.objects.filter(action="hide", actor=facilitator).count() == 1


def test_a_too_long_reason_is_refused_and_kept(facilitator_client, topic, reply):
    reason = "x" * 501
    response = facilitator_client.post(
        reverse("forum:topic_lock", args=[topic.pk]), {"reason": reason}
    )

    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not Topic.objects.get(pk=topic.pk).is_locked


def test_lock_confirmation_shows_the_banner_participants_will_read(facilitator_client, topic):
    response = facilitator_client.get(reverse("forum:topic_lock", args=[topic.pk]))
    page = response.content.decode()

    assert "Lock “<bdi>What have you learned?</bdi>”?" in page
    assert "Topic locked" in page and "the reason you give below" in page
    assert "Without a reason, it reads" in page
    assert ">Lock the topic</button>" in page
    assert not Topic.objects.get(pk=topic.pk).is_locked


def test_locking_twice_says_it_is_already_locked(facilitator_client, topic, facilitator):
    topic.lock(by=facilitator)
    response = facilitator_client.get(reverse("forum:topic_lock", args=[topic.pk]), follow=True)
    assert "The topic is already locked." in response.content.decode()
    assert ModerationLog.objects.filter(action="lock").count() == 1


def test_hiding_a_hidden_post_says_so(facilitator_client, reply, facilitator):
    reply.hide(by=facilitator)
    response = facilitator_client.get(reverse("forum:post_hide", args=[reply.pk]), follow=True)
    assert "This post is already hidden." in response.content.decode()


def test_participants_cannot_open_the_confirmation_pages(client, participant, topic, reply):
    client.force_login(participant)
    assert client.get(reverse("forum:post_hide", args=[reply.pk])).status_code == 403
    assert client.get(reverse("forum:topic_lock", args=[topic.pk])).status_code == 403


def test_the_three_confirmation_pages_look_alike(facilitator_client, topic, reply):
    now = timezone.now()
    make_dialogue(topic, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=1))
    pages = [
        facilitator_client.get(url).content.decode()
        for url in (
            reverse("forum:topic_lock", args=[topic.pk]),
            reverse("forum:post_hide", args=[reply.pk]),
            reverse("dialogues:close_early", args=[topic.pk]),
        )
    ]
    for page in pages:
        assert re.search(r"<h1>[^<]*<bdi>[^<]*</bdi>[^<]*\?</h1>", page)  # a question
        assert page.index("What participants will see") < page.index('name="reason"')
        assert re.search(r'class="button secondary" href="[^"]+">Cancel</a>', page)
        assert re.search(r'<button type="submit" class="danger">', page)


@pytest.mark.parametrize(
    ("action", "data", "said"),
    [
        ("forum:post_pin", {"pin": "1"}, "The post is pinned at the top of the topic."),
        ("forum:post_restore", {}, "The post is visible again."),
    ],
)
def test_one_click_tools_say_what_happened_next_to_the_post(
    facilitator_client, reply, facilitator, action, data, said
):
    if action == "forum:post_restore":
        reply.hide(by=facilitator)
    response = facilitator_client.post(reverse(action, args=[reply.pk]), data, follow=True)
    page = response.content.decode()
    start = page.index(f'id="post-{reply.pk}"')
    assert said in page[start : page.index("</article>", start)]
