"""Who facilitates a dialogue: the forum's roles."""

import pytest
from django.contrib.auth.models import AnonymousUser

from forum.permissions import can_facilitate
from tests.factories import make_facilitator, make_moderator, make_user


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda category: AnonymousUser(), False),
        (lambda category: make_user(), False),
        (lambda category: make_facilitator(category=category), True),
        (lambda category: make_facilitator(), False),  # facilitates another category
        (lambda category: make_moderator(), True),
        (lambda category: make_facilitator(category=category, is_active=False), False),
    ],
    ids=[
        "anonymous",
        "participant",
        "series-facilitator",
        "other-facilitator",
        "moderator",
        "inactive",
    ],
)
def test_facilitators_of_the_series_and_moderators_facilitate(topic, category, make, expected):
    assert can_facilitate(make(category), topic) is expected


def test_facilitator_of_another_series_does_not(topic, other_category):
    assert not can_facilitate(make_facilitator(category=other_category), topic)


def test_facilitator_without_mfa_is_sent_to_set_it_up_before_managing(
    client, topic, category, settings
):
    settings.FORUM_STAFF_REQUIRE_MFA = True
    client.force_login(make_facilitator("nomfa", category=category, mfa=False))

    response = client.get(f"/dialogues/t/{topic.pk}/manage/")

    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/"
