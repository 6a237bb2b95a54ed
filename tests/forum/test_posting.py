"""Writing replies and topics through HTTP."""

import pytest
from django.conf import settings
from django.utils.html import escape

from forum.models import Post, Topic
from tests.factories import make_reply


def reply_url(post):
    return f"/p/{post.pk}/reply/"


def test_anonymous_cannot_post_a_reply(client, topic):
    response = client.post(reply_url(topic.opening_post), {"subject": "Hi", "body": "Hello"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert Post.objects.count() == 1


def test_participant_replies_to_a_post_and_lands_on_it(participant_client, topic, participant):
    parent = make_reply(topic, subject="Common ground")

    response = participant_client.post(
        reply_url(parent), {"subject": "Re: Common ground", "body": "I agree **strongly**."}
    )

    reply = Post.objects.get(author=participant)
    assert response.status_code == 302
    assert response["Location"] == f"/p/{reply.pk}/"
    assert reply.parent == parent and reply.depth == 2
    assert reply.body == "I agree **strongly**."
    assert reply.body_html == "<p>I agree <strong>strongly</strong>.</p>\n"
    page = participant_client.get(topic.get_absolute_url()).text
    assert "Your reply was posted." in page
    assert "<strong>strongly</strong>" in page


def test_reply_to_the_topic_is_a_child_of_the_opening_post(participant_client, topic):
    participant_client.post(reply_url(topic.opening_post), {"subject": "Lessons", "body": "One."})
    reply = Post.objects.get(subject="Lessons")
    assert reply.parent == topic.opening_post and reply.depth == 1


@pytest.mark.parametrize(
    "data,error",
    [
        ({"subject": "", "body": "Some text I wrote"}, "This field is required."),
        ({"subject": "Fine", "body": "   \n  "}, "Write a message before posting."),
        ({"subject": "x" * 201, "body": "Some text I wrote"}, "at most 200 characters"),
        ({"subject": "Fine", "body": "y" * (settings.FORUM_MAX_BODY_LENGTH + 1)}, "at most"),
        ({"subject": "Fine", "body": "Some text\x00 I wrote"}, "Null characters are not allowed."),
        ({"subject": "Fine", "body": ">" * 40 + " deep"}, "nested too deeply"),
    ],
)
def test_bad_input_gets_a_clear_error_and_keeps_the_text(participant_client, topic, data, error):
    response = participant_client.post(reply_url(topic.opening_post), data)

    assert response.status_code == 200
    assert error in response.text
    for kept in data["body"].split("\x00"):
        assert escape(kept.strip()[:50]) in response.text
    assert Post.objects.count() == 1


def test_preview_shows_the_rendered_text_and_saves_nothing(participant_client, topic):
    response = participant_client.post(
        reply_url(topic.opening_post),
        {"subject": "Draft", "body": "A *draft* with https://example.org", "preview": "1"},
    )

    assert response.status_code == 200
    assert "<em>draft</em>" in response.text
    assert 'href="https://example.org" rel="nofollow ugc noopener"' in response.text
    assert "A *draft* with https://example.org</textarea>" in response.text
    assert Post.objects.count() == 1


def test_reply_to_a_locked_topic_is_refused_and_the_text_is_kept(participant_client, topic):
    Topic.objects.filter(pk=topic.pk).update(is_locked=True)

    response = participant_client.post(
        reply_url(topic.opening_post), {"subject": "Late", "body": "My late thoughts"}
    )

    assert response.status_code == 403
    assert "This topic is locked" in response.text
    assert "My late thoughts" in response.text
    assert Post.objects.count() == 1


def test_locked_topic_page_says_topic_locked_and_offers_no_reply(participant_client, topic):
    make_reply(topic)
    Topic.objects.filter(pk=topic.pk).update(is_locked=True)

    text = participant_client.get(topic.get_absolute_url()).text

    assert "Topic locked" in text
    assert "<textarea" not in text and ">Reply<" not in text


def test_reply_without_csrf_token_is_rejected(participant, topic):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)
    response = client.post(reply_url(topic.opening_post), {"subject": "x", "body": "y"})
    assert response.status_code == 403
    assert Post.objects.count() == 1


def test_facilitator_opens_a_topic_with_guiding_questions(client, facilitator, category):
    client.force_login(facilitator)
    response = client.post(
        f"/c/{category.slug}/new/",
        {"title": "What works?", "body": "Questions:\n\n- One?\n- Two?"},
    )
    topic = Topic.objects.get(title="What works?")
    assert response["Location"] == topic.get_absolute_url()
    assert topic.opening_post.body_html.count("<li>") == 2
    assert topic.post_count == 1


def test_participant_cannot_open_a_topic(participant_client, category):
    response = participant_client.post(f"/c/{category.slug}/new/", {"title": "T", "body": "B"})
    assert response.status_code == 403
    assert not Topic.objects.exists()
