import zoneinfo

import pytest
from django.utils import timezone

from tests.factories import make_user

VALID = {
    "display_name": "Quiet Heron",
    "affiliation": "Open Practice Network",
    "role_line": "Online Community Builder",
    "bio": "I help groups talk.",
    "time_zone": "Asia/Tokyo",
    "language": "fr",
}


def edit(client, **changes):
    return client.post("/u/me/profile/", VALID | changes)


def test_member_edits_their_profile_and_it_shows_publicly(client, member):
    client.force_login(member)
    response = edit(client)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.display_name == "Quiet Heron"
    assert member.affiliation == "Open Practice Network"
    assert member.time_zone == "Asia/Tokyo"
    assert member.language == "fr"

    page = client.get("/u/member/").content.decode()
    for text in ("Quiet Heron", "Open Practice Network", "Online Community Builder", "I help"):
        assert text in page


def test_profile_edit_needs_login(client, db):
    response = client.get("/u/me/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_display_names_are_nfkc_normalised(client, member):
    client.force_login(member)
    edit(client, display_name="Ｆｕｌｌ\u00a0Width  Name")
    member.refresh_from_db()
    assert member.display_name == "Full Width Name"


@pytest.mark.parametrize(
    "name",
    [
        "Pat\u200bParticipant",  # zero-width space
        "Pat\u200dParticipant",  # zero-width joiner
        "\u202eeciffo",  # right-to-left override
        "Pat\u2066x\u2069",  # isolates
        "Pat\u200fx",  # right-to-left mark
        "Pat\u00adx",  # soft hyphen
        "Pat\u3164x",  # Hangul filler: a "letter" that shows as nothing
        "Pat\ufeffx",  # byte order mark / zero-width no-break space
    ],
)
def test_invisible_and_bidi_characters_in_display_names_are_refused(client, member, name):
    client.force_login(member)
    response = edit(client, display_name=name)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Names cannot contain" in page
    # What was typed elsewhere is kept.
    assert "Open Practice Network" in page
    member.refresh_from_db()
    assert member.display_name == "Mira Member"


def test_a_display_name_in_use_is_refused_whatever_its_case(client, member):
    make_user("someone", display_name="Quiet Heron")
    client.force_login(member)
    response = edit(client, display_name="QUIET heron")
    assert response.status_code == 200
    assert "Someone already uses this display name" in response.content.decode()
    member.refresh_from_db()
    assert member.display_name == "Mira Member"


def test_another_members_username_cannot_be_a_display_name(client, member):
    make_user("heron")
    client.force_login(member)
    response = edit(client, display_name="Heron")
    assert "another member" in response.content.decode()


def test_an_unknown_time_zone_is_refused(client, member):
    client.force_login(member)
    response = edit(client, time_zone="Mars/Olympus")
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.time_zone == ""


def test_times_are_shown_in_the_members_time_zone(client, member, topic):
    member.time_zone = "Asia/Tokyo"
    member.save()
    client.force_login(member)
    # The middleware activates the zone for the request.
    response = client.get("/u/facilitator/")
    created = topic.opening_post.created_at
    assert response.status_code == 200
    local = timezone.localtime(created, timezone=zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert local.isoformat()[:16] in response.content.decode()


def test_pages_use_the_members_preferred_language(client, member):
    member.language = "fr"
    member.save()
    client.force_login(member)
    page = client.get("/accounts/password/change/").content.decode()
    assert '<html lang="fr"' in page


def test_profile_lists_hidden_posts_only_to_their_author_and_moderators(
    client, member, other_participant, topic
):
    from tests.factories import make_moderator, make_reply

    shown = make_reply(topic, author=member, subject="Still visible")
    hidden = make_reply(topic, author=member, subject="Removed by a moderator")
    moderator = make_moderator("mod")
    hidden.hide(by=moderator, reason="Off topic")

    client.force_login(other_participant)
    page = client.get("/u/member/").content.decode()
    assert shown.subject in page and hidden.subject not in page
    for viewer in (member, moderator):
        client.force_login(viewer)
        assert hidden.subject in client.get("/u/member/").content.decode()
