"""Who may do what, through HTTP: every role against every action, each cell
checking the response and what was (or was not) stored."""

import pytest
from django.urls import reverse

from forum.models import Flag, ModerationLog, Post, Topic
from tests.factories import make_reply

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "participant",
    "post_author",
    "facilitator",
    "facilitator_elsewhere",
    "moderator",
    "admin_user",
]
LOGIN, OK, FORBIDDEN, NOT_FOUND = "login", "ok", 403, 404


def table(**expected):
    """Parametrize over ROLES with one expectation each."""
    assert set(expected) == set(ROLES)
    return pytest.mark.parametrize("role, expected", list(expected.items()))


STAFF_ONLY = dict(
    anonymous=LOGIN,
    participant=FORBIDDEN,
    post_author=FORBIDDEN,
    facilitator=OK,
    facilitator_elsewhere=FORBIDDEN,
    moderator=OK,
    admin_user=OK,
)
ANY_LOGGED_IN = dict.fromkeys(ROLES, OK) | {"anonymous": LOGIN}
# What only staff may see (a hidden post, flags) does not exist for the others.
STAFF_ONLY_TO_SEE = STAFF_ONLY | {
    "participant": NOT_FOUND,
    "post_author": NOT_FOUND,
    "facilitator_elsewhere": NOT_FOUND,
}


@pytest.fixture
def login_as(client, request):
    def login(role):
        if role == "anonymous":
            return None
        user = request.getfixturevalue(role)
        client.force_login(user)
        return user

    return login


def assert_status(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    elif expected == OK:
        assert response.status_code == 302, response.content[:500]
    else:
        assert response.status_code == expected


@table(**ANY_LOGGED_IN)
def test_reply(client, login_as, topic, role, expected):
    login_as(role)
    response = client.post(
        reverse("forum:reply", args=[topic.opening_post.pk]),
        {"subject": "Re: hello", "body": "My reply."},
    )
    assert_status(response, expected)
    assert Post.objects.filter(body="My reply.").exists() == (expected == OK)


@table(**STAFF_ONLY)
def test_reply_to_locked_topic(client, login_as, topic, facilitator, role, expected):
    topic.lock(by=facilitator)
    login_as(role)
    response = client.post(
        reverse("forum:reply", args=[topic.opening_post.pk]),
        {"subject": "Re: hello", "body": "Typed while it was locked."},
    )
    assert_status(response, expected)
    assert Post.objects.filter(body="Typed while it was locked.").exists() == (expected == OK)
    if expected == FORBIDDEN:
        assert "Typed while it was locked." in response.content.decode()


@table(**ANY_LOGGED_IN)
def test_edit_own(client, login_as, topic, reply, role, expected):
    user = login_as(role)
    own = make_reply(topic, author=user) if user else reply
    response = client.post(
        reverse("forum:post_edit", args=[own.pk]), {"subject": own.subject, "body": "Edited."}
    )
    assert_status(response, expected)
    own.refresh_from_db()
    assert (own.body == "Edited.") == (expected == OK)
    assert own.revisions.exists() == (expected == OK)


@table(**STAFF_ONLY)
def test_edit_others(client, login_as, topic, reply, other_participant, role, expected):
    user = login_as(role)
    target = make_reply(topic, author=other_participant) if user == reply.author else reply
    response = client.post(
        reverse("forum:post_edit", args=[target.pk]), {"subject": "Edited", "body": "Edited."}
    )
    assert_status(response, expected)
    target.refresh_from_db()
    assert (target.body == "Edited.") == (expected == OK)
    logged = ModerationLog.objects.filter(action=ModerationLog.Action.EDIT, post=target)
    assert logged.exists() == (expected == OK)


@table(**STAFF_ONLY)
def test_lock(client, login_as, topic, role, expected):
    login_as(role)
    response = client.post(reverse("forum:topic_lock", args=[topic.pk]), {"reason": "Ended"})
    assert_status(response, expected)
    topic.refresh_from_db()
    assert topic.is_locked == (expected == OK)
    assert ModerationLog.objects.filter(action="lock").exists() == (expected == OK)


@table(**STAFF_ONLY)
def test_unlock(client, login_as, topic, facilitator, role, expected):
    topic.lock(by=facilitator)
    login_as(role)
    response = client.post(reverse("forum:topic_unlock", args=[topic.pk]))
    assert_status(response, expected)
    topic.refresh_from_db()
    assert topic.is_locked == (expected != OK)


@table(**STAFF_ONLY)
def test_pin(client, login_as, reply, role, expected):
    login_as(role)
    response = client.post(reverse("forum:post_pin", args=[reply.pk]), {"pin": "1"})
    assert_status(response, expected)
    reply.refresh_from_db()
    assert reply.is_pinned == (expected == OK)


@table(**STAFF_ONLY)
def test_hide(client, login_as, topic, reply, role, expected):
    login_as(role)
    response = client.post(reverse("forum:post_hide", args=[reply.pk]), {"reason": "Off topic"})
    assert_status(response, expected)
    reply.refresh_from_db()
    topic.refresh_from_db()
    assert reply.is_hidden == (expected == OK)
    assert topic.post_count == (1 if expected == OK else 2)


# The author still reads their hidden post: for them it exists.
@table(**STAFF_ONLY_TO_SEE | {"post_author": FORBIDDEN})
def test_restore(client, login_as, topic, reply, moderator, role, expected):
    reply.hide(by=moderator)
    login_as(role)
    response = client.post(reverse("forum:post_restore", args=[reply.pk]))
    assert_status(response, expected)
    reply.refresh_from_db()
    topic.refresh_from_db()
    assert reply.is_hidden == (expected != OK)
    assert topic.post_count == (2 if expected == OK else 1)


@table(
    anonymous=False,
    participant=False,
    post_author=True,
    facilitator=True,
    facilitator_elsewhere=False,
    moderator=True,
    admin_user=True,
)
def test_view_hidden_text(client, login_as, topic, reply, moderator, role, expected):
    reply.hide(by=moderator)
    login_as(role)
    response = client.get(topic.get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    assert ("Original text." in content) == expected
    assert ("This post was removed by a moderator." in content) != expected
    assert Post.objects.get(pk=reply.pk).is_hidden


@table(**ANY_LOGGED_IN | {"post_author": FORBIDDEN})
def test_flag(client, login_as, reply, role, expected):
    login_as(role)
    response = client.post(reverse("forum:post_flag", args=[reply.pk]), {"reason": "spam"})
    assert_status(response, expected)
    assert Flag.objects.filter(post=reply).count() == (1 if expected == OK else 0)


@table(**STAFF_ONLY_TO_SEE)
def test_resolve_flag(client, login_as, reply, other_participant, role, expected):
    flag = reply.flag(by=other_participant, reason=Flag.Reason.SPAM)
    login_as(role)
    response = client.post(
        reverse("forum:flag_resolve", args=[flag.pk]), {"decision": "dismiss", "note": ""}
    )
    assert_status(response, expected)
    flag.refresh_from_db()
    assert flag.status == (Flag.Status.DISMISSED if expected == OK else Flag.Status.OPEN)


@table(
    anonymous=302,  # to log in
    participant=403,  # told that the admin is for staff only
    post_author=403,
    facilitator=403,
    facilitator_elsewhere=403,
    moderator=200,
    admin_user=200,
)
def test_open_the_admin(client, login_as, reply, role, expected):
    login_as(role)
    response = client.get(reverse("admin:index"))
    assert response.status_code == expected
    changelist = client.get(reverse("admin:forum_post_changelist"))
    assert changelist.status_code == expected
    if expected == 200:
        assert "My experience" in changelist.content.decode()
    elif expected == 403:
        assert "The admin is for staff only" in changelist.content.decode()
    else:
        assert reverse("admin:login") in changelist.url
    assert not ModerationLog.objects.exists()
    assert Topic.objects.get(pk=reply.topic_id).post_count == 2
