"""Staff who must set up two-factor authentication first see a notice with
the link, not moderation tools that would only redirect them."""

import pytest
from django.urls import reverse

from forum import permissions
from tests.factories import make_dialogue, make_facilitator, make_moderator, with_mfa

pytestmark = pytest.mark.django_db

NOTICE = "Set up two-factor authentication to use moderation tools."


def tools_on(page, topic, post):
    return [
        url
        for url in (
            reverse("forum:topic_lock", args=[topic.pk]),
            reverse("forum:topic_sticky", args=[topic.pk]),
            reverse("forum:topic_log", args=[topic.pk]),
            reverse("forum:post_pin", args=[post.pk]),
            reverse("forum:post_hide", args=[post.pk]),
            reverse("forum:post_edit", args=[post.pk]),
            reverse("dialogues:manage", args=[topic.pk]),
        )
        if url in page
    ]


@pytest.mark.parametrize("role", ["facilitator", "moderator"])
def test_staff_without_a_second_factor_see_the_notice_instead_of_tools(
    client, settings, category, topic, reply, role
):
    settings.FORUM_STAFF_REQUIRE_MFA = True
    user = (
        make_facilitator("nomfa", category=category, mfa=False)
        if role == "facilitator"
        else make_moderator("nomfa", mfa=False)
    )
    client.force_login(user)

    page = client.get(topic.get_absolute_url()).content.decode()

    assert NOTICE in page
    assert f'href="{reverse("mfa_index")}"' in page
    assert tools_on(page, topic, reply) == []
    assert not permissions.can_lock_topic(user, topic)
    assert not permissions.can_pin_post(user, reply)
    assert not permissions.can_hide_post(user, reply)
    assert not permissions.can_edit_post(user, reply)
    assert not permissions.can_facilitate(user, topic)
    assert not permissions.can_view_moderation_queue(user)

    with_mfa(user)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert NOTICE not in page
    assert len(tools_on(page, topic, reply)) == 7


def test_no_notice_where_two_factor_is_not_required(client, settings, category, topic, reply):
    settings.FORUM_STAFF_REQUIRE_MFA = False
    client.force_login(make_facilitator("nomfa", category=category, mfa=False))
    page = client.get(topic.get_absolute_url()).content.decode()
    assert NOTICE not in page
    assert reverse("forum:topic_lock", args=[topic.pk]) in page


def test_no_notice_for_participants_or_facilitators_of_other_topics(
    client, other_category, topic, participant
):
    for user in (participant, make_facilitator("far", category=other_category, mfa=False)):
        client.force_login(user)
        assert NOTICE not in client.get(topic.get_absolute_url()).content.decode()


def test_a_facilitator_without_a_second_factor_still_reads_the_topic_as_a_participant(
    client, category, topic, reply, moderator
):
    # Their role waits for the second factor: hidden text too.
    reply.hide(by=moderator)
    make_dialogue(topic, opens_at=topic.created_at, closes_at=topic.created_at.replace(year=2100))
    client.force_login(make_facilitator("nomfa", category=category, mfa=False))
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "Original text." not in page
    assert "This post was removed by a moderator." in page
    assert reverse("dialogues:participation", args=[topic.pk]) not in page
