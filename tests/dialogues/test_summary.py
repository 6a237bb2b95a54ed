"""Publishing a summary: shown at the top of the dialogue, flagged in lists,
and emailed once to the people who took part."""

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from dialogues.models import Subscription
from forum.models import Topic
from tests.factories import make_dialogue, make_reply, make_user

from .conftest import START


def publish(client, dialogue, body, survey=""):
    return client.post(
        reverse("dialogues:summary", args=[dialogue.topic_id]),
        {"summary": body, "survey_url": survey, "publish": "1"},
    )


def test_published_summary_is_on_top_of_the_dialogue_and_in_the_lists(
    facilitator_client, dialogue, participant, category, clock
):
    clock.set(START + timedelta(hours=3))
    cited = make_reply(dialogue.topic, author=participant, body="A point worth featuring.")
    clock.set(dialogue.topic.closes_at + timedelta(days=1))

    response = publish(
        facilitator_client,
        dialogue,
        f"We heard **three lessons**. See [this post](/p/{cited.pk}/).\n\n<script>x</script>",
    )
    page = facilitator_client.get(dialogue.topic.get_absolute_url()).content.decode()
    listing = facilitator_client.get(category.get_absolute_url()).content.decode()

    assert response.status_code == 302
    assert page.index('id="summary"') < page.index("opening-post")
    assert "<strong>three lessons</strong>" in page
    assert "<script>" not in page
    assert page.count("Featured in the summary") == 1
    assert "Summary available" in listing
    dialogue.refresh_from_db()
    assert dialogue.cited_post_ids == [cited.pk]


def test_summary_email_goes_once_to_posters_and_subscribers_only(
    facilitator_client, dialogue, category, facilitator, clock, run_tasks
):
    clock.set(START + timedelta(hours=3))
    poster = make_user("poster")
    follower = make_user("follower")
    suspended = make_user("suspended")
    inactive = make_user("inactive")
    bystander = make_user("bystander")
    removed = make_user("removed")
    make_reply(dialogue.topic, author=poster)
    # Their only post was removed by a moderator, and they stopped following.
    make_reply(dialogue.topic, author=removed).hide(by=facilitator, reason="Spam")
    Subscription.set(removed, dialogue.topic, False)
    make_reply(dialogue.topic, author=suspended)
    make_reply(dialogue.topic, author=inactive)
    Subscription.set(follower, dialogue.topic, True)
    suspended.suspended_until = timezone.now() + timedelta(days=30)
    suspended.save()
    inactive.is_active = False
    inactive.save()
    following = make_dialogue(
        Topic.start(category=category, author=facilitator, title="Next one", body="x"),
        opens_at=START + timedelta(days=20),
        closes_at=START + timedelta(days=25),
    )
    clock.set(dialogue.topic.closes_at + timedelta(days=1))
    mail.outbox.clear()

    with run_tasks():
        publish(facilitator_client, dialogue, "What we learned.", "https://survey.example.org/s1")
    with run_tasks():
        publish(facilitator_client, dialogue, "What we learned, corrected.")

    recipients = sorted(message.to[0] for message in mail.outbox)
    # The facilitator opened the topic: they posted too.
    assert recipients == ["facilitator@example.org", "follower@example.org", "poster@example.org"]
    assert bystander.email not in recipients and removed.email not in recipients
    message = mail.outbox[0]
    assert "https://survey.example.org/s1" in message.body
    assert following.topic.get_absolute_url() in message.body
    assert f"{dialogue.topic.get_absolute_url()}#summary" in message.body
    assert message.alternatives[0].mimetype == "text/html"
    assert "List-Unsubscribe" in message.extra_headers


def test_empty_summary_cannot_be_published(facilitator_client, dialogue, clock):
    response = publish(facilitator_client, dialogue, "   ")

    assert response.status_code == 400
    dialogue.refresh_from_db()
    assert dialogue.summary_published_at is None


def test_participants_cannot_publish_summaries(participant_client, dialogue, clock):
    response = publish(participant_client, dialogue, "Mine")

    assert response.status_code == 403
    dialogue.refresh_from_db()
    assert dialogue.summary == ""


def test_series_page_shows_upcoming_open_and_past_dialogues(
    client, dialogue, category, facilitator, clock
):
    clock.set(START + timedelta(days=1))
    past = make_dialogue(
        Topic.start(category=category, author=facilitator, title="Earlier talk", body="x"),
        opens_at=START - timedelta(days=30),
        closes_at=START - timedelta(days=25),
    )
    past.write_summary(body="Summary text.")
    past.publish_summary(by=facilitator)
    make_dialogue(
        Topic.start(category=category, author=facilitator, title="Coming soon", body="x"),
        opens_at=START + timedelta(days=10),
        closes_at=START + timedelta(days=15),
    )

    page = client.get(category.get_absolute_url()).content.decode()
    series = page[
        page.index('class="series"') : page.index("</section>", page.index('class="series"'))
    ]

    open_now, rest = series.split("Upcoming</h2>")
    upcoming, past = rest.split("Past dialogues</h2>")
    assert dialogue.topic.title in open_now and "Coming soon" not in open_now
    assert "Coming soon" in upcoming and "Earlier talk" not in upcoming
    assert "Earlier talk" in past and "Summary available" in past
