from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from forum.models import ModerationLog, Post
from forum.permissions import can_suspend
from tests.factories import make_user, with_mfa


def in_days(days):
    return timezone.now() + timedelta(days=days)


def test_suspended_member_gets_403_with_reason_and_end_date_when_replying(client, member, topic):
    until = in_days(10)
    member.suspend(until, "Repeated personal attacks", by=member)
    client.force_login(member)
    before = Post.objects.count()
    response = client.post(
        f"/p/{topic.opening_post.pk}/reply/", {"subject": "Re: x", "body": "My typed reply"}
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "Repeated personal attacks" in page
    assert until.strftime("%Y-%m-%d") in page
    assert "My typed reply" in page  # nothing typed is lost
    assert Post.objects.count() == before


def test_suspended_member_can_read_and_sees_a_banner(client, member, topic):
    member.suspend(in_days(3), "Cooling-off period", by=member)
    client.force_login(member)
    response = client.get(topic.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your account is suspended until" in page
    assert "Cooling-off period" in page


def test_suspension_ends_by_itself(member):
    member.suspend(in_days(1), "x", by=member)
    assert member.is_suspended()
    assert not member.is_suspended(now=in_days(2))


def test_moderator_suspends_from_the_profile_page(client, moderator, member):
    client.force_login(moderator)
    page = client.get("/u/member/").content.decode()
    assert 'action="/u/member/suspend/"' in page
    day = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = client.post("/u/member/suspend/", {"until": day, "reason": "Doxxing"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_suspended()
    assert member.suspension_reason == "Doxxing"
    assert timezone.localdate(member.suspended_until).isoformat() == day

    response = client.post("/u/member/reinstate/")
    member.refresh_from_db()
    assert not member.is_suspended()
    assert member.suspension_reason == ""

    log = ModerationLog.objects.order_by("pk")
    assert [(e.action, e.actor, e.user) for e in log] == [
        ("suspend", moderator, member),
        ("unsuspend", moderator, member),
    ]
    assert log[0].reason.startswith("Doxxing (until ")


def test_a_suspension_needs_a_reason_and_a_future_date(client, moderator, member):
    client.force_login(moderator)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post("/u/member/suspend/", {"until": yesterday, "reason": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a date in the future." in page
    assert "This field is required." in page
    member.refresh_from_db()
    assert member.suspended_until is None


def test_members_without_the_permission_cannot_suspend(client, member, other_participant):
    client.force_login(other_participant)
    assert 'action="/u/member/suspend/"' not in client.get("/u/member/").content.decode()
    day = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = client.post("/u/member/suspend/", {"until": day, "reason": "x"})
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.suspended_until is None


@pytest.mark.parametrize(
    ("target_fields", "actor_is_superuser", "allowed"),
    [
        ({}, False, True),
        ({"is_staff": True}, False, False),
        ({"is_staff": True}, True, True),
    ],
)
def test_only_superusers_can_suspend_staff(db, target_fields, actor_is_superuser, allowed):
    actor = with_mfa(make_user(is_superuser=actor_is_superuser))
    actor.user_permissions.add(Permission.objects.get(codename="suspend_user"))
    actor = type(actor).objects.get(pk=actor.pk)  # fresh permission cache
    target = make_user(**target_fields)
    assert can_suspend(actor, target) is allowed
    assert can_suspend(actor, actor) is False


def test_admin_action_suspends_the_selected_users(client, staff_member, member, settings):
    settings.FORUM_STAFF_REQUIRE_MFA = False
    client.force_login(staff_member)
    day = (timezone.localdate() + timedelta(days=5)).isoformat()
    data = {"action": "suspend_users", "_selected_action": [member.pk]}
    response = client.post("/admin/accounts/user/", data)
    assert response.status_code == 200
    assert "Suspend users" in response.content.decode()
    response = client.post(
        "/admin/accounts/user/", data | {"apply": "1", "until": day, "reason": "Spam"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_suspended()
    assert member.suspension_reason == "Spam"


def test_admin_user_list_filters(client, staff_member, member, other_participant, settings):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    settings.FORUM_STAFF_REQUIRE_MFA = False
    member.suspend(in_days(2), "x", by=staff_member)
    TOTP.activate(other_participant, generate_totp_secret())
    client.force_login(staff_member)

    def usernames(query):
        response = client.get(f"/admin/accounts/user/?{query}")
        assert response.status_code == 200
        return {u.username for u in response.context["cl"].result_list}

    assert usernames("suspended=yes") == {"member"}
    assert usernames("mfa=yes") == {"other"}
    assert usernames("verified_email=yes") == {"member", "staffer"}
    assert usernames("verified_email=no") == {"other"}
    assert usernames("is_staff__exact=1") == {"staffer"}


def test_suspended_facilitator_cannot_start_a_topic(client, facilitator, category):
    from forum.models import Topic

    facilitator.suspend(in_days(2), "Pause", by=facilitator)
    client.force_login(facilitator)
    response = client.post(f"/c/{category.slug}/new/", {"title": "New dialogue", "body": "Welcome"})
    assert response.status_code == 403
    assert not Topic.objects.filter(title="New dialogue").exists()
