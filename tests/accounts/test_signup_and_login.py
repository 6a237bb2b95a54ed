import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from tests.accounts.conftest import log_in
from tests.factories import PASSWORD, emailed_code

# allauth's emails leave after the request's commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

SIGNUP = {
    "email": "new@example.org",
    "username": "newcomer",
    "password1": "a-fresh-long-password",
    "password2": "a-fresh-long-password",
}


def test_signup_sends_a_code_and_the_account_works_only_after_verification(client, db, mailoutbox):
    response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = get_user_model().objects.get(username="newcomer")
    assert not EmailAddress.objects.get(user=user).verified
    # Not logged in yet: the home page still offers "Log in".
    assert "_auth_user_id" not in client.session

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new@example.org"]
    code = emailed_code(mailoutbox[0])

    response = client.post("/accounts/confirm-email/", {"code": code})
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)

    client.post("/accounts/logout/")
    response = log_in(client, "new@example.org", "a-fresh-long-password")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_wrong_verification_code_is_refused(client, db, mailoutbox):
    client.post("/accounts/signup/", SIGNUP)
    response = client.post("/accounts/confirm-email/", {"code": "WRONG1"})
    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert not EmailAddress.objects.get(email="new@example.org").verified


def test_unverified_member_cannot_log_in_until_they_enter_the_code(client, db, mailoutbox):
    from tests.factories import make_user

    make_user("unverified", email="unverified@example.org")
    response = log_in(client, "unverified")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    assert len(mailoutbox) == 1


def test_login_by_username_and_by_email(client, member):
    assert log_in(client, "member").status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)
    client.post("/accounts/logout/")
    assert log_in(client, "member@example.org").status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_logout_needs_a_post(client, member):
    client.force_login(member)
    response = client.get("/accounts/logout/")
    assert response.status_code == 200  # a confirmation page, not a logout
    assert client.session["_auth_user_id"] == str(member.pk)
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_login_by_emailed_code(client, member, mailoutbox):
    response = client.post("/accounts/login/code/", {"email": "member@example.org"})
    assert response.status_code == 302
    code = re.search(r"browser window\.\s+(\S+)", mailoutbox[0].body)
    code = code.group(1) if code else mailoutbox[0].body.split()[-1]
    client.post("/accounts/login/code/confirm/", {"code": code})
    assert client.session["_auth_user_id"] == str(member.pk)


def test_repeated_wrong_passwords_lock_the_login_even_with_the_right_one(client, member, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/5m/key"}
    for _attempt in range(3):
        response = log_in(client, "member", "not-the-password")
        assert response.status_code == 200
        assert "not correct" in response.content.decode()
    response = log_in(client, "member", PASSWORD)
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_does_not_reveal_whether_an_account_exists(client, member, mailoutbox):
    known = client.post("/accounts/password/reset/", {"email": "member@example.org"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    page_known = client.get(known["Location"]).content.decode()
    page_unknown = client.get(unknown["Location"]).content.decode()
    # Alike but for the CSRF token of the footer's language menu, masked anew each time.
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert csrf.sub("", page_known) == csrf.sub("", page_unknown)
    # Both addresses get a mail; only the real account's has a reset link.
    assert sorted(m.to[0] for m in mailoutbox) == ["member@example.org", "nobody@example.org"]


def test_signup_says_usernames_are_public_and_pseudonyms_are_fine(client, db):
    page = client.get("/accounts/signup/").content.decode()
    assert "A pseudonym is fine" in page


def test_signup_with_a_taken_email_does_not_reveal_the_account(client, member, mailoutbox):
    response = client.post("/accounts/signup/", SIGNUP | {"email": "member@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert not get_user_model().objects.filter(username="newcomer").exists()
    # The owner of the address is told instead.
    assert mailoutbox[0].to == ["member@example.org"]
