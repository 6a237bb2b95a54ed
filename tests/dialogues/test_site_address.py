"""Every link in every email uses the configured site address (SITE_URL) and
every greeting the site's name (SITE_NAME), never the host and port of the
request that caused the email: the forum's own emails and allauth's."""

import re
from datetime import timedelta
from pathlib import Path

import allauth
import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from dialogues.models import NotificationPreference, Subscription
from dialogues.notifications import send_digests
from tests.factories import make_dialogue, make_reply, make_topic, make_user, verified

from .conftest import START

SITE = "https://forum.example.org"
ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(autouse=True)
def public_site(settings, db):
    settings.SITE_URL = SITE
    settings.SITE_NAME = "Rights Dialogues"
    settings.ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Rights Dialogues] "
    # allauth's rate limits count in the shared cache.
    cache.clear()
    yield
    cache.clear()


def links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", text)


def assert_on_site(message, *, html=True):
    """Every link of both parts is on SITE_URL; no request host anywhere."""
    parts = [message.body] + ([message.alternatives[0].content] if html else [])
    for part in parts:
        found = links(part)
        assert found, part
        for url in found:
            assert url.startswith(SITE + "/"), url
        assert "testserver" not in part and "localhost" not in part
        assert "Rights Dialogues" in part


def reply(client, post, body="A reply."):
    return client.post(reverse("forum:reply", args=[post.pk]), {"subject": "Re", "body": body})


def test_reply_email_links_and_unsubscribes_on_the_site_address(
    participant_client, topic, other_participant, run_tasks
):
    parent = make_reply(topic, author=other_participant, subject="My question")
    mail.outbox.clear()

    with run_tasks():
        reply(participant_client, parent, body="An answer, see [the first post](/p/1/).")

    [message] = [m for m in mail.outbox if m.to == [other_participant.email]]
    assert "replied to your post" in message.body
    assert_on_site(message)
    assert f"{SITE}/p/" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith(f"<{SITE}/dialogues/unsubscribe/")
    # A link the author wrote relative to the site points at the site too.
    assert f'href="{SITE}/p/1/"' in message.alternatives[0].content


def test_new_post_email_links_on_the_site_address(
    participant_client, topic, other_participant, run_tasks
):
    Subscription.set(other_participant, topic, True)
    mail.outbox.clear()

    with run_tasks():
        reply(participant_client, topic.opening_post)

    [message] = [m for m in mail.outbox if m.to == [other_participant.email]]
    assert "posted in" in message.body
    assert_on_site(message)


def test_unsubscribe_links_of_every_email_work_on_the_site_address(
    client, participant_client, topic, other_participant, run_tasks
):
    Subscription.set(other_participant, topic, True)
    with run_tasks():
        reply(participant_client, topic.opening_post)
    [message] = [m for m in mail.outbox if m.to == [other_participant.email]]

    [url] = {u for u in links(message.body) if "/unsubscribe/" in u}
    assert url.startswith(f"{SITE}/dialogues/unsubscribe/")
    client.post(url.removeprefix(SITE))

    assert not Subscription.objects.active().filter(user=other_participant, topic=topic).exists()


def test_digest_links_on_the_site_address(topic, run_tasks, clock):
    reader = make_user("reader")
    NotificationPreference.objects.create(user=reader, delivery="digest", digest_hour=9)
    Subscription.set(reader, topic, True)
    with run_tasks():
        make_reply(topic, subject="Worth a digest")
    mail.outbox.clear()

    with run_tasks():
        assert send_digests(START + timedelta(days=1)) == 1

    [digest] = mail.outbox
    assert "Worth a digest" in digest.body
    assert_on_site(digest)


def test_summary_email_links_on_the_site_address(facilitator_client, topic, clock, run_tasks):
    dialogue = make_dialogue(topic, opens_at=START, closes_at=START + timedelta(days=3))
    clock.set(START + timedelta(hours=1))
    cited = make_reply(topic, subject="Cited")
    make_dialogue(
        make_topic(category=topic.category, author=topic.author, title="The next one"),
        opens_at=START + timedelta(days=10),
        closes_at=START + timedelta(days=12),
    )
    clock.set(START + timedelta(days=4))
    mail.outbox.clear()

    with run_tasks():
        facilitator_client.post(
            reverse("dialogues:summary", args=[dialogue.topic_id]),
            {"summary": f"We heard [this]({cited.get_absolute_url()}).", "publish": "1"},
        )

    message = mail.outbox[0]
    assert_on_site(message)
    assert f"{SITE}{topic.get_absolute_url()}#summary" in message.body
    assert f'href="{SITE}{cited.get_absolute_url()}"' in message.alternatives[0].content


@pytest.mark.django_db(transaction=True)  # the email leaves on commit
def test_verification_code_email_greets_with_the_site_name(client, db, mailoutbox):
    client.post(
        "/accounts/signup/",
        {
            "email": "new@example.org",
            "username": "newcomer",
            "password1": "a-fresh-long-password",
            "password2": "a-fresh-long-password",
        },
    )

    [message] = mailoutbox
    assert message.body.startswith("Hello from Rights Dialogues!")
    assert "register an account on https://forum.example.org." in message.body
    assert message.body.rstrip().endswith(f"Thank you for using Rights Dialogues!\n{SITE}")
    assert message.subject.startswith("[Rights Dialogues] ")
    assert "testserver" not in message.body


@pytest.mark.django_db(transaction=True)  # the email leaves on commit
def test_password_reset_link_is_on_the_site_address(client, db, mailoutbox):
    verified(make_user("member", email="member@example.org"))

    client.post("/accounts/password/reset/", {"email": "member@example.org"})

    [message] = mailoutbox
    assert message.body.startswith("Hello from Rights Dialogues!")
    [reset] = [url for url in links(message.body) if "/password/reset/key/" in url]
    assert reset.startswith(f"{SITE}/accounts/password/reset/key/")
    assert "testserver" not in message.body
    # The link works on this site.
    assert client.get(reset.removeprefix(SITE), follow=True).status_code == 200


@pytest.mark.django_db(transaction=True)  # the email leaves on commit
def test_unknown_account_email_links_to_signup_on_the_site_address(client, db, mailoutbox):
    client.post("/accounts/password/reset/", {"email": "nobody@example.org"})

    [message] = mailoutbox
    assert f"{SITE}/accounts/signup/" in message.body
    assert "testserver" not in message.body


def test_every_allauth_email_that_names_the_site_or_a_link_is_overridden():
    """A future allauth email with a link or the site in it must not slip
    back to the request's host: each one is overridden in templates/."""
    shipped = Path(allauth.__file__).parent / "templates"
    for template in sorted(shipped.glob("*/email/*.txt")):
        text = template.read_text()
        if "current_site" not in text and not re.search(r"\{\{\s*\w+_url", text):
            continue
        relative = template.relative_to(shipped)
        if relative.parts[0] == "socialaccount":  # not installed
            continue
        ours = ROOT / "templates" / relative
        assert ours.exists(), f"{relative} is not overridden"
        overridden = ours.read_text()
        assert "current_site" not in overridden, relative
        for name in re.findall(r"\{\{\s*(\w+_url)\s*\}\}", overridden):
            assert f"{name}={name}|on_site" in overridden, (relative, name)
