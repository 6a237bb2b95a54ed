import json

import pytest
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session

from accounts.models import REMOVED_TEXT
from dialogues.models import Subscription
from forum.models import Post, PostRevision
from tests.accounts.conftest import log_in, reauthenticate
from tests.factories import PASSWORD, make_reply


@pytest.fixture
def conversation(topic, member, other_participant):
    """member replies to the topic, other replies to member, member replies back."""
    mine = make_reply(topic, author=member, body="My secret-ish **reply**")
    theirs = make_reply(topic, parent=mine, author=other_participant, body="Their answer")
    mine_again = make_reply(topic, parent=theirs, author=member, body="My second word")
    return {"mine": mine, "theirs": theirs, "mine_again": mine_again}


def test_export_contains_my_posts_source_and_nothing_of_others(client, member, conversation, topic):
    log_in(client, "member")
    response = client.get("/u/me/data/download/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    reauthenticate(client)
    response = client.get("/u/me/data/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my-forum-data.json"'
    data = json.loads(response.content)
    assert data["profile"]["username"] == "member"
    assert data["profile"]["display_name"] == "Mira Member"
    bodies = [post["body"] for post in data["posts"]]
    assert bodies == ["My secret-ish **reply**", "My second word"]
    assert "Their answer" not in response.content.decode()
    assert "other@example.org" not in response.content.decode()
    assert data["email_addresses"] == [
        {"email": "member@example.org", "verified": True, "primary": True}
    ]
    assert len(data["sessions"]) == 1
    # Posting followed the topic.
    assert [(s["topic"], s["subscribed"]) for s in data["subscriptions"]] == [(topic.title, True)]
    assert data["notification_preferences"]["email_enabled"] is True


def test_export_needs_login(client, db):
    assert client.get("/u/me/data/download/").status_code == 302


def test_deleting_an_account_asks_for_the_password_first(client, member):
    client.force_login(member)
    response = client.get("/u/me/delete/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    response = client.post("/u/me/delete/", {"mode": "keep", "confirm": "on"})
    assert response["Location"].startswith("/accounts/reauthenticate/")
    member.refresh_from_db()
    assert member.is_active


def test_the_confirmation_page_says_deletion_is_irreversible(client, member):
    log_in(client, "member")
    reauthenticate(client)
    page = client.get("/u/me/delete/").content.decode()
    assert "permanent and cannot be undone" in page


def test_deletion_must_be_confirmed_and_a_mode_chosen(client, member):
    log_in(client, "member")
    reauthenticate(client)
    response = client.post("/u/me/delete/", {})
    assert response.status_code == 200
    assert response.content.decode().count("This field is required.") == 2
    member.refresh_from_db()
    assert member.is_active


def _delete(client, mode):
    log_in(client, "member")
    reauthenticate(client)
    response = client.post("/u/me/delete/", {"mode": mode, "confirm": "on"})
    assert response.status_code == 302
    return response


def _assert_personal_data_erased(member):
    member.refresh_from_db()
    assert member.username == f"deleted-{member.pk}"
    assert member.public_name == "Former participant"
    assert member.email == ""
    assert not member.is_active
    assert not member.has_usable_password()
    assert not EmailAddress.objects.filter(user=member).exists()
    assert not UserSession.objects.filter(user=member).exists()
    assert not EmailAddress.objects.filter(email="member@example.org").exists()


def _tree(topic):
    return list(Post.objects.filter(topic=topic).values_list("pk", "parent_id", "path", "depth"))


def test_delete_keeping_posts_attributes_them_to_former_participant(
    client, member, topic, conversation
):
    tree_before = _tree(topic)
    _delete(client, "keep")
    _assert_personal_data_erased(member)
    assert "_auth_user_id" not in client.session
    assert Session.objects.count() == 0

    mine = Post.objects.get(pk=conversation["mine"].pk)
    assert mine.body == "My secret-ish **reply**"
    assert mine.author_id == member.pk
    assert Post.objects.get(pk=conversation["theirs"].pk).body == "Their answer"
    assert _tree(topic) == tree_before

    page = client.get(topic.get_absolute_url()).content.decode()
    assert "Former participant" in page
    assert "Mira Member" not in page
    assert f"/u/deleted-{member.pk}/" not in page  # no link to a profile that is gone
    assert "Their answer" in page
    # The old login no longer works.
    log_in(client, "member@example.org", PASSWORD)
    assert "_auth_user_id" not in client.session


def test_delete_removing_text_keeps_replies_in_place(client, member, topic, conversation):
    conversation["mine"].edit(by=member, subject="Edited", body="An earlier private draft")
    tree_before = _tree(topic)
    _delete(client, "remove")
    assert not PostRevision.objects.filter(post__author=member).exists()
    assert not Subscription.objects.filter(user=member).exists()
    _assert_personal_data_erased(member)

    for key in ("mine", "mine_again"):
        post = Post.objects.get(pk=conversation[key].pk)
        assert post.body == REMOVED_TEXT
        assert "removed at the author" in post.body_html
        assert "secret-ish" not in post.body_html
    theirs = Post.objects.get(pk=conversation["theirs"].pk)
    assert theirs.body == "Their answer"
    assert theirs.parent_id == conversation["mine"].pk
    assert _tree(topic) == tree_before
    # Other people's posts, including the facilitator's opening post, are untouched.
    assert topic.opening_post.body == Post.objects.get(pk=topic.opening_post.pk).body

    page = client.get(topic.get_absolute_url()).content.decode()
    assert "secret-ish" not in page
    assert "Their answer" in page


def test_a_deleted_members_profile_is_gone_and_their_name_is_free(client, member, conversation):
    _delete(client, "keep")
    assert client.get("/u/member/").status_code == 404
    new = get_user_model().objects.create_user("newbie", display_name="Mira Member")
    assert new.display_name == "Mira Member"


def test_posts_store_no_ip_address():
    from django.db import models

    for model in (Post,):
        assert not any(
            isinstance(field, models.GenericIPAddressField) for field in model._meta.get_fields()
        )
