"""Following topics, being told about new posts and replies, one-click
unsubscribe, and daily digests."""

from datetime import timedelta

from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from dialogues.models import DigestEntry, NotificationPreference, Subscription
from dialogues.notifications import send_digests, unsubscribe_token
from forum.models import Topic
from tests.factories import make_reply, make_user

from .conftest import START


def reply(client, post, body="A reply."):
    return client.post(reverse("forum:reply", args=[post.pk]), {"subject": "Re", "body": body})


def test_posting_subscribes_the_author(participant_client, topic, participant):
    reply(participant_client, topic.opening_post)

    assert Subscription.objects.active().filter(user=participant, topic=topic).exists()


def test_posting_does_not_subscribe_when_the_preference_is_off(
    participant_client, topic, participant
):
    NotificationPreference.objects.create(user=participant, subscribe_when_posting=False)

    reply(participant_client, topic.opening_post)

    assert not Subscription.objects.filter(user=participant, topic=topic).exists()


def test_subscribe_and_unsubscribe_buttons_toggle_following(participant_client, topic, participant):
    url = reverse("dialogues:subscription", args=[topic.pk])

    page = participant_client.get(topic.get_absolute_url()).content.decode()
    participant_client.post(url, {"subscribe": "1"})
    followed = participant_client.get(topic.get_absolute_url()).content.decode()
    participant_client.post(url, {"subscribe": "0"})

    assert ">Subscribe</button>" in page
    assert ">Unsubscribe</button>" in followed
    assert not Subscription.objects.active().filter(user=participant, topic=topic).exists()


def test_subscribing_needs_a_login_and_a_post(participant_client, topic, participant):
    anonymous = Client().post(
        reverse("dialogues:subscription", args=[topic.pk]), {"subscribe": "1"}
    )
    by_get = participant_client.get(reverse("dialogues:subscription", args=[topic.pk]))

    assert anonymous.status_code == 302 and "login" in anonymous.url
    assert by_get.status_code == 405
    assert not Subscription.objects.filter(user=participant).exists()


def test_followers_are_emailed_new_posts_with_text_html_and_unsubscribe_headers(
    participant_client, topic, other_participant, run_tasks
):
    Subscription.set(other_participant, topic, True)
    mail.outbox.clear()

    with run_tasks():
        reply(participant_client, topic.opening_post, body="News **for followers**.")

    [message] = [m for m in mail.outbox if m.to == [other_participant.email]]
    assert "News **for followers**." in message.body
    assert "<strong>for followers</strong>" in message.alternatives[0].content
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http") and "/dialogues/unsubscribe/" in unsubscribe
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe[1:-1] in message.body


def test_the_author_of_the_post_replied_to_is_told_even_without_following(
    participant_client, topic, other_participant, run_tasks
):
    post = make_reply(topic, author=other_participant)
    Subscription.set(other_participant, topic, True)
    Subscription.objects.filter(user=other_participant).delete()
    mail.outbox.clear()

    with run_tasks():
        reply(participant_client, post, body="Answering you.")

    [message] = [m for m in mail.outbox if m.to == [other_participant.email]]
    assert "replied to your post" in message.subject


def test_nobody_is_emailed_a_post_from_a_topic_they_cannot_see(
    participant_client, topic, other_participant, run_tasks, monkeypatch
):
    Subscription.set(other_participant, topic, True)
    monkeypatch.setattr(
        "dialogues.notifications.can_view_topic", lambda user, t: user != other_participant
    )
    mail.outbox.clear()

    with run_tasks():
        reply(participant_client, topic.opening_post, body="Secret body text")

    secret = [m.to for m in mail.outbox if "Secret body text" in m.body]
    # The facilitator who opened the topic follows it and may see it.
    assert secret == [[topic.author.email]]
    assert not DigestEntry.objects.exists()


def test_unsubscribe_link_works_without_login_and_stops_topic_email(
    topic, other_participant, participant_client, run_tasks
):
    client = Client()
    Subscription.set(other_participant, topic, True)
    url = reverse("dialogues:unsubscribe", args=[unsubscribe_token(other_participant, topic)])

    confirm = client.get(url)
    done = client.post(url, {"List-Unsubscribe": "One-Click"})
    mail.outbox.clear()
    with run_tasks():
        reply(participant_client, topic.opening_post)

    assert confirm.status_code == 200 and "Unsubscribe" in confirm.content.decode()
    assert Subscription.objects.get(user=other_participant, topic=topic).is_subscribed is False
    assert "no longer receive email" in done.content.decode()
    assert not [m for m in mail.outbox if m.to == [other_participant.email]]


def test_forged_or_altered_unsubscribe_tokens_are_refused(client, topic, other_participant):
    Subscription.set(other_participant, topic, True)
    forged = signing.dumps({"u": other_participant.pk, "t": topic.pk}, salt="something-else")
    altered = unsubscribe_token(other_participant, topic)[:-2] + "xx"

    for token in (forged, altered, "nonsense"):
        response = client.post(reverse("dialogues:unsubscribe", args=[token]))
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    assert Subscription.objects.get(user=other_participant, topic=topic).is_subscribed


def test_unsubscribe_from_all_email_turns_email_off(client, other_participant):
    url = reverse("dialogues:unsubscribe", args=[unsubscribe_token(other_participant)])

    client.post(url)

    assert NotificationPreference.objects.get(user=other_participant).email_enabled is False


def test_digest_groups_posts_per_topic_and_waits_for_the_chosen_local_hour(
    topic, category, facilitator, clock, run_tasks
):
    reader = make_user("reader", time_zone="Asia/Beirut")  # UTC+2 in March
    NotificationPreference.objects.create(user=reader, delivery="digest", digest_hour=8)
    other_topic = Topic.start(category=category, author=facilitator, title="Second topic", body="x")
    for t in (topic, other_topic):
        Subscription.set(reader, t, True)
    clock.set(START)  # 09:00 UTC = 11:00 in Beirut
    with run_tasks():
        make_reply(topic, subject="First in topic one")
        make_reply(other_topic, subject="Only in topic two")
        make_reply(topic, subject="Second in topic one")
    mail.outbox.clear()

    with run_tasks():
        not_yet = send_digests(START + timedelta(hours=20))  # 07:00 next day in Beirut
        sent = send_digests(START + timedelta(hours=21))  # 08:00 in Beirut
        again = send_digests(START + timedelta(hours=21, minutes=30))

    assert (not_yet, sent, again) == (0, 1, 0)
    [digest] = mail.outbox
    assert digest.to == [reader.email]
    body = digest.body
    assert body.count("== ") == 2
    assert body.index("First in topic one") < body.index("Second in topic one")
    assert body.index("Second in topic one") < body.index("== Second topic ==")
    assert "Only in topic two" in body
    assert not DigestEntry.objects.filter(sent_at__isnull=True).exists()


def test_preferences_page_saves_and_rejects_bad_input(participant_client, participant):
    url = reverse("dialogues:preferences")

    bad = participant_client.post(url, {"delivery": "digest", "digest_hour": "30"})
    good = participant_client.post(
        url,
        {
            "email_enabled": "on",
            "delivery": "digest",
            "digest_hour": "7",
        },
    )

    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()
    assert good.status_code == 302
    preference = NotificationPreference.objects.get(user=participant)
    assert (preference.delivery, preference.digest_hour) == ("digest", 7)
    assert preference.subscribe_when_posting is False


def test_a_topic_unsubscribe_link_never_turns_off_all_email(client, category, facilitator):
    reader = make_user("reader")
    gone = Topic.start(category=category, author=facilitator, title="Gone", body="x")
    url = reverse("dialogues:unsubscribe", args=[unsubscribe_token(reader, gone)])
    gone.delete()

    response = client.post(url)

    assert response.status_code == 404
    assert NotificationPreference.for_user(reader).email_enabled
