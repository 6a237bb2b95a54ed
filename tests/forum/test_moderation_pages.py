"""The moderation controls of the topic page and the pages behind them."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from forum.models import FacilitatorAssignment, Flag, ModerationLog, Post, Topic
from tests.factories import (
    make_category,
    make_moderator,
    make_reply,
    make_topic,
    make_user,
    with_mfa,
)

pytestmark = pytest.mark.django_db


def messages_of(response):
    """The messages on the page, wherever they are shown: at the top, or
    inside the post they are about."""
    return [
        html.unescape(text)
        for text in re.findall(r'<li class="message[^"]*">(.*?)</li>', response.content.decode())
    ]


def test_facilitator_sees_the_controls_and_participant_does_not(client, topic, reply, facilitator):
    client.force_login(facilitator)
    page = client.get(topic.get_absolute_url()).content.decode()
    for name, args in [
        ("topic_lock", [topic.pk]),
        ("topic_sticky", [topic.pk]),
        ("post_pin", [reply.pk]),
        ("post_hide", [reply.pk]),
        ("post_edit", [reply.pk]),
    ]:
        assert reverse(f"forum:{name}", args=args) in page

    client.force_login(make_user())
    page = client.get(topic.get_absolute_url()).content.decode()
    for name, args in [
        ("topic_lock", [topic.pk]),
        ("post_pin", [reply.pk]),
        ("post_hide", [reply.pk]),
    ]:
        assert reverse(f"forum:{name}", args=args) not in page
    assert reverse("forum:post_flag", args=[reply.pk]) in page


def test_a_facilitator_can_lock_the_topic_and_pin_their_post_from_the_topic_page(
    client, topic, facilitator
):
    client.force_login(facilitator)
    note = make_reply(topic, author=facilitator, subject="Closing note", body="Thank you all.")
    response = client.post(reverse("forum:post_pin", args=[note.pk]), {"pin": "1"}, follow=True)
    assert "The post is pinned at the top of the topic." in messages_of(response)
    response = client.post(
        reverse("forum:topic_lock", args=[topic.pk]), {"reason": "Dialogue ended"}, follow=True
    )
    assert "The topic is locked: participants can no longer reply." in messages_of(response)
    page = response.content.decode()
    assert "Topic locked" in page and "Dialogue ended" in page
    assert 'id="pinned-heading"' in page and "Thank you all." in page
    assert list(ModerationLog.objects.order_by("pk").values_list("action", "actor", "topic")) == [
        ("pin", facilitator.pk, topic.pk),
        ("lock", facilitator.pk, topic.pk),
    ]


def test_locked_topic_shows_participants_the_reason_but_not_who_locked_it(
    client, topic, reply, facilitator, participant
):
    topic.lock(by=facilitator, reason="The dialogue has ended")
    client.force_login(participant)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "Topic locked" in page
    assert "Reason:" in page and "The dialogue has ended" in page
    assert "Locked by" not in page
    assert "/reply/" not in page
    assert 'name="body"' not in page


def test_facilitator_can_still_post_in_a_locked_topic_and_the_page_says_so(
    client, topic, facilitator
):
    topic.lock(by=facilitator)
    client.force_login(facilitator)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "As a facilitator you can still post here" in page
    assert reverse("forum:reply", args=[topic.opening_post.pk]) in page
    response = client.post(
        reverse("forum:reply", args=[topic.opening_post.pk]),
        {"subject": "Closing", "body": "Closing note."},
    )
    assert response.status_code == 302
    assert Post.objects.filter(body="Closing note.", topic=topic).exists()


def test_lock_arriving_while_a_reply_is_typed_returns_the_text(
    client, topic, facilitator, participant
):
    client.force_login(participant)
    assert client.get(reverse("forum:reply", args=[topic.opening_post.pk])).status_code == 200
    topic.lock(by=facilitator)
    response = client.post(
        reverse("forum:reply", args=[topic.opening_post.pk]),
        {"subject": "Re: x", "body": "A long thoughtful answer."},
    )
    assert response.status_code == 403
    content = response.content.decode()
    assert "This topic is locked" in content
    assert "A long thoughtful answer." in content
    assert topic.posts.count() == 1


def test_editing_in_a_topic_locked_meanwhile_returns_the_text(
    client, topic, reply, post_author, facilitator
):
    client.force_login(post_author)
    topic.lock(by=facilitator)
    response = client.post(
        reverse("forum:post_edit", args=[reply.pk]),
        {"subject": reply.subject, "body": "My careful correction."},
    )
    assert response.status_code == 403
    assert "My careful correction." in response.content.decode()
    reply.refresh_from_db()
    assert reply.body == "Original text."


def test_authors_cannot_edit_after_the_edit_window_but_facilitators_can(
    client, settings, reply, post_author, facilitator
):
    settings.FORUM_EDIT_WINDOW_MINUTES = 30
    Post.objects.filter(pk=reply.pk).update(created_at=timezone.now() - timedelta(minutes=31))
    client.force_login(post_author)
    url = reverse("forum:post_edit", args=[reply.pk])
    assert client.get(url).status_code == 403
    client.force_login(facilitator)
    response = client.post(url, {"subject": reply.subject, "body": "Fixed a link."})
    assert response.status_code == 302
    assert Post.objects.get(pk=reply.pk).body == "Fixed a link."


def test_authors_can_edit_within_the_edit_window(client, settings, reply, post_author):
    settings.FORUM_EDIT_WINDOW_MINUTES = 30
    client.force_login(post_author)
    response = client.post(
        reverse("forum:post_edit", args=[reply.pk]), {"subject": "S", "body": "Within time."}
    )
    assert response.status_code == 302
    assert Post.objects.get(pk=reply.pk).body == "Within time."


def test_edit_with_an_empty_body_shows_an_error_and_keeps_the_subject(client, reply, post_author):
    client.force_login(post_author)
    response = client.post(
        reverse("forum:post_edit", args=[reply.pk]), {"subject": "Kept subject", "body": "  "}
    )
    assert response.status_code == 200
    assert "Write a message before posting." in response.content.decode()
    assert "Kept subject" in response.content.decode()
    assert Post.objects.get(pk=reply.pk).body == "Original text."


def test_edited_post_shows_edited_and_revisions_to_author_and_staff_only(
    client, topic, reply, post_author, facilitator, participant
):
    reply.edit(by=post_author, subject=reply.subject, body="Second version.")
    revisions = reverse("forum:post_revisions", args=[reply.pk])
    client.force_login(participant)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "edited" in page and revisions not in page
    assert client.get(revisions).status_code == 404
    for user in (post_author, facilitator):
        client.force_login(user)
        assert revisions in client.get(topic.get_absolute_url()).content.decode()
        response = client.get(revisions)
        assert response.status_code == 200 and "Original text." in response.content.decode()


def test_pinned_posts_appear_in_the_pinned_block_by_pin_time_and_stay_in_the_tree(
    client, topic, facilitator
):
    first = make_reply(topic, subject="First note", body="Alpha body.")
    second = make_reply(topic, subject="Second note", body="Beta body.")
    second.pin(by=facilitator)
    first.pin(by=facilitator)
    page = client.get(topic.get_absolute_url()).content.decode()
    block = page[page.index('id="pinned-heading"') : page.index('class="topic-summary"')]
    assert block.index("Beta body.") < block.index("Alpha body.")
    tree = page[page.index('class="replies"') :]
    assert "Alpha body." in tree and "Beta body." in tree
    assert tree.count("badge pinned") == 2


def test_hidden_post_replies_keep_their_place(client, topic, reply, moderator):
    child = make_reply(topic, parent=reply, body="A reply to the removed post.")
    reply.hide(by=moderator)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert page.index("This post was removed by a moderator.") < page.index(
        "A reply to the removed post."
    )
    assert f'id="{child.anchor}"' in page


def test_hide_with_a_too_long_reason_shows_the_form_again(client, reply, facilitator):
    client.force_login(facilitator)
    response = client.post(reverse("forum:post_hide", args=[reply.pk]), {"reason": "x" * 501})
    assert response.status_code == 400
    assert "x" * 501 in response.content.decode()
    assert not Post.objects.get(pk=reply.pk).is_hidden


def test_sticky_control_puts_the_topic_first_in_its_category(client, category, topic, facilitator):
    newer = make_topic(category=category, title="A newer topic")
    client.force_login(facilitator)
    response = client.post(
        reverse("forum:topic_sticky", args=[topic.pk]), {"sticky": "1"}, follow=True
    )
    assert "The topic now stays at the top of its category." in messages_of(response)
    listing = client.get(category.get_absolute_url()).content.decode()
    assert listing.index(topic.title) < listing.index(newer.title)
    assert ModerationLog.objects.get().action == "sticky"


def test_a_post_can_be_flagged_only_once(client, reply, participant):
    client.force_login(participant)
    url = reverse("forum:post_flag", args=[reply.pk])
    response = client.post(url, {"reason": "abuse"}, follow=True)
    assert "Thank you. The moderators will look at this post." in messages_of(response)
    response = client.post(url, {"reason": "spam"})
    assert response.status_code == 403
    assert "already flagged" in response.content.decode()
    assert Flag.objects.get().reason == "abuse"


def test_flag_other_needs_details_and_keeps_the_choice(client, reply, participant):
    client.force_login(participant)
    response = client.post(reverse("forum:post_flag", args=[reply.pk]), {"reason": "other"})
    assert response.status_code == 400
    assert "Tell the moderators what is wrong with this post." in response.content.decode()
    assert 'value="other" ' in response.content.decode() or 'value="other" checked' in (
        response.content.decode()
    )
    assert not Flag.objects.exists()


def test_queue_shows_facilitators_only_flags_in_their_scope_without_the_flagger(
    client, reply, facilitator, facilitator_elsewhere, moderator, other_category
):
    elsewhere_topic = make_topic(category=other_category, title="Elsewhere")
    elsewhere_reply = make_reply(elsewhere_topic, subject="Far away post")
    flagger = make_user("flagger", display_name="Fran Flagger")
    reply.flag(by=flagger, reason=Flag.Reason.SPAM)
    elsewhere_reply.flag(by=flagger, reason=Flag.Reason.ABUSE)

    client.force_login(facilitator)
    page = client.get(reverse("forum:moderation_queue")).content.decode()
    assert "My experience" in page and "Far away post" not in page
    assert "Fran Flagger" not in page

    client.force_login(moderator)
    page = client.get(reverse("forum:moderation_queue")).content.decode()
    assert "My experience" in page and "Far away post" in page
    assert "Fran Flagger" in page


def test_participants_cannot_open_the_queue(participant_client):
    assert participant_client.get(reverse("forum:moderation_queue")).status_code == 404


def test_resolving_a_flag_by_hiding_hides_the_post(client, topic, reply, participant, facilitator):
    flag = reply.flag(by=participant, reason=Flag.Reason.PERSONAL_DATA)
    client.force_login(facilitator)
    response = client.post(
        reverse("forum:flag_resolve", args=[flag.pk]),
        {"decision": "hide", "note": "Phone number"},
        follow=True,
    )
    assert "The post is hidden and its flags are resolved." in messages_of(response)
    reply.refresh_from_db()
    topic.refresh_from_db()
    assert reply.is_hidden and reply.hidden_reason == "Phone number"
    assert topic.post_count == 1
    assert Flag.objects.get().status == Flag.Status.HIDDEN


def test_topic_moderation_log_is_visible_to_its_facilitators_only(
    client, topic, reply, facilitator, facilitator_elsewhere, participant
):
    reply.hide(by=facilitator, reason="Off topic here")
    url = reverse("forum:topic_log", args=[topic.pk])
    client.force_login(facilitator)
    response = client.get(url)
    assert response.status_code == 200 and "Off topic here" in response.content.decode()
    for user in (participant, facilitator_elsewhere):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_topic_facilitator_moderates_only_that_topic(client, category, topic, reply):
    assigned = with_mfa(make_user("topicfac"))
    FacilitatorAssignment.objects.create(user=assigned, topic=topic)
    other = make_reply(make_topic(category=category))
    client.force_login(assigned)
    assert client.post(reverse("forum:post_pin", args=[reply.pk])).status_code == 302
    assert client.post(reverse("forum:post_pin", args=[other.pk])).status_code == 403


def test_facilitators_of_the_category_and_moderators_may_start_topics(
    client, category, moderator, participant
):
    assigned = with_mfa(make_user("seriesfac"))
    FacilitatorAssignment.objects.create(user=assigned, category=category)
    url = reverse("forum:topic_create", args=[category.slug])
    for user, status in [(assigned, 200), (moderator, 200), (participant, 403)]:
        client.force_login(user)
        assert client.get(url).status_code == status
    other = make_category()
    client.force_login(assigned)
    assert client.get(reverse("forum:topic_create", args=[other.slug])).status_code == 403


def test_facilitators_of_another_category_cannot_start_topics_here(
    client, category, facilitator_elsewhere
):
    client.force_login(facilitator_elsewhere)
    response = client.post(
        reverse("forum:topic_create", args=[category.slug]), {"title": "T", "body": "B"}
    )
    assert response.status_code == 403
    assert not category.topics.exists()


def test_suspended_facilitator_cannot_moderate(client, topic, facilitator):
    facilitator.suspended_until = timezone.now() + timedelta(days=1)
    facilitator.save()
    client.force_login(facilitator)
    assert client.post(reverse("forum:topic_lock", args=[topic.pk])).status_code == 403
    assert not Topic.objects.get(pk=topic.pk).is_locked


def test_lock_confirmation_page_asks_for_a_reason(client, topic, facilitator):
    client.force_login(facilitator)
    response = client.get(reverse("forum:topic_lock", args=[topic.pk]))
    assert response.status_code == 200 and 'name="reason"' in response.content.decode()
    assert not Topic.objects.get(pk=topic.pk).is_locked


def test_a_removed_post_cannot_be_answered_or_read_through_the_reply_page(
    client, topic, reply, moderator, participant
):
    reply.hide(by=moderator)
    client.force_login(participant)
    url = reverse("forum:reply", args=[reply.pk])
    response = client.get(url)
    assert response.status_code == 404
    assert "Original text." not in response.content.decode()
    assert "My experience" not in response.content.decode()
    # Typed before it was removed: the text comes back, the post stays unnamed.
    response = client.post(url, {"subject": "Re", "body": "Answer to a removed post."})
    assert response.status_code == 404
    content = response.content.decode()
    assert "Answer to a removed post." in content and "cannot be answered" in content
    assert "My experience" not in content and "Ari Author" not in content
    assert not Post.objects.filter(body="Answer to a removed post.").exists()


def test_the_moderation_pages_open_for_a_facilitator(
    client, topic, reply, facilitator, participant
):
    reply.flag(by=participant, reason=Flag.Reason.OTHER, text="Looks like an advert")
    client.force_login(facilitator)
    for name, args, expected in [
        ("post_edit", [reply.pk], 'name="body"'),
        ("post_hide", [reply.pk], 'name="reason"'),
        ("topic_lock", [topic.pk], 'name="reason"'),
        ("post_flag", [make_reply(topic, author=participant).pk], 'name="reason"'),
        ("post_revisions", [reply.pk], "This post has not been edited."),
        ("topic_log", [topic.pk], "Nothing has been moderated in this topic."),
        ("moderation_queue", [], "Looks like an advert"),
    ]:
        response = client.get(reverse(f"forum:{name}", args=args))
        assert response.status_code == 200, name
        assert expected in response.content.decode(), name


def test_moderator_without_mfa_is_sent_to_set_it_up_before_locking(client, topic, settings):
    settings.FORUM_STAFF_REQUIRE_MFA = True
    moderator = make_moderator("nomfa", mfa=False)
    client.force_login(moderator)

    response = client.post(reverse("forum:topic_lock", args=[topic.pk]), {"reason": "Done"})

    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/"
    topic.refresh_from_db()
    assert not topic.is_locked
    with_mfa(moderator)
    assert (
        client.post(reverse("forum:topic_lock", args=[topic.pk]), {"reason": "Done"}).status_code
        == 302
    )
    topic.refresh_from_db()
    assert topic.is_locked
