import pytest
from django.core.cache import cache

from tests.conftest import clear_local_cache
from tests.factories import PASSWORD, make_user, verified, with_mfa


@pytest.fixture(autouse=True)
def fresh_cache(db):
    # Rate-limit counters live in the (database) cache: no test sees another's.
    cache.clear()
    clear_local_cache()
    yield
    cache.clear()
    clear_local_cache()


@pytest.fixture
def member(db):
    return verified(make_user("member", display_name="Mira Member"))


@pytest.fixture
def staff_member(db):
    return verified(make_user("staffer", is_staff=True, is_superuser=True))


@pytest.fixture
def moderator(db):
    """Holds accounts.suspend_user, with the second factor it requires."""
    from django.contrib.auth.models import Permission

    user = with_mfa(verified(make_user("moderator", display_name="Moe Moderator")))
    user.user_permissions.add(Permission.objects.get(codename="suspend_user"))
    return user


def log_in(client, login, password=PASSWORD):
    """Log in through allauth's form, so the session records a real
    authentication (reauthentication checks look at it)."""
    return client.post("/accounts/login/", {"login": login, "password": password})


def reauthenticate(client, password=PASSWORD):
    """Confirm the password again, as allauth asks before sensitive changes."""
    response = client.post("/accounts/reauthenticate/", {"password": password})
    assert response.status_code == 302, response.content.decode()
    return response
