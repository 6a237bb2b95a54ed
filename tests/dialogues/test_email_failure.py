"""A mail server that is down loses nothing: the post is saved, the email is
kept, the failure logged and the send retried."""

import logging

from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from dialogues.models import OutgoingEmail, Subscription
from forum.models import Post

DOWN = {"default": {"BACKEND": "tests.dialogues.mail_backends.DownEmailBackend"}}
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def test_post_is_saved_when_the_mail_server_is_down_and_the_email_is_retried(
    participant_client, topic, other_participant, settings, clock, run_tasks, caplog
):
    Subscription.set(other_participant, topic, True)
    settings.MAILERS = DOWN
    mail.outbox.clear()

    with caplog.at_level(logging.WARNING, logger="dialogues.mailing"), run_tasks():
        response = participant_client.post(
            reverse("forum:reply", args=[topic.opening_post_id]),
            {"subject": "Still here", "body": "Saved whatever the mail server does."},
        )

    assert response.status_code == 302
    assert Post.objects.filter(body="Saved whatever the mail server does.").exists()
    # The facilitator who opened the topic follows it too.
    assert OutgoingEmail.objects.filter(status=OutgoingEmail.PENDING).count() == 2
    email = OutgoingEmail.objects.get(to=other_participant.email)
    assert (email.status, email.attempts) == (OutgoingEmail.PENDING, 1)
    assert "ConnectionRefusedError" in email.last_error
    assert "failed (attempt 1)" in caplog.text
    assert mail.outbox == []

    settings.MAILERS = LOCMEM
    call_command("retry_emails")  # not due yet: nothing happens
    assert mail.outbox == []
    clock.advance(minutes=6)
    with run_tasks():
        call_command("retry_emails")

    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.SENT, 2)
    assert sorted(m.to[0] for m in mail.outbox) == [topic.author.email, other_participant.email]


def test_an_email_that_keeps_failing_is_given_up_after_the_last_attempt(
    other_participant, settings, clock
):
    settings.MAILERS = DOWN
    email = OutgoingEmail.objects.create(
        recipient=other_participant,
        to=other_participant.email,
        subject="S",
        text="T",
        next_attempt_at=clock.now,
    )

    for _ in range(OutgoingEmail.MAX_ATTEMPTS):
        clock.advance(days=2)
        call_command("retry_emails")

    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.FAILED, OutgoingEmail.MAX_ATTEMPTS)
    clock.advance(days=30)
    call_command("retry_emails")
    email.refresh_from_db()
    assert email.attempts == OutgoingEmail.MAX_ATTEMPTS


def test_post_is_saved_and_the_reader_redirected_when_the_task_queue_is_down(
    participant_client, topic, settings, run_tasks, caplog
):
    settings.TASKS = {
        "default": {"BACKEND": "tests.dialogues.task_backends.UnreachableQueueBackend"}
    }

    with run_tasks():
        response = participant_client.post(
            reverse("forum:reply", args=[topic.opening_post_id]),
            {"subject": "Queue down", "body": "Kept anyway."},
        )

    assert response.status_code == 302
    assert Post.objects.filter(body="Kept anyway.").exists()
    assert "the task queue is unreachable" in caplog.text
