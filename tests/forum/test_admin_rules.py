"""The admin follows the pages' rules, for those it lets in: what an allowed
role does there succeeds and is logged like the same action on the pages,
and the per-object rules hold (the refusals of every door are walked in
tests/test_every_door.py)."""

from datetime import timedelta

import pytest
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from django.utils import timezone

from accounts.models import DeletionMode
from dialogues.models import ConversationLeader, OutgoingEmail
from forum.management.commands.setup_roles import MODERATORS, setup_roles
from forum.models import Category, FacilitatorAssignment, ModerationLog, Post, Topic, TopicRead
from tests.factories import (
    make_category,
    make_dialogue,
    make_facilitator,
    make_topic,
    make_user,
    with_mfa,
)

pytestmark = pytest.mark.django_db


def staff_facilitator(username, category):
    """A facilitator of `category` made staff, with the Moderators' model
    permissions but not their role (forum.moderate_forum)."""
    user = make_facilitator(username, category=category, is_staff=True)
    moderators = setup_roles()[MODERATORS]
    user.user_permissions.set(
        moderators.permissions.exclude(codename__in=["moderate_forum", "suspend_user"])
    )
    return user


def change_topic(client, topic, **changes):
    data = {"title": topic.title, "category": topic.category_id, "author": topic.author_id}
    return client.post(reverse("admin:forum_topic_change", args=[topic.pk]), data | changes)


def change_post(client, post, body):
    url = reverse("admin:forum_post_change", args=[post.pk])
    return client.post(url, {"subject": post.subject, "body": body})


def logged(action, **fields):
    return list(ModerationLog.objects.filter(action=action, **fields))


def test_a_moderator_edits_someones_post_in_the_admin_and_it_is_logged(client, moderator, reply):
    client.force_login(moderator)
    assert change_post(client, reply, "Fixed by a moderator.").status_code == 302
    reply.refresh_from_db()
    assert reply.body == "Fixed by a moderator."
    assert reply.revisions.get().body == "Original text."
    [entry] = logged(ModerationLog.Action.EDIT, post=reply)
    assert entry.actor == moderator


def test_a_staff_facilitator_edits_posts_of_their_category_in_the_admin_and_nowhere_else(
    client, category, reply
):
    elsewhere = make_category("Elsewhere", slug="elsewhere")
    client.force_login(staff_facilitator("staffac", elsewhere))
    assert change_post(client, reply, "Not theirs to change.").status_code == 403
    assert Post.objects.get(pk=reply.pk).body == "Original text."

    client.force_login(staff_facilitator("ownfac", category))
    assert change_post(client, reply, "Theirs to change.").status_code == 302
    assert Post.objects.get(pk=reply.pk).body == "Theirs to change."
    assert len(logged(ModerationLog.Action.EDIT, post=reply)) == 1


def test_renaming_a_topic_in_the_admin_renames_its_opening_post_and_logs_both_titles(
    client, moderator, topic
):
    client.force_login(moderator)
    response = change_topic(client, topic, title="What have we learned together?")
    assert response.status_code == 302
    topic.refresh_from_db()
    opening = topic.opening_post
    assert topic.title == opening.subject == "What have we learned together?"
    assert topic.slug == "what-have-we-learned-together"
    assert opening.revisions.get().subject == "What have you learned?"
    [entry] = logged(ModerationLog.Action.EDIT_TOPIC, topic=topic)
    assert entry.actor == moderator
    assert entry.reason == "title: “What have you learned?” → “What have we learned together?”"
    # The topic page says the new title, its link the new slug.
    assert "What have we learned together?" in client.get(topic.get_absolute_url()).content.decode()


def test_a_moderator_moves_a_topic_and_the_log_says_from_where(
    client, moderator, topic, other_category
):
    client.force_login(moderator)
    assert change_topic(client, topic, category=other_category.pk).status_code == 302
    assert Topic.objects.get(pk=topic.pk).category == other_category
    [entry] = logged(ModerationLog.Action.EDIT_TOPIC, topic=topic)
    assert entry.reason == "category: Practitioner dialogues → Open questions"


def test_a_staff_facilitator_renames_their_topics_but_cannot_move_them_or_change_authors(
    client, category, topic, other_category, participant
):
    client.force_login(staff_facilitator("staffac", category))
    form = client.get(reverse("admin:forum_topic_change", args=[topic.pk])).content.decode()
    assert 'name="title"' in form
    assert 'name="category"' not in form and 'name="author"' not in form

    response = change_topic(
        client, topic, title="Renamed", category=other_category.pk, author=participant.pk
    )

    assert response.status_code == 302
    topic.refresh_from_db()
    assert (topic.title, topic.category, topic.author.username) == (
        "Renamed",
        category,
        "facilitator",
    )
    [entry] = logged(ModerationLog.Action.EDIT_TOPIC, topic=topic)
    assert entry.reason.startswith("title: ") and "category" not in entry.reason


def test_only_superusers_give_a_topic_another_author_and_it_is_logged(
    client, moderator, admin_user, topic, participant
):
    former = topic.author_id
    client.force_login(moderator)
    change_topic(client, topic, author=participant.pk)
    assert Topic.objects.get(pk=topic.pk).author_id == former

    client.force_login(admin_user)
    assert change_topic(client, topic, author=participant.pk).status_code == 302
    topic.refresh_from_db()
    assert topic.author == participant == topic.opening_post.author
    [entry] = logged(ModerationLog.Action.EDIT_TOPIC, topic=topic)
    # Account numbers, not names: the log outlives an account's deletion.
    assert (entry.actor, entry.reason) == (admin_user, f"author: #{former} → #{participant.pk}")


def test_a_suspended_superuser_loses_the_admin_until_reinstated(client, admin_user, moderator):
    admin_user.suspend(timezone.now() + timedelta(days=2), "Account under review.", by=moderator)
    client.force_login(admin_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 403
    assert "Account under review. The admin is closed to you" in response.content.decode()

    admin_user.unsuspend(by=moderator)
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_member_who_is_not_staff_is_told_where_their_tools_are(client, facilitator):
    client.force_login(facilitator)
    for url in (reverse("admin:index"), reverse("admin:forum_post_changelist")):
        response = client.get(url)
        assert response.status_code == 403
        assert "The admin is for staff only" in response.content.decode()


def test_leaders_added_and_removed_in_the_admin_are_logged(client, admin_user, topic, participant):
    now = timezone.now()
    dialogue = make_dialogue(topic, opens_at=now, closes_at=now + timedelta(days=3))
    url = reverse("admin:dialogues_dialogue_change", args=[dialogue.pk])
    data = {
        "summary": "",
        "survey_url": "",
        "leaders-TOTAL_FORMS": "1",
        "leaders-INITIAL_FORMS": "0",
        "leaders-0-user": participant.pk,
        "leaders-0-intro": "Runs a legal clinic.",
    }
    client.force_login(admin_user)
    assert client.post(url, data).status_code == 302
    leader = ConversationLeader.objects.get(dialogue=dialogue)
    [added] = logged(ModerationLog.Action.LEADER_ADDED, topic=topic)
    assert (added.user, added.reason) == (participant, "Runs a legal clinic.")

    data |= {
        "leaders-INITIAL_FORMS": "1",
        "leaders-0-id": leader.pk,
        "leaders-0-dialogue": dialogue.pk,
        "leaders-0-DELETE": "on",
    }
    assert client.post(url, data).status_code == 302
    assert not ConversationLeader.objects.filter(dialogue=dialogue).exists()
    assert logged(ModerationLog.Action.LEADER_REMOVED, topic=topic, user=participant)


def test_a_facilitator_of_another_series_cannot_edit_the_dialogue_in_the_admin(
    client, topic, other_category
):
    now = timezone.now()
    dialogue = make_dialogue(topic, opens_at=now, closes_at=now + timedelta(days=3))
    user = staff_facilitator("staffac", other_category)
    user.user_permissions.add(*Permission.objects.filter(codename__endswith="_dialogue"))
    client.force_login(user)
    url = reverse("admin:dialogues_dialogue_change", args=[dialogue.pk])
    data = {"summary": "Rewritten", "survey_url": "", "leaders-TOTAL_FORMS": "0"}
    data["leaders-INITIAL_FORMS"] = "0"
    assert client.post(url, data).status_code == 403
    dialogue.refresh_from_db()
    assert dialogue.summary == ""


def test_deleting_a_category_in_the_admin_revokes_its_facilitators_in_the_log(client, admin_user):
    empty = make_category("Empty", slug="empty")
    person = make_facilitator("fac", category=empty)
    client.force_login(admin_user)
    url = reverse("admin:forum_category_delete", args=[empty.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Category.objects.filter(pk=empty.pk).exists()
    assert not FacilitatorAssignment.objects.filter(user=person).exists()
    [entry] = logged(ModerationLog.Action.ROLE_CHANGED, user=person)
    assert entry.reason == "No longer facilitator of Empty"


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:dialogues_outgoingemail_changelist",
        "admin:dialogues_subscription_changelist",
        "admin:dialogues_notificationpreference_changelist",
        "admin:account_emailaddress_changelist",
        "admin:mfa_authenticator_changelist",
        "admin:usersessions_usersession_changelist",
        "admin:django_tasks_database_dbtaskresult_changelist",
        "admin:auth_group_changelist",
    ],
)
def test_private_records_and_roles_are_for_superusers_only(client, moderator, admin_user, url_name):
    client.force_login(moderator)
    assert client.get(reverse(url_name)).status_code == 403
    client.force_login(admin_user)
    assert client.get(reverse(url_name)).status_code == 200


def test_emails_are_read_in_the_admin_never_rewritten(client, admin_user, participant):
    email = OutgoingEmail.objects.create(
        recipient=participant, to=participant.email, subject="A reply", text="Someone replied."
    )
    client.force_login(admin_user)
    url = reverse("admin:dialogues_outgoingemail_change", args=[email.pk])
    page = client.get(url).content.decode()
    assert "Someone replied." in page and 'name="text"' not in page
    assert client.post(url, {"to": "attacker@example.org", "text": "x"}).status_code == 403
    assert OutgoingEmail.objects.get(pk=email.pk).to == participant.email


def test_the_admin_never_shows_a_second_factor_secret(client, admin_user):
    authenticator = Authenticator.objects.get(user=admin_user)
    stored = authenticator.data["secret"]
    secret = get_adapter().decrypt(stored)
    client.force_login(admin_user)
    url = reverse("admin:mfa_authenticator_change", args=[authenticator.pk])
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert secret not in page and stored not in page


def test_deleting_a_session_in_the_admin_signs_that_browser_out(client, admin_user, participant):
    store = SessionStore()
    store.create()
    session = UserSession.objects.create(
        user=participant, ip="127.0.0.1", session_key=store.session_key, user_agent="test"
    )
    client.force_login(admin_user)
    url = reverse("admin:usersessions_usersession_delete", args=[session.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not UserSession.objects.filter(pk=session.pk).exists()
    assert not SessionStore().exists(store.session_key)


def test_only_superusers_change_staff_accounts_and_roles(client, moderator, participant):
    editor = make_user("editor", is_staff=True)
    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user", "moderate_forum"])
    )
    with_mfa(editor)
    client.force_login(editor)
    # A member's profile, yes; their roles, and other staff, no.
    page = client.get(reverse("admin:accounts_user_change", args=[participant.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="display_name"' in content
    assert 'name="is_superuser"' not in content and 'name="groups"' not in content
    response = client.post(
        reverse("admin:accounts_user_change", args=[moderator.pk]),
        {"username": "moderator", "is_superuser": "on"},
    )
    assert response.status_code == 403
    moderator.refresh_from_db()
    assert not moderator.is_superuser
    password = reverse("admin:auth_user_password_change", args=[moderator.pk])
    assert client.post(password, {"password1": "x" * 20, "password2": "x" * 20}).status_code == 403


def test_a_moderator_suspends_from_the_admin_and_it_is_logged(client, moderator, participant):
    client.force_login(moderator)
    day = (timezone.localdate() + timedelta(days=5)).isoformat()
    data = {
        "action": "suspend_users",
        ACTION_CHECKBOX_NAME: [participant.pk],
        "apply": "1",
        "until": day,
        "reason": "Spam",
    }
    assert client.post(reverse("admin:accounts_user_changelist"), data).status_code == 302
    participant.refresh_from_db()
    assert participant.is_suspended()
    [entry] = logged(ModerationLog.Action.SUSPEND, user=participant)
    assert entry.actor == moderator


def test_a_facilitator_without_a_second_factor_moderates_nothing_even_where_no_page_asks(
    client, category, reply, settings
):
    settings.FORUM_STAFF_REQUIRE_MFA = True
    client.force_login(make_facilitator("nomfa", category=category, mfa=False))
    # Editing posts is not behind the staff 2FA page (members edit their own):
    # the rule book itself refuses the facilitator's power.
    response = client.post(
        reverse("forum:post_edit", args=[reply.pk]), {"subject": "S", "body": "Rewritten."}
    )
    assert response.status_code == 403
    assert Post.objects.get(pk=reply.pk).body == "Original text."


def test_what_each_person_read_is_not_in_the_admin(topic):
    assert TopicRead not in admin.site._registry


def test_a_staff_facilitator_does_not_read_posts_removed_outside_their_scope(
    client, moderator, topic, reply, other_category
):
    reply.hide(by=moderator, reason="Doxxing")
    client.force_login(staff_facilitator("staffac", other_category))
    listing = client.get(reverse("admin:forum_post_changelist")).content.decode()
    assert "What have you learned?" in listing and "My experience" not in listing
    response = client.get(reverse("admin:forum_post_change", args=[reply.pk]))
    assert response.status_code == 302  # "does not exist", as for any post out of reach
    assert "Original text." not in client.get(response["Location"]).content.decode()


def test_deleting_an_account_with_its_text_removes_the_titles_from_admin_renames(
    client, moderator, category, participant
):
    topic = make_topic(category=category, author=participant, title="Zebra marker title")
    client.force_login(moderator)
    change_topic(client, topic, title="Renamed by a moderator")
    participant.delete_account(DeletionMode.REMOVE)
    [entry] = logged(ModerationLog.Action.EDIT_TOPIC, topic=topic)
    assert "Zebra marker" not in entry.reason and entry.actor == moderator
