"""Deleting an account leaves the person's identity nowhere in the database:
a dump of every table holds neither their username, address and name, nor
their words, except the posts they chose to keep."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.utils import timezone

from accounts.models import REMOVED_TEXT
from dialogues.models import DigestEntry, NotificationPreference, OutgoingEmail, Subscription
from dialogues.notifications import send_digests
from forum.models import Flag, ModerationLog, Post, Topic
from tests.accounts.conftest import log_in, reauthenticate
from tests.accounts.dump import find
from tests.factories import make_reply, make_topic, make_user, verified

USERNAME = "quillfeather"
EMAIL = "quill.feather@example.org"
DISPLAY_NAME = "Zephyrine Quill"
# Every word they wrote carries this marker: posts, subjects, drafts, flags.
MARKER = "Quokka7731"
IDENTITY = [USERNAME, EMAIL, DISPLAY_NAME]
DOWN = {"default": {"BACKEND": "tests.dialogues.mail_backends.DownEmailBackend"}}
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Send what the code queues on commit (the test's transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def erased(db):
    return verified(make_user(USERNAME, email=EMAIL, display_name=DISPLAY_NAME))


@pytest.fixture
def history(erased, topic, facilitator, admin_user, settings, run_tasks):
    """They posted (emailed at once to a follower and in another's digest),
    edited a post, were replied to by email, flagged a reply, were pinned by
    a facilitator and edited in the admin; one email and one digest entry
    about them are still waiting when they delete their account."""
    olu = verified(make_user("olu", display_name="Olu Other"))
    dana = verified(make_user("dana", display_name="Dana Digest"))
    for reader in (olu, dana):
        Subscription.set(reader, topic, True)
    now = timezone.now()
    NotificationPreference.objects.create(user=dana, delivery="digest", digest_hour=now.hour)

    with run_tasks():
        mine = make_reply(
            topic, author=erased, subject=f"{MARKER} first subject", body=f"{MARKER} first body"
        )
        mine.edit(by=erased, subject=f"{MARKER} subject", body=f"{MARKER} body, edited")
        # Olu's default subject quotes theirs: "Re: Quokka7731 subject".
        answer = make_reply(topic, parent=mine, author=olu, body="Olu agrees.")
        make_reply(topic, author=olu, subject="Elsewhere", body="Olu, unrelated.")
    answer.flag(by=erased, reason=Flag.Reason.OTHER, text=f"{MARKER} flag text")
    mine.pin(by=facilitator)
    LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(erased),
        object_id=str(erased.pk),
        object_repr=str(erased),
        action_flag=CHANGE,
    )
    with run_tasks():
        assert send_digests(now) == 1
    settings.MAILERS = DOWN
    with run_tasks():
        make_reply(topic, author=erased, subject="Later", body=f"{MARKER} still waiting")
    settings.MAILERS = LOCMEM

    sent = OutgoingEmail.objects.filter(status=OutgoingEmail.SENT)
    assert sent.filter(to=olu.email, text__contains=MARKER).exists()  # at once
    assert sent.filter(to=dana.email, text__contains=DISPLAY_NAME).exists()  # digest
    assert sent.filter(to=EMAIL).exists()  # Olu's answer, to them
    assert OutgoingEmail.objects.filter(status=OutgoingEmail.PENDING, text__contains=MARKER)
    assert DigestEntry.objects.filter(user=dana, sent_at__isnull=True).exists()
    assert {needle for needle, _cell in find([*IDENTITY, MARKER])} == {*IDENTITY, MARKER}
    mail.outbox.clear()
    return {"mine": mine, "answer": answer, "olu": olu, "dana": dana}


def _delete_account(client, mode):
    log_in(client, USERNAME)
    reauthenticate(client)
    response = client.post("/u/me/delete/", {"mode": mode, "confirm": "on"})
    assert response.status_code == 302


def test_removing_text_leaves_no_trace_of_the_person_anywhere(client, erased, history):
    _delete_account(client, "remove")

    assert find([*IDENTITY, MARKER]) == []
    mine = Post.objects.get(pk=history["mine"].pk)
    assert (mine.subject, mine.body) == (REMOVED_TEXT, REMOVED_TEXT)
    assert Post.objects.get(pk=history["answer"].pk).subject == f"Re: {REMOVED_TEXT}"
    assert Post.objects.get(pk=history["answer"].pk).body == "Olu agrees."
    # Their flag still counts for the moderators, without their words.
    assert Flag.objects.get(flagger=erased).text == ""
    assert ModerationLog.objects.get(post=mine, action="pin").target == REMOVED_TEXT
    # Mail that does not carry their words stays: only what does is deleted.
    assert not OutgoingEmail.objects.filter(text__contains="Olu agrees.").exists()
    assert OutgoingEmail.objects.filter(
        to="facilitator@example.org", text__contains="Olu, unrelated."
    )


def test_keeping_posts_leaves_only_their_posts(client, erased, history):
    _delete_account(client, "keep")

    found = find([*IDENTITY, MARKER])
    assert [needle for needle, _cell in found if needle in IDENTITY] == []
    places = {(cell.table, cell.column) for _needle, cell in found}
    # The posts, and the subjects that replies and the logs quote from them,
    # and the search index's copies of the kept posts (its full-text data
    # on SQLite).
    assert places <= {
        ("forum_post", "subject"),
        ("forum_post", "body"),
        ("forum_post", "body_html"),
        ("forum_moderationlog", "target"),
        ("search_searchentry", "title"),
        ("search_searchentry", "text"),
        ("search_searchentry", "vector"),
        ("search_fts", "title"),
        ("search_fts", "text"),
        ("search_fts_data", "block"),
    }
    assert ("forum_post", "body") in places
    for _needle, cell in found:
        if cell.table == "forum_moderationlog":
            assert cell.value == f"{MARKER} subject"
    assert Post.objects.get(pk=history["mine"].pk).body == f"{MARKER} body, edited"
    assert not Post.objects.get(pk=history["mine"].pk).revisions.exists()
    assert Flag.objects.get(flagger=erased).text == ""
    assert not OutgoingEmail.objects.filter(text__contains=MARKER).exists()
    assert not DigestEntry.objects.filter(post__author=erased).exists()


def test_removing_text_of_a_topic_they_opened_replaces_its_title_everywhere(client, db, topic):
    opener = verified(make_user(USERNAME, email=EMAIL, display_name=DISPLAY_NAME))
    other = make_user("olu")
    theirs = make_topic(category=topic.category, author=opener, title=f"{MARKER} title")
    reply = make_reply(theirs, author=other, body="Thanks for asking.")
    deeper = make_reply(theirs, parent=reply, author=make_user(), body="Me too.")
    theirs.lock(by=opener, reason="Done.")
    assert reply.subject == deeper.subject == f"Re: {MARKER} title"

    _delete_account(client, "remove")

    assert find([*IDENTITY, MARKER]) == []
    theirs.refresh_from_db()
    assert theirs.title == REMOVED_TEXT
    assert MARKER.lower() not in theirs.slug
    assert client.get(theirs.get_absolute_url()).status_code == 200
    assert Post.objects.get(pk=deeper.pk).subject == f"Re: {REMOVED_TEXT}"
    assert Topic.objects.get(pk=topic.pk).title == topic.title  # other topics untouched


def test_a_subject_they_only_inherited_is_not_erased_from_others_replies(client, erased, topic):
    """ "Re: <title>" is the facilitator's words, not theirs."""
    mine = make_reply(topic, author=erased, body="Mine.")
    below = make_reply(topic, parent=mine, author=make_user(), body="Below.")
    _delete_account(client, "remove")
    assert Post.objects.get(pk=below.pk).subject == f"Re: {topic.title}"


def test_the_admin_history_no_longer_names_them(client, erased, admin_user):
    entry = LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(erased),
        object_id=str(erased.pk),
        object_repr=str(erased),
        action_flag=CHANGE,
    )
    _delete_account(client, "keep")
    entry.refresh_from_db()
    assert entry.object_repr == "Former participant"


def test_a_login_they_abandoned_at_the_two_factor_step_is_ended(client, erased):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.sessions.models import Session
    from django.test import Client

    TOTP.activate(erased, generate_totp_secret())
    abandoned = Client()
    assert log_in(abandoned, USERNAME)["Location"] == "/accounts/2fa/authenticate/"
    key = abandoned.session.session_key
    assert Session.objects.filter(session_key=key).exists()

    client.force_login(erased)  # another browser, signed in before
    reauthenticate(client)
    client.post("/u/me/delete/", {"mode": "keep", "confirm": "on"})
    assert not Session.objects.filter(session_key=key).exists()
    assert not Session.objects.exists()
