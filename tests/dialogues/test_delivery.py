"""Delivery against a real SMTP socket: a fan-out is one connection; an
email the server accepted is never sent again, whatever the connection does
next; an email is never sent by two workers; a hung send is retried."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from dialogues import tasks
from dialogues.models import OutgoingEmail, Subscription
from tests.factories import make_user
from tests.smtp_server import SMTPServer


def smtp_mailer(port, timeout=1):
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": timeout},
        }
    }


@pytest.fixture
def followers(topic):
    users = [make_user() for _ in range(3)]
    for user in users:
        Subscription.set(user, topic, True)
    return users


def post_reply(client, topic, run_tasks):
    with run_tasks():
        response = client.post(
            reverse("forum:reply", args=[topic.opening_post_id]),
            {"subject": "News", "body": "Something to tell."},
        )
    assert response.status_code == 302


def test_a_new_post_reaches_every_follower_over_one_connection(
    participant_client, topic, followers, settings, run_tasks
):
    with SMTPServer() as server:
        settings.MAILERS = smtp_mailer(server.port)
        post_reply(participant_client, topic, run_tasks)

    assert server.connections == 1
    assert server.recipients() == sorted([topic.author.email] + [u.email for u in followers])
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {OutgoingEmail.SENT}


def test_an_email_the_server_accepted_is_not_sent_again_when_quit_hangs(
    participant_client, topic, followers, settings, run_tasks, clock
):
    with SMTPServer(hang_on_quit=True) as server:
        settings.MAILERS = smtp_mailer(server.port)
        post_reply(participant_client, topic, run_tasks)
        clock.advance(days=1)
        with run_tasks():
            call_command("retry_emails")

    assert len(server.deliveries) == len(followers) + 1
    emails = OutgoingEmail.objects.all()
    assert {(e.status, e.attempts, e.last_error) for e in emails} == {(OutgoingEmail.SENT, 1, "")}


def test_a_send_whose_confirmation_never_came_is_retried_as_the_same_message(
    participant, participant_client, topic, settings, run_tasks, clock
):
    with SMTPServer() as server:
        server.hang_after_data = True
        settings.MAILERS = smtp_mailer(server.port)
        post_reply(participant_client, topic, run_tasks)
        email = OutgoingEmail.objects.get()
        assert (email.status, email.attempts) == (OutgoingEmail.PENDING, 1)
        assert "timed out" in email.last_error

        server.hang_after_data = False
        clock.advance(minutes=6)
        with run_tasks():
            call_command("retry_emails")

    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.SENT, 2)
    # The server may have kept the first copy: the retry carries the same
    # Message-ID, so a mailbox shows one email.
    assert [d.message_id for d in server.deliveries] == [email.message_id()]


def test_a_refused_address_fails_for_good_and_the_rest_of_the_batch_still_goes(
    participant_client, topic, followers, settings, run_tasks
):
    refused = followers[0]
    with SMTPServer(refuse={refused.email}) as server:
        settings.MAILERS = smtp_mailer(server.port)
        post_reply(participant_client, topic, run_tasks)

    bounced = OutgoingEmail.objects.get(to=refused.email)
    assert (bounced.status, bounced.attempts) == (OutgoingEmail.FAILED, 1)
    assert "550" in bounced.last_error
    assert server.connections == 1
    assert server.recipients() == sorted([topic.author.email] + [u.email for u in followers[1:]])


def test_a_worker_holding_an_old_copy_cannot_send_an_email_again(
    participant_client, topic, followers, settings, run_tasks
):
    with SMTPServer() as server:
        settings.MAILERS = smtp_mailer(server.port)
        settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
        post_reply(participant_client, topic, run_tasks)  # stored, not sent
        stale = list(OutgoingEmail.objects.all())  # what a slower worker read

        assert OutgoingEmail.objects.all().deliver() == len(stale)
        assert not any(email.claim(timedelta(minutes=10), True) for email in stale)
        assert OutgoingEmail.objects.all().deliver() == 0

    assert len(server.deliveries) == len(stale)


def test_retry_now_sends_an_email_waiting_for_its_next_attempt(other_participant, settings, clock):
    email = OutgoingEmail.objects.create(
        recipient=other_participant,
        to=other_participant.email,
        subject="S",
        text="T",
        attempts=3,
        last_error="TimeoutError: timed out",
        next_attempt_at=clock.now + timedelta(days=300),
    )
    with SMTPServer() as server:
        settings.MAILERS = smtp_mailer(server.port)
        call_command("retry_emails")  # not due: nothing
        assert server.deliveries == []
        tasks.deliver_email.enqueue(email.pk)  # the admin's "Retry delivery now"

    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.SENT, 4)
    assert server.recipients() == [other_participant.email]


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's in-memory test database cannot take writes from two threads at once; "
    "the PostgreSQL run and the SMTP drill (drills/smtp.py) cover the race",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_given_the_same_emails_send_each_one_once(settings):
    users = [make_user() for _ in range(30)]
    emails = [
        OutgoingEmail.objects.create(recipient=u, to=u.email, subject="S", text="T") for u in users
    ]
    ids = [e.pk for e in emails]
    start = threading.Barrier(3)
    sent = []

    def worker():
        start.wait()
        try:
            sent.append(OutgoingEmail.objects.filter(pk__in=ids).deliver())
        finally:
            connection.close()

    with SMTPServer() as server:
        settings.MAILERS = smtp_mailer(server.port, timeout=10)
        threads = [threading.Thread(target=worker) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert sum(sent) == len(users)
    assert server.recipients() == sorted(u.email for u in users)
    assert set(OutgoingEmail.objects.values_list("attempts", flat=True)) == {1}
