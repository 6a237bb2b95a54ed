"""Hidden means hidden, everywhere: once a moderator hides a post, no page,
feed, email or export shows its subject, its text, its links or who wrote
it to anyone but its author and the topic's moderators.

The pages come from the URL patterns: a new URL fails
test_every_url_is_classified until it is added to PAGES below (with the
requests that show it at its fullest), so every page is checked."""

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dialogues.models import (
    ConversationLeader,
    Dialogue,
    DigestEntry,
    NotificationPreference,
    OutgoingEmail,
    Subscription,
)
from dialogues.notifications import send_digests, send_summary_emails, unsubscribe_token
from forum.models import Flag, Post, Topic
from tests.accounts.conftest import log_in, reauthenticate
from tests.factories import (
    make_dialogue,
    make_facilitator,
    make_reply,
    make_user,
    verified,
)

pytestmark = pytest.mark.django_db

SUBJECT = "Quetzal-marmalade subject"
BODY = "Vermilion-otter confession"
LINK = "https://hidden.example/zinc-lantern-guide"
LAST_SUBJECT = "Obsidian-tapir subject"
LAST_BODY = "Saffron-walrus aside"
AUTHOR_NAME = "Hester Hiddenauthor"
SECRETS = [SUBJECT, BODY, LINK, "zinc-lantern", LAST_SUBJECT, LAST_BODY, AUTHOR_NAME]


@dataclass
class Scene:
    topic: Topic
    hidden: Post  # with a reply, edited, flagged, cited by the summary
    hidden_last: Post  # was the newest post of the topic
    answer: Post  # a visible reply to the hidden post
    deeper: Post  # a reply to the answer
    flag: Flag
    author: object
    viewer: object  # a participant: not the author, not a moderator
    leader: ConversationLeader


@pytest.fixture
def scene(settings, clock, category, topic, facilitator, moderator, other_participant):
    settings.FORUM_PAGE_SIZE = 2
    dialogue = make_dialogue(
        topic, opens_at=clock.now - timedelta(days=1), closes_at=clock.now + timedelta(days=4)
    )
    author = make_user("hester", display_name=AUTHOR_NAME)
    make_reply(topic, subject="Visible thoughts", body="Out in the open.")
    hidden = make_reply(
        topic, author=author, subject=SUBJECT, body=f"{BODY} with [a guide]({LINK})."
    )
    hidden.edit(by=author, subject=SUBJECT, body=f"{BODY} with [a guide]({LINK}), edited.")
    answer = make_reply(
        topic, parent=hidden, subject="A careful answer", body="I see it differently."
    )
    deeper = make_reply(topic, parent=answer, subject="Going deeper", body="Say more?")
    hidden_last = make_reply(topic, author=author, subject=LAST_SUBJECT, body=LAST_BODY)
    flag = hidden.flag(by=make_user("flagger"), reason=Flag.Reason.ABUSE)
    leader = dialogue.add_leader(user=make_user("lead"), by=facilitator)
    dialogue.write_summary(
        body=f"We discussed [one point]({hidden.get_absolute_url()}) at length.", by=facilitator
    )
    dialogue.publish_summary(by=facilitator)

    # Someone follows the topic, by email at once and by digest.
    Subscription.set(other_participant, topic, True)
    reader = make_user("reader")
    NotificationPreference.objects.create(user=reader, delivery="digest", digest_hour=9)
    Subscription.set(reader, topic, True)
    DigestEntry.objects.create(user=reader, post=hidden)

    hidden.hide(by=moderator, reason="Personal data")
    hidden_last.hide(by=moderator)
    return Scene(
        topic=Topic.objects.get(pk=topic.pk),
        hidden=hidden,
        hidden_last=hidden_last,
        answer=answer,
        deeper=deeper,
        flag=flag,
        author=author,
        viewer=other_participant,
        leader=leader,
    )


def topic_pages(s):
    """Every page of the topic, from every post it can start or end at, in
    every reading mode (forum/reading_modes.py)."""
    url = s.topic.get_absolute_url()
    pks = s.topic.posts.values_list("pk", flat=True)
    return [
        page
        for view in ("", "&view=flat", "&view=new")
        for page in (
            [f"{url}?view=threaded{view}", f"{url}?page=last{view}"]
            + [f"{url}?start={pk}{view}" for pk in pks]
            + [f"{url}?after={pk}{view}" for pk in pks]
            + [f"{url}?before={pk}{view}" for pk in pks]
        )
    ]


def posts_of(s):
    return [s.hidden, s.hidden_last, s.answer]


def each(name, objects):
    return [reverse(name, args=[pk]) for pk in objects]


def post_pages(name):
    return lambda s: each(name, [p.pk for p in posts_of(s)])


def topic_page(name):
    return lambda s: [reverse(name, args=[s.topic.pk])]


# Every URL name, with the requests that show it (GET unless a (method,
# url, data) tuple). Actions that only take POST answer a GET with 405, and
# are posted to as well where that renders a page.
PAGES = {
    "forum:home": lambda s: [reverse("forum:home")],
    "forum:healthz": lambda s: [reverse("forum:healthz")],
    "forum:category": lambda s: [s.topic.category.get_absolute_url()],
    "forum:topic_create": lambda s: [reverse("forum:topic_create", args=[s.topic.category.slug])],
    "forum:topic": topic_pages,
    "forum:post": post_pages("forum:post"),
    "forum:reply": lambda s: (
        each("forum:reply", [p.pk for p in posts_of(s)])
        + [
            ("post", reverse("forum:reply", args=[s.hidden.pk]), {"subject": "Re", "body": "x"}),
            ("post", reverse("forum:reply", args=[s.hidden.pk]), {"body": "x", "preview": "1"}),
        ]
    ),
    "forum:topic_lock": topic_page("forum:topic_lock"),
    "forum:topic_unlock": topic_page("forum:topic_unlock"),
    "forum:topic_sticky": topic_page("forum:topic_sticky"),
    "forum:topic_log": topic_page("forum:topic_log"),
    "forum:post_pin": post_pages("forum:post_pin"),
    "forum:post_hide": post_pages("forum:post_hide"),
    "forum:post_restore": post_pages("forum:post_restore"),
    "forum:post_edit": lambda s: (
        each("forum:post_edit", [p.pk for p in posts_of(s)])
        + [("post", reverse("forum:post_edit", args=[s.hidden.pk]), {"subject": "S", "body": "B"})]
    ),
    "forum:post_revisions": post_pages("forum:post_revisions"),
    "forum:post_flag": lambda s: (
        each("forum:post_flag", [p.pk for p in posts_of(s)])
        + [("post", reverse("forum:post_flag", args=[s.hidden.pk]), {"reason": "spam"})]
    ),
    "forum:moderation_queue": lambda s: [reverse("forum:moderation_queue")],
    "forum:unread": lambda s: [reverse("forum:unread")],
    "forum:mark_all_read": lambda s: [("post", reverse("forum:mark_all_read"), {})],
    "forum:topic_unread": topic_page("forum:topic_unread"),
    "forum:topic_mark_read": lambda s: [
        ("post", reverse("forum:topic_mark_read", args=[s.topic.pk]), {})
    ],
    "forum:flag_resolve": lambda s: [
        reverse("forum:flag_resolve", args=[s.flag.pk]),
        ("post", reverse("forum:flag_resolve", args=[s.flag.pk]), {"decision": "dismiss"}),
    ],
    "accounts:profile": lambda s: [s.author.get_absolute_url(), s.viewer.get_absolute_url()],
    "accounts:profile_edit": lambda s: [reverse("accounts:profile_edit")],
    "accounts:my_data": lambda s: [reverse("accounts:my_data")],
    # The download asks for the password first: test_exports_hold_no_hidden_post.
    "accounts:export": lambda s: [reverse("accounts:export")],
    "accounts:delete_account": lambda s: [reverse("accounts:delete_account")],
    # The footer's language menu: a redirect back to the page it was sent from.
    "accounts:set_language": lambda s: [
        (
            "post",
            reverse("accounts:set_language"),
            {"language": "fr", "next": s.topic.get_absolute_url()},
        )
    ],
    "accounts:suspend": lambda s: [reverse("accounts:suspend", args=[s.author.username])],
    "accounts:unsuspend": lambda s: [reverse("accounts:unsuspend", args=[s.author.username])],
    "dialogues:manage": topic_page("dialogues:manage"),
    "dialogues:schedule": topic_page("dialogues:schedule"),
    "dialogues:close_early": topic_page("dialogues:close_early"),
    "dialogues:add_leader": topic_page("dialogues:add_leader"),
    "dialogues:remove_leader": lambda s: [
        reverse("dialogues:remove_leader", args=[s.topic.pk, s.leader.pk])
    ],
    "dialogues:summary": topic_page("dialogues:summary"),
    "dialogues:participation": topic_page("dialogues:participation"),
    "dialogues:subscription": topic_page("dialogues:subscription"),
    "dialogues:preferences": lambda s: [reverse("dialogues:preferences")],
    "dialogues:unsubscribe": lambda s: [
        reverse("dialogues:unsubscribe", args=[unsubscribe_token(s.viewer, s.topic)])
    ],
    "dialogues:help": lambda s: [reverse("dialogues:help", args=["how-to-participate"])],
    # The secrets in lower case: the page repeats what was typed.
    "search:results": lambda s: [
        f"{reverse('search:results')}?{query}"
        for words in (
            "quetzal marmalade",
            "vermilion otter confession",
            "zinc lantern guide",
            "obsidian tapir",
            "saffron walrus",
            "hester hiddenauthor",
            "hidden example",
        )
        for query in (
            f"q={words}",
            f"q={words}&author=hester",
            f"q={words}&topic={s.topic.pk}&has_summary=on",
            f"q={words}&category={s.topic.category_id}&only_leaders=on",
        )
    ],
    # Feeds: the same for everyone, cached; see also tests/forum/test_feeds.py.
    "forum:feed": lambda s: [reverse("forum:feed")],
    "forum:category_feed": lambda s: [reverse("forum:category_feed", args=[s.topic.category.slug])],
    "forum:topic_feed": topic_page("forum:topic_feed"),
    "forum:sitemap_index": lambda s: [reverse("forum:sitemap_index")],
    "forum:sitemap": lambda s: [reverse("forum:sitemap", args=["topics"])],
    "dialogues:summaries_feed": lambda s: [reverse("dialogues:summaries_feed")],
    "dialogues:resources": lambda s: [
        reverse("dialogues:resources"),
        reverse("dialogues:resources") + "?q=lantern",  # the query itself shows
        reverse("dialogues:resources") + "?q=hidden.example",
        reverse("dialogues:resources") + f"?dialogue={s.topic.pk}",
    ],
    "dialogues:series_resources": lambda s: [
        reverse("dialogues:series_resources", args=[s.topic.category.slug]),
        reverse("dialogues:series_resources", args=[s.topic.category.slug]) + "?q=guide",
    ],
    # Streamed: the whole file is read.
    "dialogues:download": topic_page("dialogues:download"),
}

# The admin: every page goes through admin_site.admin_view (login, staff,
# two-factor); these are the ones that list or show posts.
ADMIN_PAGES = [
    ("admin:index", []),
    ("admin:forum_post_changelist", []),
    ("admin:forum_topic_changelist", []),
    ("admin:forum_postrevision_changelist", []),
    ("admin:forum_flag_changelist", []),
    ("admin:forum_moderationlog_changelist", []),
]


def url_names(patterns=None, namespace=""):
    """(name, view module) of every named URL pattern."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry.callback.__module__


def unclassified():
    for name, module in url_names():
        if name.startswith("admin:"):
            continue  # ADMIN_PAGES: the admin is for staff only
        if module.startswith("allauth."):
            continue  # login, signup, email and two-factor pages: no posts on them
        if name not in PAGES:
            yield name


def test_every_url_is_classified():
    assert sorted(set(unclassified())) == [], (
        "Add these URL names to PAGES in tests/test_hidden_everywhere.py, "
        "with the requests that can show a post on them"
    )


def requests_for(scene):
    for name, urls in PAGES.items():
        for request in urls(scene):
            method, url, data = request if isinstance(request, tuple) else ("get", request, None)
            yield name, method, url, data
    for name, args in ADMIN_PAGES:
        yield name, "get", reverse(name, args=args), None
    yield (
        "admin:forum_post_change",
        "get",
        reverse("admin:forum_post_change", args=[scene.hidden.pk]),
        None,
    )


def assert_nothing_hidden_in(text, where, secrets=SECRETS):
    for secret in secrets:
        assert secret not in text, f"{secret!r} shows on {where}"


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def facilitator_without_mfa(category):
    """Facilitates the topic but has no second factor yet: no tools, so no
    hidden posts either."""
    return make_facilitator("nomfa", category=category, mfa=False)


@pytest.mark.parametrize(
    "who", ["anonymous", "participant", "facilitator_elsewhere", "facilitator_without_mfa"]
)
def test_a_hidden_post_shows_nowhere(request, scene, who):
    client = Client()
    if who == "participant":
        client.force_login(scene.viewer)
    elif who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    checked = 0
    for name, method, url, data in requests_for(scene):
        response = getattr(client, method)(url, data or {}, follow=True)
        # Their profile names the author, of course: but lists none of these posts.
        secrets = [s for s in SECRETS if s != AUTHOR_NAME or url != scene.author.get_absolute_url()]
        where = f"{method.upper()} {url} ({name})"
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert_nothing_hidden_in(content.decode(), where, secrets)
        checked += 1
    assert checked > 60
    # Nothing was changed by all this.
    hidden = Post.objects.get(pk=scene.hidden.pk)
    assert hidden.is_hidden and not hidden.is_pinned
    assert Flag.objects.get(pk=scene.flag.pk).status == Flag.Status.OPEN


@pytest.mark.parametrize("view", ["threaded", "flat", "new"])
def test_its_replies_say_they_answer_a_removed_post(client, scene, view):
    client.force_login(scene.viewer)
    url = f"{scene.topic.get_absolute_url()}?start={scene.answer.pk}&view={view}"
    page = client.get(url).text
    # Threaded links keep their addresses; the other modes' stay in the mode.
    query = "" if view == "threaded" else f"?view={view}"
    assert f'In reply to <a href="{scene.hidden.get_absolute_url()}{query}">a removed post' in page
    assert "A careful answer" in page
    answer = scene.answer.get_absolute_url() + query
    assert f'In reply to <a href="{answer}"><bdi>A careful answer' in page
    assert_nothing_hidden_in(page, url)


def test_the_scene_shows_the_hidden_post_to_its_author_and_moderators(client, scene, moderator):
    """The other tests could not fail if the scene hid nothing to begin with."""
    for user in (scene.author, moderator):
        client.force_login(user)
        pages = "".join(client.get(url).text for url in topic_pages(scene))
        for secret in (SUBJECT, BODY, LINK, LAST_SUBJECT, LAST_BODY, AUTHOR_NAME):
            assert secret in pages
    client.force_login(moderator)
    assert SUBJECT in client.get(reverse("forum:moderation_queue")).text
    assert SUBJECT in client.get(scene.author.get_absolute_url()).text


def test_emails_sent_after_hiding_carry_none_of_it(scene, clock, run_tasks):
    mail.outbox.clear()
    OutgoingEmail.objects.all().delete()
    with run_tasks():
        # A new reply in the hidden post's thread: followers and the author
        # of the post it answers are emailed.
        make_reply(scene.topic, parent=scene.deeper, subject="Deeper still", body="Yes.")
    with run_tasks():
        clock.advance(days=1)
        assert send_digests(clock.now) == 1
    emails = list(OutgoingEmail.objects.all())
    assert {e.recipient_id for e in emails} >= {scene.viewer.pk, scene.deeper.author_id}
    assert len(mail.outbox) == len(emails) >= 3
    for email in emails:
        assert_nothing_hidden_in(email.subject + email.text + email.html, f"email {email.pk}")
    for message in mail.outbox:
        html = "".join(str(content) for content, _type in message.alternatives)
        assert_nothing_hidden_in(message.subject + message.body + html, f"email to {message.to}")


def test_summary_emails_that_cite_it_carry_none_of_it(scene, run_tasks, facilitator):
    mail.outbox.clear()
    dialogue = Dialogue.objects.get(topic=scene.topic)
    with run_tasks():
        sent = send_summary_emails(dialogue.pk)
    assert sent >= 1
    for message in mail.outbox:
        html = "".join(str(content) for content, _type in message.alternatives)
        assert_nothing_hidden_in(message.subject + message.body + html, f"email to {message.to}")


def test_exports_hold_no_hidden_post_of_someone_else(client, scene):
    verified(scene.viewer)
    log_in(client, scene.viewer.username)
    reauthenticate(client)
    response = client.get(reverse("accounts:export"))
    assert response.status_code == 200
    assert json.loads(response.content)["profile"]["username"] == scene.viewer.username
    assert_nothing_hidden_in(response.content.decode(), "the export")
