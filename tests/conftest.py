import pytest

from tests.factories import make_category, make_facilitator, make_topic, make_user


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs ~0.3 s a user; tests make hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def participant(db):
    return make_user("participant", display_name="Pat Participant")


@pytest.fixture
def other_participant(db):
    return make_user("other", display_name="Olu Other")


@pytest.fixture
def facilitator(db):
    return make_facilitator("facilitator", display_name="Fay Facilitator")


@pytest.fixture
def category(db):
    return make_category("Practitioner dialogues", slug="dialogues", is_series=True)


@pytest.fixture
def topic(category, facilitator):
    return make_topic(category=category, author=facilitator, title="What have you learned?")


@pytest.fixture
def participant_client(client, participant):
    client.force_login(participant)
    return client
