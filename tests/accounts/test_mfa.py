import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.http import HttpResponse
from django.test import RequestFactory

from forum.decorators import staff_mfa_required
from tests.accounts.conftest import log_in, reauthenticate


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_member_enrols_totp_and_gets_recovery_codes(client, member):
    client.force_login(member)
    response = client.get("/accounts/2fa/totp/activate/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    reauthenticate(client)
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    secret = client.session["mfa.totp.secret"]

    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert "Incorrect code" in response.content.decode()
    assert not Authenticator.objects.filter(user=member).exists()

    response = client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})
    assert response.status_code == 302
    types = set(Authenticator.objects.filter(user=member).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}


def test_login_with_totp_asks_for_the_code_before_logging_in(client, member):
    secret = generate_totp_secret()
    TOTP.activate(member, secret)

    response = log_in(client, "member")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session

    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert "_auth_user_id" not in client.session

    response = client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


@pytest.fixture
def require_mfa(settings):
    settings.FORUM_STAFF_REQUIRE_MFA = True


def test_admin_login_goes_through_allauth(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_staff_without_mfa_are_sent_to_set_it_up_before_the_admin(
    client, staff_member, require_mfa
):
    client.force_login(staff_member)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/"
    response = client.get("/admin/accounts/user/")
    assert response["Location"] == "/accounts/2fa/"
    page = client.get("/accounts/2fa/").content.decode()
    assert "Set up two-factor authentication before using the moderation tools." in page


def test_staff_with_mfa_use_the_admin(client, staff_member, require_mfa):
    TOTP.activate(staff_member, generate_totp_secret())
    client.force_login(staff_member)
    assert client.get("/admin/").status_code == 200


def test_staff_mfa_is_not_required_when_the_setting_is_off(client, staff_member, settings):
    settings.FORUM_STAFF_REQUIRE_MFA = False
    client.force_login(staff_member)
    assert client.get("/admin/").status_code == 200


def _moderation_view(request):
    return HttpResponse("moderation tools")


def test_moderators_without_mfa_are_sent_away_from_decorated_views(
    moderator, member, require_mfa, client
):
    from django.contrib.messages.storage.fallback import FallbackStorage

    Authenticator.objects.filter(user=moderator).delete()
    view = staff_mfa_required(_moderation_view)
    request = RequestFactory().get("/moderation/")
    request.user = moderator
    request.session = client.session
    request._messages = FallbackStorage(request)
    response = view(request)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/"

    TOTP.activate(moderator, generate_totp_secret())
    assert view(request).content == b"moderation tools"

    # Ordinary members are not asked: the view's own permission check decides.
    request.user = member
    assert view(request).content == b"moderation tools"
