"""`manage.py seed_demo` gives a new user something real to read."""

from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from forum.models import Category, Post, Topic


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_creates_an_open_and_a_locked_dialogue_in_a_series(db):
    seed()

    series = Category.objects.get(is_series=True)
    now = timezone.now()
    open_dialogue = series.topics.get(dialogue__opens_at__lte=now, dialogue__closes_at__gt=now)
    finished = series.topics.get(is_locked=True)
    assert series.topics.filter(dialogue__opens_at__gt=now).exists()  # the next one
    replies = open_dialogue.posts.replies()
    assert replies.count() >= 12
    assert open_dialogue.post_count == open_dialogue.posts.count()
    assert replies.values("author").distinct().count() >= 7
    assert max(replies.values_list("depth", flat=True)) >= 3
    assert "<li>" in open_dialogue.opening_post.body_html  # guiding questions
    assert Post.objects.filter(topic=open_dialogue, body_html__contains="<a href=").exists()
    assert finished.posts.filter(author__username="facilitator").count() >= 1


def test_demo_dialogue_page_shows_the_shape_of_a_facilitated_dialogue(client, db):
    seed()
    now = timezone.now()
    topic = Topic.objects.get(dialogue__opens_at__lte=now, dialogue__closes_at__gt=now)

    text = client.get(topic.get_absolute_url()).text

    assert f"{topic.post_count} posts" in text
    assert "Last post" in text
    assert "Dialogue Facilitator" in text  # the facilitator's role line
    assert "Re: " in text


def test_demo_accounts_can_log_in(client, db):
    seed()
    response = client.post(
        "/accounts/login/", {"login": "participant", "password": "participant-demo-pass"}
    )
    assert response.status_code == 302


def test_seed_demo_does_nothing_on_a_forum_with_content(db):
    seed()
    counts = (Topic.objects.count(), Post.objects.count())
    assert "already has content" in seed()
    assert (Topic.objects.count(), Post.objects.count()) == counts
