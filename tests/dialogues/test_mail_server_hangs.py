"""No request waits on the mail server (issue 8, point 1). With the default
task backend (a thread pool in the web process) a reply answers at once
while a real SMTP socket accepts the connection and says nothing; the
emails go out, once each, over one connection, when it starts answering.
This is one of the few tests with a time bound: generous against the 20 s a
hanging server used to cost a request per recipient."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from dialogues.models import OutgoingEmail, Subscription
from forum.task_backends import wait_for_tasks
from tests.factories import make_category, make_facilitator, make_topic, make_user
from tests.smtp_server import HANG, SMTPServer

# What forum/settings.py builds from EMAIL_HOST, EMAIL_PORT, EMAIL_USE_TLS=0
# and the default EMAIL_TIMEOUT; the port is the test server's.
EMAIL_TIMEOUT = 20
DEFAULT_TASKS = {"default": {"BACKEND": "forum.task_backends.ThreadPoolBackend"}}


def smtp_mailer(port):
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": "127.0.0.1",
                "port": port,
                "use_tls": False,
                "timeout": EMAIL_TIMEOUT,
            },
        }
    }


@pytest.mark.django_db(transaction=True)
def test_a_reply_answers_at_once_while_the_mail_server_hangs_and_each_email_goes_out_once(
    settings,
):
    topic = make_topic(category=make_category(), author=make_facilitator())
    author = make_user()
    followers = [make_user() for _ in range(4)]
    for follower in followers:
        Subscription.set(follower, topic, True)
    expected = sorted([topic.author.email] + [f.email for f in followers])
    client = Client()
    client.force_login(author)
    url = reverse("forum:reply", args=[topic.opening_post_id])
    client.get(url)  # the first request of a process compiles templates

    with SMTPServer(HANG) as server:
        settings.MAILERS = smtp_mailer(server.port)
        settings.TASKS = DEFAULT_TASKS
        try:
            started = time.monotonic()
            response = client.post(url, {"subject": "Still fast", "body": "Whatever mail does."})
            elapsed = time.monotonic() - started

            assert response.status_code == 302
            assert elapsed < 0.3, f"the reply took {elapsed:.3f} s"
            assert topic.posts.filter(body="Whatever mail does.").exists()
            # The worker thread stored every email, then connected and is
            # waiting for the server's greeting.
            assert server.wait_for(lambda s: s.connections == 1)
            assert sorted(OutgoingEmail.objects.values_list("to", flat=True)) == expected
            time.sleep(1)
            assert server.deliveries == []
            assert OutgoingEmail.objects.filter(status=OutgoingEmail.SENT).count() == 0

            server.answer()
            assert wait_for_tasks(timeout=60)
        finally:
            server.answer()
            wait_for_tasks(timeout=60)

    assert server.recipients() == expected
    assert server.connections == 1  # the whole fan-out over one connection
    assert len({d.message_id for d in server.deliveries}) == len(expected)
    emails = OutgoingEmail.objects.all()
    assert {(e.status, e.attempts) for e in emails} == {(OutgoingEmail.SENT, 1)}


@pytest.mark.django_db(transaction=True)
def test_signup_answers_at_once_while_the_mail_server_hangs_and_the_code_is_forgotten_once_sent(
    settings,
):
    """allauth's emails (verification codes, login codes, reset links) take
    the same queue as ours, and a code is not kept once delivered."""
    client = Client()
    client.get("/accounts/signup/")  # the first request of a process compiles templates

    with SMTPServer(HANG) as server:
        settings.MAILERS = smtp_mailer(server.port)
        settings.TASKS = DEFAULT_TASKS
        try:
            started = time.monotonic()
            response = client.post(
                "/accounts/signup/",
                {
                    "email": "hurried@example.org",
                    "username": "hurried",
                    "password1": "a-fresh-long-password",
                    "password2": "a-fresh-long-password",
                },
            )
            elapsed = time.monotonic() - started

            assert response.status_code == 302
            assert elapsed < 0.3, f"the signup took {elapsed:.3f} s"
            assert server.wait_for(lambda s: s.connections == 1)
            [stored] = OutgoingEmail.objects.all()
            assert stored.to == "hurried@example.org"
            assert stored.recipient.username == "hurried"

            server.answer()
            assert wait_for_tasks(timeout=60)
        finally:
            server.answer()
            wait_for_tasks(timeout=60)

    assert server.recipients() == ["hurried@example.org"]
    assert not OutgoingEmail.objects.exists()
