"""Signup tells no one whether an address has an account, not even by how
long it takes; passwords are at least 12 characters and not common."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client

# allauth's emails leave after the request's commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

SIGNUP = {
    "username": "newcomer",
    "password1": "a-fresh-long-password",
    "password2": "a-fresh-long-password",
}


class CountingHasher(MD5PasswordHasher):
    """Counts the hashing work: the part of signup that takes time."""

    algorithm = "counting_md5"
    calls = 0

    def encode(self, password, salt):
        type(self).calls += 1
        return super().encode(password, salt)


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CountingHasher.calls = 0
    return CountingHasher


def _signup(email, mailoutbox):
    """Sign up from a fresh browser; returns what it saw and what it cost."""
    client = Client()
    before_hashes, before_mails = CountingHasher.calls, len(mailoutbox)
    response = client.post("/accounts/signup/", SIGNUP | {"email": email})
    page = client.get(response["Location"])
    return {
        "status": response.status_code,
        "location": response["Location"],
        "body": response.content,
        "next_status": page.status_code,
        # The CSRF token differs per browser, and the page names the address
        # typed; nothing else may differ.
        "next_page": re.sub(r'value="[^"]{64}"', "", page.content.decode()).replace(email, "@"),
        "hashes": CountingHasher.calls - before_hashes,
        "mails": len(mailoutbox) - before_mails,
    }


def test_signup_does_the_same_work_for_a_known_and_a_new_address(
    member, counting_hasher, mailoutbox
):
    known = _signup("member@example.org", mailoutbox)
    get_user_model().objects.filter(username="newcomer").delete()  # none was made
    new = _signup("brand-new@example.org", mailoutbox)

    assert new["hashes"] == known["hashes"] == 1
    assert new["mails"] == known["mails"] == 1
    assert mailoutbox[0].to == ["member@example.org"]
    assert mailoutbox[1].to == ["brand-new@example.org"]
    assert known["status"] == new["status"] == 302
    assert known["location"] == new["location"] == "/accounts/confirm-email/"
    assert known["body"] == new["body"]
    assert known["next_status"] == new["next_status"] == 200
    assert known["next_page"] == new["next_page"]
    assert get_user_model().objects.filter(username="newcomer").count() == 1


def test_an_eleven_character_password_is_refused_with_a_clear_message(client, db):
    response = client.post(
        "/accounts/signup/",
        {"email": "short@example.org", "username": "shorty", "password1": "k7#wq-Lp2zX", "password2": "k7#wq-Lp2zX"},
    )  # fmt: skip
    assert response.status_code == 200
    page = response.content.decode()
    assert "This password is too short. It must contain at least 12 characters." in page
    # What was typed stays, except the password.
    assert 'value="short@example.org"' in page
    assert not get_user_model().objects.filter(username="shorty").exists()


def test_a_twelve_character_password_is_accepted(client, db):
    response = client.post(
        "/accounts/signup/",
        {"email": "ok@example.org", "username": "twelve", "password1": "k7#wq-Lp2zXm", "password2": "k7#wq-Lp2zXm"},
    )  # fmt: skip
    assert response.status_code == 302
    assert get_user_model().objects.filter(username="twelve").exists()


def test_a_long_but_common_password_is_still_refused(client, db):
    response = client.post(
        "/accounts/signup/",
        {"email": "c@example.org", "username": "common", "password1": "qwerty123456", "password2": "qwerty123456"},
    )  # fmt: skip
    assert "This password is too common." in response.content.decode()
    assert not get_user_model().objects.filter(username="common").exists()


def test_the_signup_page_says_how_long_a_password_must_be(client, db):
    page = client.get("/accounts/signup/").content.decode()
    assert "at least 12 characters" in page
