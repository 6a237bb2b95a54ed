"""The admin as back office: its actions call the same model methods as the
topic page's buttons, so they leave the same moderation log entries."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from forum.models import FacilitatorAssignment, Flag, ModerationLog, Post, PostRevision, Topic
from tests.factories import make_reply, make_topic, make_user

pytestmark = pytest.mark.django_db


def log_entries():
    return list(
        ModerationLog.objects.order_by("pk").values_list(
            "action", "actor", "topic", "post", "reason"
        )
    )


def run_action(client, model, action, *objects):
    return client.post(
        reverse(f"admin:forum_{model}_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [obj.pk for obj in objects]},
        follow=True,
    )


@pytest.mark.parametrize(
    "model, action, page_url, target, data",
    [
        ("topic", "lock", "forum:topic_lock", "topic", {}),
        ("topic", "make_sticky", "forum:topic_sticky", "topic", {"sticky": "1"}),
        ("post", "hide", "forum:post_hide", "reply", {}),
        ("post", "pin", "forum:post_pin", "reply", {"pin": "1"}),
    ],
)
def test_admin_actions_write_the_same_log_entries_as_the_page_buttons(
    client, request, admin_user, model, action, page_url, target, data
):
    obj = request.getfixturevalue(target)
    client.force_login(admin_user)
    assert client.post(reverse(page_url, args=[obj.pk]), data).status_code == 302
    from_page = log_entries()
    ModerationLog.objects.all().delete()
    type(obj).objects.filter(pk=obj.pk).update(
        **{"topic": {"is_locked": False, "is_sticky": False}, "post": {"pinned_at": None}}[model]
    )
    if action == "hide":
        obj.restore(by=admin_user)
        ModerationLog.objects.all().delete()
    response = run_action(client, model, action, obj)
    assert response.status_code == 200
    assert log_entries() == from_page
    assert len(from_page) == 1


def test_admin_unlock_and_restore_log_like_the_pages(client, admin_user, topic, reply):
    topic.lock(by=admin_user)
    reply.hide(by=admin_user)
    client.force_login(admin_user)
    run_action(client, "topic", "unlock", topic)
    run_action(client, "post", "restore", reply)
    assert not Topic.objects.get(pk=topic.pk).is_locked
    assert not Post.objects.get(pk=reply.pk).is_hidden
    assert Topic.objects.get(pk=topic.pk).post_count == 2
    assert [e[0] for e in log_entries()] == ["lock", "hide", "unlock", "restore"]


def test_an_admin_can_find_and_hide_a_flagged_post(client, admin_user, topic, reply, participant):
    make_reply(topic, subject="Unflagged")
    reply.flag(by=participant, reason=Flag.Reason.ABUSE)
    client.force_login(admin_user)
    listing = client.get(reverse("admin:forum_post_changelist"), {"flagged": "open"})
    assert "My experience" in listing.content.decode()
    assert "Unflagged" not in listing.content.decode()
    flag = Flag.objects.get()
    run_action(client, "flag", "hide_posts", flag)
    reply.refresh_from_db()
    flag.refresh_from_db()
    assert reply.is_hidden and flag.status == Flag.Status.HIDDEN
    assert [e[0] for e in log_entries()] == ["hide", "flag_resolved"]
    assert Topic.objects.get(pk=topic.pk).post_count == 2  # opening post + "Unflagged"


def test_admin_can_dismiss_flags(client, admin_user, reply, participant):
    flag = reply.flag(by=participant, reason=Flag.Reason.SPAM)
    client.force_login(admin_user)
    run_action(client, "flag", "dismiss", flag)
    flag.refresh_from_db()
    assert flag.status == Flag.Status.DISMISSED
    assert not Post.objects.get(pk=reply.pk).is_hidden


@pytest.mark.parametrize(
    "params, shown, not_shown",
    [
        ({"is_hidden__exact": "1"}, "Hidden one", "Pinned one"),
        ({"pinned": "yes"}, "Pinned one", "Hidden one"),
        ({"q": "needle"}, "Pinned one", "Hidden one"),
    ],
)
def test_post_admin_filters_and_search(client, admin_user, topic, params, shown, not_shown):
    hidden = make_reply(topic, subject="Hidden one")
    pinned = make_reply(topic, subject="Pinned one", body="the needle is here")
    hidden.hide(by=admin_user)
    pinned.pin(by=admin_user)
    client.force_login(admin_user)
    content = client.get(reverse("admin:forum_post_changelist"), params).content.decode()
    assert shown in content and not_shown not in content


def test_editing_a_post_in_the_admin_keeps_a_revision_and_logs_it(client, admin_user, reply):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:forum_post_change", args=[reply.pk]),
        {"subject": reply.subject, "body": "Corrected in the admin."},
    )
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.body == "Corrected in the admin." and "Corrected" in reply.body_html
    assert PostRevision.objects.get().body == "Original text."
    assert ModerationLog.objects.get().action == "edit"


def test_moderators_use_the_admin_actions_within_their_permissions(client, moderator, reply):
    client.force_login(moderator)
    run_action(client, "post", "hide", reply)
    assert Post.objects.get(pk=reply.pk).is_hidden
    assert ModerationLog.objects.get().actor == moderator


def test_the_opening_post_is_skipped_by_the_hide_action(client, admin_user, topic):
    client.force_login(admin_user)
    response = run_action(client, "post", "hide", topic.opening_post)
    assert "1 item was skipped" in response.content.decode()
    assert not Post.objects.get(pk=topic.opening_post_id).is_hidden


def test_assigning_a_facilitator_in_the_admin_is_logged(client, admin_user, category):
    person = make_user("newfac")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:forum_facilitatorassignment_add"),
        {
            "user": person.pk,
            "category": category.pk,
            "topic": "",
            "created_at_0": "",
            "created_at_1": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assignment = FacilitatorAssignment.objects.get(user=person)
    entry = ModerationLog.objects.get()
    assert (entry.action, entry.user) == ("role_changed", person)
    client.post(
        reverse("admin:forum_facilitatorassignment_delete", args=[assignment.pk]), {"post": "yes"}
    )
    assert not FacilitatorAssignment.objects.filter(user=person).exists()
    assert ModerationLog.objects.filter(action="role_changed", user=person).count() == 2


def test_the_moderation_log_is_read_only_in_the_admin(client, admin_user, topic):
    topic.lock(by=admin_user, reason="Read only please")
    entry = ModerationLog.objects.get()
    client.force_login(admin_user)
    listing = client.get(reverse("admin:forum_moderationlog_changelist"))
    assert listing.status_code == 200 and "Read only please" in listing.content.decode()
    assert client.get(reverse("admin:forum_moderationlog_add")).status_code == 403
    client.post(
        reverse("admin:forum_moderationlog_change", args=[entry.pk]), {"reason": "rewritten"}
    )
    assert ModerationLog.objects.get().reason == "Read only please"
    client.post(reverse("admin:forum_moderationlog_delete", args=[entry.pk]), {"post": "yes"})
    assert ModerationLog.objects.count() == 1


def test_topics_are_not_added_from_the_admin(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:forum_topic_add")).status_code == 403
    make_topic()  # the pages are the way in
    assert Topic.objects.count() == 1


def test_posts_are_hidden_not_deleted_from_the_admin(client, admin_user, reply):
    client.force_login(admin_user)
    response = client.post(reverse("admin:forum_post_delete", args=[reply.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Post.objects.filter(pk=reply.pk).exists()


def test_post_admin_filters_by_author(client, admin_user, topic, reply):
    make_reply(topic, subject="Someone else's")
    client.force_login(admin_user)
    response = client.get(
        reverse("admin:forum_post_changelist"), {"author__id__exact": reply.author_id}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "My experience" in content and "Someone else" not in content


def test_the_back_office_pages_open(client, admin_user, topic, reply, participant):
    flag = reply.flag(by=participant, reason=Flag.Reason.SPAM)
    topic.lock(by=admin_user)
    reply.edit(by=admin_user, subject="S", body="B")
    client.force_login(admin_user)
    for url in [
        reverse("admin:forum_topic_change", args=[topic.pk]),
        reverse("admin:forum_post_change", args=[reply.pk]),
        reverse("admin:forum_flag_changelist"),
        reverse("admin:forum_flag_change", args=[flag.pk]),
        reverse("admin:forum_moderationlog_change", args=[ModerationLog.objects.first().pk]),
        reverse("admin:forum_postrevision_changelist"),
        reverse("admin:forum_facilitatorassignment_changelist"),
        reverse("admin:forum_facilitatorassignment_add"),
    ]:
        assert client.get(url).status_code == 200, url


def test_making_someone_a_moderator_in_the_user_admin_is_logged(client, admin_user, participant):
    from forum.management.commands.setup_roles import MODERATORS, setup_roles

    moderators = setup_roles()[MODERATORS]
    client.force_login(admin_user)
    page = client.get(reverse("admin:accounts_user_change", args=[participant.pk]))
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in {
            **form.initial,
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        }.items()
        if value is not None
        and name not in ("password", "groups", "user_permissions", "last_login", "date_joined")
    }
    data.update({"groups": [moderators.pk], "is_staff": "on", "is_active": "on"})

    response = client.post(reverse("admin:accounts_user_change", args=[participant.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = ModerationLog.objects.get(action=ModerationLog.Action.ROLE_CHANGED)
    assert entry.actor == admin_user and entry.user == participant
    assert "Moderators" in entry.reason and "is_staff: False → True" in entry.reason
