import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.utils import timezone

from forum.models import Post, Topic
from tests.clock import START, Clock
from tests.factories import (
    make_admin,
    make_category,
    make_facilitator,
    make_moderator,
    make_reply,
    make_topic,
    make_user,
)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs ~0.3 s a user; tests make hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def clear_local_cache():
    """Rendered posts and page positions (CACHES["local"]): their keys, ids
    and versions, start again in every test."""
    if "local" in settings.CACHES:  # a test may have replaced CACHES
        caches["local"].clear()


def _clear_cache():
    clear_local_cache()
    try:
        cache.clear()
    except RuntimeError:
        pass  # a test without the database has no database cache to clear


@pytest.fixture(autouse=True)
def fresh_cache():
    """Limits, form tokens and allauth's rate limits live in the shared
    cache, which outlives a test's transaction when it is Redis (or when the
    test commits): no test sees another's counters."""
    _clear_cache()
    yield
    _clear_cache()


@pytest.fixture
def rendered_every_time(settings):
    """The anonymous page cache off: for query budgets of rendering a page.
    A page served from the cache costs no query (tests/forum/test_page_cache.py)."""
    settings.FORUM_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def clock(monkeypatch):
    """timezone.now() under the test's control, from START."""
    clock = Clock(START)
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    # Field defaults hold the real timezone.now: stamp new rows with the clock.
    for model, name in [(Post, "created_at"), (Topic, "created_at"), (Topic, "last_post_at")]:
        monkeypatch.setattr(model._meta.get_field(name), "_get_default", lambda: clock.now)
    return clock


@pytest.fixture
def participant(db):
    return make_user("participant", display_name="Pat Participant")


@pytest.fixture
def other_participant(db):
    return make_user("other", display_name="Olu Other")


@pytest.fixture
def category(db):
    return make_category("Practitioner dialogues", slug="dialogues", is_series=True)


@pytest.fixture
def facilitator(category):
    """Facilitator of `category`, and author of `topic`."""
    return make_facilitator("facilitator", category=category, display_name="Fay Facilitator")


@pytest.fixture
def other_category(db):
    return make_category("Open questions", slug="open-questions")


@pytest.fixture
def facilitator_elsewhere(other_category):
    return make_facilitator("elsewhere", category=other_category, display_name="Eli Elsewhere")


@pytest.fixture
def moderator(db):
    return make_moderator("moderator", display_name="Mo Moderator")


@pytest.fixture
def admin_user(db):
    return make_admin("admin", display_name="Ada Admin")


@pytest.fixture
def post_author(db):
    return make_user("author", display_name="Ari Author")


@pytest.fixture
def topic(category, facilitator):
    return make_topic(category=category, author=facilitator, title="What have you learned?")


@pytest.fixture
def participant_client(client, participant):
    client.force_login(participant)
    return client


@pytest.fixture
def reply(topic, post_author):
    """A reply by `post_author` in `topic`."""
    return make_reply(topic, author=post_author, subject="My experience", body="Original text.")
