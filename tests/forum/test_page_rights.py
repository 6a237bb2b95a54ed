"""permissions.PageRights, asked once per topic page, answers for every post
exactly as the per-post functions of forum/permissions.py do, for every role,
in an open and in a locked topic, for hidden, own and others' posts."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from forum import permissions
from forum.models import Post, Topic
from tests.factories import make_facilitator, make_reply, make_user

pytestmark = pytest.mark.django_db

QUESTIONS = {
    "view_hidden": permissions.can_view_hidden,
    "view_parent": permissions.can_view_parent,
    "edit": permissions.can_edit_post,
    "flag": permissions.can_flag_post,
    "view_revisions": permissions.can_view_revisions,
    "pin": permissions.can_pin_post,
    "hide": permissions.can_hide_post,
}


@pytest.fixture
def viewers(participant, post_author, facilitator, moderator, admin_user, other_category):
    return {
        "anonymous": AnonymousUser(),
        "participant": participant,
        "post_author": post_author,
        "facilitator": facilitator,
        "facilitator_elsewhere": make_facilitator("far", category=other_category),
        "facilitator_without_mfa": make_facilitator("nomfa", mfa=False),
        "moderator": moderator,
        "admin": admin_user,
        "suspended": make_user("suspended"),
        "inactive": make_user("gone", is_active=False),
    }


def posts_of(topic):
    posts = list(Post.objects.filter(topic=topic).select_related("parent").order_by("pk"))
    for post in posts:
        post.topic = topic
    return posts


@pytest.mark.parametrize("locked", [False, True])
def test_page_rights_answer_as_the_per_post_functions(
    viewers, topic, reply, post_author, moderator, facilitator, locked, settings
):
    settings.FORUM_STAFF_REQUIRE_MFA = True
    hidden = make_reply(topic, parent=reply, author=post_author, subject="Hidden one")
    make_reply(topic, parent=hidden, subject="Under the hidden one")
    make_reply(topic, parent=reply, author=viewers["suspended"], subject="By the suspended")
    hidden.hide(by=moderator, reason="Testing.")
    viewers["suspended"].suspend(
        timezone.now() + timedelta(days=3), "Testing.", by=viewers["admin"]
    )
    if locked:
        topic.lock(by=facilitator)
    checked = 0
    for name, user in viewers.items():
        fresh_topic = Topic.objects.get(pk=topic.pk)
        rights = permissions.PageRights(user, fresh_topic)
        assert rights.reply == permissions.can_reply(user, fresh_topic), name
        for post in posts_of(fresh_topic):
            for question, function in QUESTIONS.items():
                assert getattr(rights, question)(post) == function(user, post), (
                    name,
                    post.subject,
                    question,
                )
                checked += 1
    assert checked == len(viewers) * 5 * len(QUESTIONS)
