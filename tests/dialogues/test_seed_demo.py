"""`manage.py seed_demo` gives a new user something real to read, and only
ever on a development machine."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from dialogues.models import Dialogue, OutgoingEmail, Resource
from forum.models import Category, ModerationLog, Post, Topic
from forum.schedule import Status


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def by_status(status):
    return [topic for topic in Topic.objects.scheduled() if topic.reply_state().status == status]


def test_seed_demo_creates_an_open_a_finished_and_an_upcoming_dialogue_in_a_series(db, debug):
    seed()

    series = Category.objects.get(is_series=True)
    [open_dialogue], [finished], [upcoming] = (
        by_status(Status.OPEN),
        by_status(Status.CLOSED),
        by_status(Status.UPCOMING),
    )
    assert {open_dialogue.category, finished.category, upcoming.category} == {series}
    replies = open_dialogue.posts.replies()
    assert replies.count() >= 12
    assert open_dialogue.post_count == open_dialogue.posts.count()
    assert replies.values("author").distinct().count() >= 7
    assert max(replies.values_list("depth", flat=True)) >= 3
    assert "<li>" in open_dialogue.opening_post.body_html  # guiding questions
    assert Post.objects.filter(topic=open_dialogue, body_html__contains="<a href=").exists()
    assert finished.posts.filter(author__username="facilitator").count() >= 1


def test_demo_has_leaders_a_summary_resources_and_a_history_but_sends_no_email(
    db, debug, client, django_capture_on_commit_callbacks
):
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        seed()

    [current] = by_status(Status.OPEN)
    [finished] = by_status(Status.CLOSED)
    state = current.reply_state()
    assert Dialogue.objects.get(topic=current).leaders.count() == 2
    assert (state.day_number, state.day_count) == (4, 5)
    past = Dialogue.objects.get(topic=finished)
    assert past.has_summary and len(past.cited_post_ids) == 2
    assert Resource.objects.filter(topic=current).exists()
    assert mail.outbox == [] and not OutgoingEmail.objects.exists()
    history = ModerationLog.objects.filter(topic=finished)
    assert history.get(action="close").created_at == finished.closes_at
    page = client.get(finished.get_absolute_url()).content.decode()
    assert "Featured in the summary" in page and "Topic locked" in page
    help_page = client.get("/dialogues/help/how-to-participate/")
    assert "Conversation leaders" in help_page.content.decode()


def test_demo_dialogue_page_shows_the_shape_of_a_facilitated_dialogue(client, db, debug):
    seed()
    [topic] = by_status(Status.OPEN)

    text = client.get(topic.get_absolute_url()).text

    assert f"{topic.post_count} posts" in text
    assert "Last post" in text
    assert "Dialogue Facilitator" in text  # the facilitator's role line
    assert "Re: " in text
    assert "Day 4 of 5" in text


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("participant", "participant-demo-pass"),
        ("facilitator", "facilitator-demo-pass"),
        ("admin", "admin-demo-pass"),
    ],
)
def test_every_demo_account_in_the_readme_can_log_in(client, db, debug, username, password):
    seed()

    response = client.post("/accounts/login/", {"login": username, "password": password})

    assert response.status_code == 302
    assert "/accounts/" not in response["Location"]


def test_seed_demo_does_nothing_on_a_forum_with_content(db, debug):
    seed()
    counts = (Topic.objects.count(), Post.objects.count())
    assert "already has content" in seed()
    assert (Topic.objects.count(), Post.objects.count()) == counts


def test_seed_demo_refuses_to_run_without_debug(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        seed()

    assert not Topic.objects.exists()
    assert not Category.objects.exists()
