"""No IP address is stored anywhere: the session list shows browser and
time only, and the rate limits' cache keys are hashed."""

import json

from allauth.usersessions.models import UserSession
from django.core.cache import cache

from accounts.models import NO_IP_ADDRESS
from tests.accounts.conftest import reauthenticate
from tests.accounts.dump import find
from tests.factories import PASSWORD

IPV4 = "198.51.100.77"
IPV6 = "2001:db8::77"
FROM_PROXY = {"REMOTE_ADDR": IPV4, "HTTP_X_FORWARDED_FOR": IPV6, "HTTP_USER_AGENT": "Lynx/2.9"}


def test_logging_in_from_a_forwarded_address_stores_it_nowhere(client, member, settings):
    # A failed attempt, a signup attempt and two logins: each counts in an IP rate limit.
    client.post("/accounts/login/", {"login": "member", "password": "wrong"}, **FROM_PROXY)
    client.post("/accounts/signup/", {"email": "someone@example.org"}, **FROM_PROXY)
    client.post("/accounts/login/", {"login": "member", "password": PASSWORD}, **FROM_PROXY)
    assert client.session["_auth_user_id"] == str(member.pk)
    client.post("/accounts/logout/")
    # Behind a proxy the forwarded address is the client's.
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    client.post("/accounts/login/", {"login": "member", "password": PASSWORD}, **FROM_PROXY)
    assert client.session["_auth_user_id"] == str(member.pk)
    reauthenticate(client)
    assert UserSession.objects.filter(user=member).count() == 1

    assert find([IPV4, IPV6, "2001:0db8", "2001:db8:0:0"]) == []
    assert set(UserSession.objects.values_list("ip", flat=True)) == {NO_IP_ADDRESS}


def test_the_session_list_shows_browser_and_time_but_no_ip_address(client, member):
    client.post("/accounts/login/", {"login": "member", "password": PASSWORD}, **FROM_PROXY)
    page = client.get("/accounts/sessions/", **FROM_PROXY).content.decode()
    assert "Lynx/2.9" in page
    assert "Started At" in page
    assert "IP Address" not in page
    assert NO_IP_ADDRESS not in page
    assert IPV4 not in page


def test_the_data_export_lists_sessions_without_an_ip_field(client, member):
    client.post("/accounts/login/", {"login": "member", "password": PASSWORD}, **FROM_PROXY)
    reauthenticate(client)
    data = json.loads(client.get("/u/me/data/download/").content)
    assert len(data["sessions"]) == 1
    assert data["sessions"][0]["user_agent"] == "Lynx/2.9"
    assert "ip" not in data["sessions"][0]


def test_cache_keys_never_hold_what_they_count():
    key = f"allauth:rl:account:login:30/m/ip:ip:{IPV4}"
    stored = cache.make_key(key)
    assert IPV4 not in stored
    assert "allauth" not in stored
    assert stored == cache.make_key(key)  # the same count for the same address
    assert stored != cache.make_key(key.replace("77", "78"))
