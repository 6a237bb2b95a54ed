""" "Download my data" holds everything the site keeps about the member, and
can be downloaded a few times an hour."""

import json

import pytest
from django.test import Client

from forum.models import Flag
from tests.accounts.conftest import log_in, reauthenticate
from tests.factories import make_reply, make_user, verified


@pytest.fixture
def member_client(client, member):
    log_in(client, "member")
    reauthenticate(client)
    return client


def download(client):
    response = client.get("/u/me/data/download/")
    assert response.status_code == 200, response.content.decode()
    return json.loads(response.content)


def test_the_export_holds_my_flags_earlier_versions_and_hide_reasons(
    member_client, member, topic, moderator, other_participant
):
    mine = make_reply(topic, author=member, subject="First try", body="A draft I regret")
    mine.edit(by=member, subject="Second try", body="Better words")
    hidden = make_reply(topic, author=member, subject="Too much", body="Names a neighbour")
    hidden.hide(by=moderator, reason="It names a private person.")
    theirs = make_reply(topic, author=other_participant, body="Something rude")
    theirs.flag(by=member, reason=Flag.Reason.ABUSE, text="This insults a participant.")
    Flag.objects.get(flagger=member).resolve(by=moderator, hide=False, note="Not abuse.")

    data = download(member_client)

    [version] = data["earlier_versions_of_posts"]
    assert (version["post"], version["subject"], version["body"]) == (
        mine.pk,
        "First try",
        "A draft I regret",
    )
    assert version["written_at"] and version["replaced_at"]
    posts = {post["id"]: post for post in data["posts"]}
    assert posts[mine.pk]["subject"] == "Second try"
    assert posts[mine.pk]["hidden"] is False
    assert posts[hidden.pk]["hidden"] is True
    assert posts[hidden.pk]["hidden_reason"] == "It names a private person."
    [flag] = data["flags"]
    assert flag == {
        "post": theirs.pk,
        "reason": "abuse",
        "text": "This insults a participant.",
        "status": "dismissed",
        "created_at": flag["created_at"],
    }
    # Who moderated is not the member's data.
    text = json.dumps(data)
    assert "moderator" not in text.lower()
    assert "Not abuse." not in text
    assert "Something rude" not in text


def test_the_export_is_limited_per_member_to_a_few_an_hour(member_client, settings):
    settings.FORUM_DATA_EXPORTS_PER_HOUR = 2
    download(member_client)
    download(member_client)

    response = member_client.get("/u/me/data/download/")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many downloads" in page
    assert "You can download your data 2 times an hour." in page
    assert 'class="site-header"' in page
    assert response["Content-Type"].startswith("text/html")

    # Another member still can.
    verified(make_user("second"))
    other = Client()
    log_in(other, "second")
    reauthenticate(other)
    download(other)


def test_being_asked_for_the_password_does_not_count_as_a_download(client, member, settings):
    settings.FORUM_DATA_EXPORTS_PER_HOUR = 1
    log_in(client, "member")
    for _ in range(3):
        response = client.get("/u/me/data/download/")
        assert response["Location"].startswith("/accounts/reauthenticate/")
    reauthenticate(client)
    download(client)
    assert client.get("/u/me/data/download/").status_code == 429


def test_the_download_link_is_an_ordinary_link(member_client):
    # With a `download` attribute the browser would save the password page
    # as "download.html" when reauthentication is due (issue 9).
    page = member_client.get("/u/me/data/").content.decode()
    assert 'href="/u/me/data/download/"' in page
    assert " download>" not in page
    assert " download " not in page
