"""Text that displays differently from what it is: bidi controls are
refused in subjects and titles, and user text is shown isolated."""

import pytest
from django.urls import reverse

from forum.models import Post, Topic
from tests.factories import make_reply, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "subject",
    [
        "Invoice \u202egpj.exe",  # right-to-left override
        "\u2066Isolated\u2069 start",  # left-to-right isolate
        "An \u202bembedding\u202c",
    ],
)
def test_a_subject_with_bidi_controls_is_refused_and_the_text_kept(
    participant_client, topic, subject
):
    response = participant_client.post(
        reverse("forum:reply", args=[topic.opening_post.pk]),
        {"subject": subject, "body": "The body I wrote."},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Remove the text-direction control characters" in page
    assert "The body I wrote." in page
    assert not Post.objects.filter(body="The body I wrote.").exists()


def test_a_title_with_bidi_controls_is_refused(client, category, facilitator):
    client.force_login(facilitator)
    response = client.post(
        reverse("forum:topic_create", args=[category.slug]),
        {"title": "Agenda \u202e", "body": "Questions."},
    )
    assert response.status_code == 200
    assert "Remove the text-direction control characters" in response.content.decode()
    assert not Topic.objects.filter(title__startswith="Agenda").exists()


def test_an_edit_cannot_add_bidi_controls(client, reply, post_author):
    client.force_login(post_author)
    response = client.post(
        reverse("forum:post_edit", args=[reply.pk]),
        {"subject": "\u202eMy experience", "body": reply.body},
    )
    assert "Remove the text-direction control characters" in response.content.decode()
    assert Post.objects.get(pk=reply.pk).subject == "My experience"


def test_right_to_left_marks_are_allowed_in_subjects(participant_client, topic):
    # Arabic, Persian and Hebrew writers place punctuation with them.
    subject = "ما رأيكم؟\u200f (2)"
    response = participant_client.post(
        reverse("forum:reply", args=[topic.opening_post.pk]), {"subject": subject, "body": "نعم"}
    )
    assert response.status_code == 302
    assert Post.objects.filter(subject=subject).exists()


def test_names_subjects_role_lines_and_bodies_are_shown_isolated(client, topic):
    author = make_user("rtl", display_name="نور", role_line="ميسّرة حوار")
    post = make_reply(topic, author=author, subject="تجربتي", body="نص **الرد**")
    make_reply(topic, parent=post, subject="Re: تجربتي", body="Thanks")

    page = client.get(topic.get_absolute_url()).content.decode()

    assert f'<a href="{post.get_absolute_url()}" dir="auto">تجربتي</a>' in page
    assert 'dir="auto">نور</a>' in page
    assert "<bdi>ميسّرة حوار</bdi>" in page
    assert '<div class="post-body" dir="auto"><p>نص <strong>الرد</strong></p>' in page
    assert "In reply to" in page and "<bdi>تجربتي</bdi></a> by <bdi>نور</bdi>" in page
    assert "by <bdi>" in client.get(topic.category.get_absolute_url()).content.decode()
    assert f'dir="auto">{topic.title}</a>' in client.get(reverse("forum:home")).content.decode()
