"""Rendered posts are kept per process (CACHES["local"]) per topic version,
viewer's answers, language and time zone: nobody gets a post rendered for
someone allowed more, and a change shows at once."""

import re
import time

import pytest
from django.core.cache import caches
from django.test import Client

from forum.topic_pages import CSRF_SLOT
from tests.factories import make_reply, make_user


@pytest.fixture(autouse=True)
def rendered_pages(settings):
    settings.FORUM_PAGE_CACHE_SECONDS = 0  # the whole-page cache is another test's


def fragments():
    return [key for key in caches["local"]._cache if "post-item" in key]


def visit(user, topic):
    client = Client()
    client.force_login(user)
    return client.get(topic.get_absolute_url()).content.decode()


def test_posts_rendered_for_a_reader_are_kept_and_served_again(
    participant, other_participant, topic, reply
):
    visit(participant, topic)
    assert len(fragments()) == 2  # the opening post and the reply, both new to them
    # Another reader with the same answers gets the same renderings.
    assert "Original text." in visit(other_participant, topic)
    assert len(fragments()) == 2


def test_moderation_tools_and_hidden_words_never_reach_a_participant(
    participant, moderator, topic, reply
):
    visit(participant, topic)
    assert "Hide…" in visit(moderator, topic)
    assert "Hide…" not in visit(participant, topic)
    reply.hide(by=moderator, reason="spam")
    assert "Original text." in visit(moderator, topic)
    shown = visit(participant, topic)
    assert "Original text." not in shown and "removed by a moderator" in shown


def test_an_edit_shows_at_once_to_members(participant, post_author, topic, reply):
    assert "Original text." in visit(participant, topic)
    reply.edit(by=post_author, subject=reply.subject, body="Edited words.")
    shown = visit(participant, topic)
    assert "Edited words." in shown and "Original text." not in shown


def test_the_author_gets_their_own_edit_link_not_a_readers_rendering(
    participant, post_author, topic, reply
):
    visit(participant, topic)
    mine = visit(post_author, topic)
    assert f"/p/{reply.pk}/edit/" in mine
    assert f"/p/{reply.pk}/edit/" not in visit(participant, topic)


def test_a_new_reply_is_marked_new_for_the_reader_once(participant, topic):
    visit(participant, topic)
    make_reply(topic, subject="Fresh thoughts")
    assert "is-new" in visit(participant, topic)
    assert "is-new" not in visit(participant, topic)


def test_a_post_offering_nothing_to_its_reader_has_no_footer(participant, topic, reply):
    """Anonymous readers get no empty link bars (bytes on every post of
    every page); a member gets the links they may use."""
    anonymous = Client().get(topic.get_absolute_url()).content.decode()
    reply_article = anonymous[anonymous.index(f'id="{reply.anchor}"') :]
    reply_article = reply_article[: reply_article.index("</article>")]
    assert "post-actions" not in reply_article
    assert anonymous.count('<footer class="post-actions">') == 1  # the opening post's "Link"
    member = visit(participant, topic)
    reply_article = member[member.index(f'id="{reply.anchor}"') :]
    reply_article = reply_article[: reply_article.index("</article>")]
    assert f'href="/p/{reply.pk}/reply/"' in reply_article
    assert f'href="/p/{reply.pk}/flag/"' in reply_article


def replies_sections():
    """The replies sections kept (a section not to be kept is stored already expired)."""
    local = caches["local"]
    return [k for k in local._cache if "topic-replies" in k and local._expire_info[k] > time.time()]


def test_readers_whose_posts_render_alike_share_one_rendered_replies_section(
    participant, other_participant, topic, reply
):
    for reader in (participant, other_participant):
        assert "Original text." in visit(reader, topic)  # the reply is new to them
        assert "is-new" not in visit(reader, topic)  # and then read
    assert len(replies_sections()) == 2  # new, then read: the same two for both


def test_a_replies_section_with_tools_is_never_kept_nor_shared(
    participant, moderator, topic, reply
):
    assert "Hide…" in visit(moderator, topic)
    assert replies_sections() == []
    assert "Hide…" not in visit(participant, topic)
    assert "Hide…" in visit(moderator, topic)


def test_the_new_name_of_who_locked_a_topic_shows_at_once(facilitator, moderator, topic):
    topic.lock(by=moderator, reason="The dialogue has ended.")
    assert "Mo Moderator" in visit(facilitator, topic)
    moderator.display_name = "Mona Moderator"
    moderator.save(update_fields=["display_name"])
    shown = visit(facilitator, topic)
    assert "Mona Moderator" in shown and "Mo Moderator" not in shown


def reply_form_token(page: str) -> str:
    form = page[page.index('class="post-form"') :]
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)


def test_the_kept_reply_form_carries_each_readers_own_csrf_token(
    participant, other_participant, topic
):
    """The topic page's reply form is rendered once per topic version and
    language; each reader's page gets their own token in it, which posts."""
    for reader in (participant, other_participant, make_user("third")):
        client = Client(enforce_csrf_checks=True)
        client.force_login(reader)
        page = client.get(topic.get_absolute_url()).content.decode()
        assert CSRF_SLOT not in page
        token = reply_form_token(page)
        response = client.post(
            f"/p/{topic.opening_post_id}/reply/",
            {
                "subject": "Re: the topic",
                "body": f"A reply by {reader.username}.",
                "post": "1",
                "csrfmiddlewaretoken": token,
            },
        )
        assert response.status_code == 302, response.status_code
    assert topic.posts.filter(body="A reply by other.").exists()
    # Without its own token a reader's post is refused.
    client = Client(enforce_csrf_checks=True)
    client.force_login(other_participant)
    client.get(topic.get_absolute_url())
    refused = client.post(
        f"/p/{topic.opening_post_id}/reply/",
        {"subject": "Re: x", "body": "No token.", "csrfmiddlewaretoken": CSRF_SLOT},
    )
    assert refused.status_code == 403


def test_the_kept_pinned_block_changes_at_once_and_shows_each_readers_time_zone(
    participant, other_participant, facilitator, topic, reply
):
    def pinned_block(reader):
        page = visit(reader, topic)
        if 'class="pinned-posts"' not in page:
            return ""
        block = page[page.index('class="pinned-posts"') :]
        return block[: block.index("</section>")]

    assert pinned_block(participant) == ""
    reply.pin(by=facilitator)
    assert "Original text." in pinned_block(participant)
    other_participant.time_zone = "Asia/Tokyo"
    other_participant.save(update_fields=["time_zone"])
    participant.time_zone = "America/Lima"
    participant.save(update_fields=["time_zone"])
    # The same post, each with the date in their own time zone.
    lima, tokyo = pinned_block(participant), pinned_block(other_participant)
    assert "Original text." in lima and "Original text." in tokyo and lima != tokyo
    reply.unpin(by=facilitator)
    assert pinned_block(participant) == pinned_block(other_participant) == ""


def test_two_tabs_of_a_topic_each_post_their_own_reply(participant, topic):
    """The kept reply form gets a fresh one-time submission token on every
    page: a reply written in a second tab (or on page 2) is not taken for a
    resend of the first, and nothing typed is lost."""
    client = Client()
    client.force_login(participant)
    tabs = [client.get(topic.get_absolute_url()).content.decode() for _ in range(2)]
    tokens = [re.search(r'name="submission" value="([^"]*)"', tab).group(1) for tab in tabs]
    assert tokens[0] and tokens[1] and tokens[0] != tokens[1]
    for n, token in enumerate(tokens):
        response = client.post(
            f"/p/{topic.opening_post_id}/reply/",
            {"subject": f"Tab {n}", "body": f"Written in tab {n}.", "submission": token},
        )
        assert response.status_code == 302
    assert topic.posts.filter(body="Written in tab 0.").exists()
    assert topic.posts.filter(body="Written in tab 1.").exists()
