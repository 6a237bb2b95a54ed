"""The lock wins the race (issue 8, point 5): once a lock, or a dialogue's
early close, has committed, no reply commits after it. A reply checked
before the lock and still rendering when it lands is refused like any
other, with the person's text given back."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from forum import markup
from forum.models import Post, Topic
from tests.factories import make_category, make_facilitator, make_topic, make_user


def reply_url(post):
    return reverse("forum:reply", args=[post.pk])


@pytest.fixture
def lands_while_rendering(monkeypatch):
    """Run `change` while the reply's body renders: after the page checked
    the reply may be posted, before the reply is saved."""

    def arrange(change):
        render = markup.render

        def render_then_change(text):
            html = render(text)
            monkeypatch.setattr(markup, "render", render)
            change()
            return html

        monkeypatch.setattr(markup, "render", render_then_change)

    return arrange


def test_a_reply_still_rendering_when_the_topic_is_locked_is_refused_and_its_text_kept(
    participant_client, topic, facilitator, lands_while_rendering
):
    lands_while_rendering(lambda: Topic.objects.get(pk=topic.pk).lock(by=facilitator))

    response = participant_client.post(
        reply_url(topic.opening_post), {"subject": "Late", "body": "Typed before the lock"}
    )

    assert response.status_code == 403
    assert "This topic is locked" in response.text
    assert "Typed before the lock</textarea>" in response.text
    assert Post.objects.count() == 1
    topic.refresh_from_db()
    assert (topic.post_count, topic.last_post_id) == (1, topic.opening_post_id)


def test_a_reply_still_rendering_when_the_dialogue_closes_early_is_refused(
    participant_client, topic, facilitator, lands_while_rendering
):
    now = timezone.now()
    topic.schedule(
        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=1), by=facilitator
    )
    lands_while_rendering(lambda: Topic.objects.get(pk=topic.pk).close_early(by=facilitator))

    response = participant_client.post(
        reply_url(topic.opening_post), {"subject": "Late", "body": "Typed before the close"}
    )

    assert response.status_code == 403
    assert "This dialogue closed on" in response.text
    assert "Typed before the close</textarea>" in response.text
    assert Post.objects.count() == 1


def test_a_facilitator_still_posts_when_the_lock_lands_while_their_note_renders(
    client, topic, facilitator, lands_while_rendering
):
    client.force_login(facilitator)
    lands_while_rendering(lambda: Topic.objects.get(pk=topic.pk).lock(by=facilitator))

    response = client.post(reply_url(topic.opening_post), {"subject": "Closing", "body": "Thanks"})

    assert response.status_code == 302
    assert Post.objects.filter(body="Thanks").exists()


# A body that takes a while to render (yet within FORUM_MAX_BODY_LENGTH), so
# that many replies are between their permission check and their commit when
# the lock lands.
LONG_BODY = "\n\n".join(
    f"Paragraph {n} with *emphasis*, `code` and https://example.org/{n} links." for n in range(120)
)
POSTERS = 6


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite runs one writing transaction at a time (IMMEDIATE), so replies cannot race "
    "a lock there; the race needs PostgreSQL's concurrent transactions",
)
@pytest.mark.django_db(transaction=True)
def test_no_reply_commits_after_a_lock_that_lands_among_many_replies_in_flight(settings):
    # Posting faster than any member may: the race, not the limits, is tested.
    settings.FORUM_REPLIES_PER_MINUTE = settings.FORUM_NEW_MEMBER_REPLIES_PER_MINUTE = 0
    settings.FORUM_REPLIES_PER_DAY = settings.FORUM_NEW_MEMBER_REPLIES_PER_DAY = 0
    facilitator = make_facilitator()
    topic = make_topic(category=make_category(), author=facilitator)
    posted, refused, errors = [], [], []
    progress = threading.Condition()

    def post_replies(user):
        client = Client()
        client.force_login(user)
        try:
            for n in range(40):
                body = f"{user.username} reply {n}\n\n{LONG_BODY}"
                response = client.post(
                    reply_url(topic.opening_post), {"subject": f"R{n}", "body": body}
                )
                with progress:
                    if response.status_code == 302:
                        posted.append(response["Location"])
                    elif response.status_code == 403 and f"{user.username} reply {n}" in (
                        response.text
                    ):
                        refused.append(response.text)
                        return
                    else:
                        errors.append(response.status_code)
                        return
                    progress.notify_all()
        finally:
            connection.close()

    threads = [threading.Thread(target=post_replies, args=(make_user(),)) for _ in range(POSTERS)]
    for thread in threads:
        thread.start()
    with progress:
        assert progress.wait_for(lambda: len(posted) >= POSTERS or errors, timeout=120)
    time.sleep(0.05)  # into the middle of the next round of renders
    with transaction.atomic():
        Topic.objects.get(pk=topic.pk).lock(by=facilitator, reason="Enough")
        # The last statement of the lock's transaction: everything it does
        # not see commits after the lock.
        before_lock_commit = set(Post.objects.filter(topic=topic).values_list("pk", flat=True))
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert len(LONG_BODY) + 40 < settings.FORUM_MAX_BODY_LENGTH
    assert len(refused) == POSTERS  # every poster ran into the lock
    assert all("This topic is locked: Enough" in text for text in refused)
    replies = Post.objects.filter(topic=topic).exclude(pk=topic.opening_post_id)
    assert set(Post.objects.filter(topic=topic).values_list("pk", flat=True)) == before_lock_commit
    topic.refresh_from_db()
    assert max(replies.values_list("created_at", flat=True)) < topic.locked_at
    assert topic.post_count == 1 + replies.count() == 1 + len(posted)
