"""Security headers and cookies, as a browser receives them: the
Content-Security-Policy, the Permissions-Policy, Cache-Control for signed-in
members, `__Host-` cookies over HTTPS, and the README's production settings
passing Django's deploy checks."""

import os
import re
import shlex
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.test import Client

from tests.factories import PASSWORD, make_admin, verified

ROOT = Path(__file__).resolve().parent.parent


def directives(header):
    """`a x y; b z` -> {"a": ["x", "y"], "b": ["z"]}"""
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def nonce_free(policy):
    return {name: [v for v in values if not v.startswith("'nonce-")] for name, values in policy}


STRICT_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


# Content-Security-Policy


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/accounts/signup/"])
def test_every_page_has_the_strict_policy_and_no_nonce_when_nothing_inline(client, db, url):
    response = client.get(url)

    assert directives(response["Content-Security-Policy"]) == STRICT_POLICY


def test_the_policy_is_the_same_for_a_member_and_on_the_topic_page(participant_client, topic):
    response = participant_client.get(topic.get_absolute_url())

    assert directives(response["Content-Security-Policy"]) == STRICT_POLICY


def test_scripts_never_run_inline_without_the_nonce(client, db):
    policy = directives(client.get("/")["Content-Security-Policy"])

    for directive in ("script-src", "style-src", "default-src"):
        assert "'unsafe-inline'" not in policy[directive]
        assert "'unsafe-eval'" not in policy[directive]
        assert "*" not in policy[directive]


def test_the_admin_gets_a_fresh_style_nonce_and_still_no_inline_script(client, db):
    admin = make_admin()
    client.force_login(admin)

    pages = [client.get("/admin/forum/topic/") for _ in range(2)]

    nonces = []
    for response in pages:
        assert response.status_code == 200
        policy = directives(response["Content-Security-Policy"])
        (nonce,) = [v for v in policy["style-src"] if v.startswith("'nonce-")]
        assert policy["script-src"] == ["'self'"]
        assert nonce_free(policy.items()) == STRICT_POLICY
        # The admin marks its tags with the nonce ({% csp_nonce_attr %}).
        assert f'nonce="{nonce[7:-1]}"' in response.text
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


class InlineCode(HTMLParser):
    """What the policy would block on a page: style attributes, event
    handler attributes, and <script>/<style> without a source or nonce."""

    def __init__(self):
        super().__init__()
        self.blocked = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.blocked += [f"<{tag} {name}>" for name in attrs if name == "style" or name[:2] == "on"]
        if tag == "style" and "nonce" not in attrs:
            self.blocked.append("<style>")
        if tag == "script" and not ({"src", "nonce"} & set(attrs)):
            if attrs.get("type") != "application/json":  # data, never run
                self.blocked.append("<script>")


def blocked_inline_code(html):
    parser = InlineCode()
    parser.feed(html)
    return parser.blocked


def test_the_checker_finds_what_the_policy_blocks():
    html = '<p style="x" onclick="y"></p><style></style><script>1</script><script src="/a.js">'
    assert blocked_inline_code(html) == ["<p style>", "<p onclick>", "<style>", "<script>"]


def test_our_pages_have_no_inline_code_the_policy_would_block(client, topic, facilitator):
    anonymous = ["/", topic.get_absolute_url(), "/accounts/login/", "/accounts/signup/"]
    for url in anonymous:
        assert blocked_inline_code(client.get(url).text) == [], url
    client.force_login(facilitator)  # sees the moderation tools too
    member = [
        topic.get_absolute_url(),
        f"/p/{topic.opening_post.pk}/reply/",
        "/u/me/profile/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/sessions/",
    ]
    for url in member:
        response = client.get(url)
        assert response.status_code == 200, url
        assert blocked_inline_code(response.text) == [], url


# Permissions-Policy


def test_permissions_policy_denies_sensors_payment_and_tracking_and_keeps_webauthn(client, db):
    header = client.get("/")["Permissions-Policy"]
    features = dict(item.split("=", 1) for item in header.split(", "))

    for denied in (
        "camera",
        "microphone",
        "geolocation",
        "payment",
        "usb",
        "browsing-topics",
        "display-capture",
        "serial",
        "hid",
    ):
        assert features[denied] == "()", denied
    assert features["publickey-credentials-get"] == "(self)"
    assert features["publickey-credentials-create"] == "(self)"
    assert [v for v in features.values() if v not in ("()", "(self)")] == []


def test_permissions_policy_is_on_redirects_and_errors_too(client, db):
    assert "camera=()" in client.get("/p/999999/")["Permissions-Policy"]
    assert "camera=()" in client.post("/p/999999/reply/")["Permissions-Policy"]


# Cache-Control


def cache_control(response):
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


def test_every_page_for_a_signed_in_member_is_private_and_not_stored(participant_client, topic):
    urls = ["/", topic.get_absolute_url(), f"/p/{topic.opening_post.pk}/reply/", "/u/me/profile/"]
    for url in urls:
        response = participant_client.get(url)
        assert {"private", "no-store"} <= cache_control(response), url


def test_a_members_post_and_its_redirect_are_not_stored_either(participant_client, topic):
    response = participant_client.post(
        f"/p/{topic.opening_post.pk}/reply/", {"subject": "Re", "body": "A reply."}
    )

    assert response.status_code == 302
    assert {"private", "no-store"} <= cache_control(response)


def test_pages_for_anonymous_readers_stay_cacheable(client, topic):
    for url in ("/", topic.get_absolute_url(), topic.category.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200
        assert not cache_control(response) & {"private", "no-store", "no-cache"}, url


# Cookies


def test_tests_run_with_secure_cookies_and_so_the_host_prefix():
    # tests/environment.py runs the suite with DEBUG off, as in production.
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_NAME == "__Host-sessionid"
    assert settings.CSRF_COOKIE_NAME == "__Host-csrftoken"


def assert_host_cookie(cookie):
    # What browsers require of a __Host- cookie, or they drop it.
    assert cookie["secure"] is True
    assert cookie["path"] == "/"
    assert cookie["domain"] == ""


def test_login_csrf_and_logout_work_with_host_prefixed_cookies(participant):
    verified(participant)
    client = Client(enforce_csrf_checks=True)

    login_page = client.get("/accounts/login/")
    csrf = login_page.cookies["__Host-csrftoken"]
    assert_host_cookie(csrf)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.text).group(1)

    refused = client.post("/accounts/login/", {"login": "participant", "password": PASSWORD})
    assert refused.status_code == 403  # no CSRF token: the check is really on

    response = client.post(
        "/accounts/login/",
        {"login": "participant", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    session = response.cookies["__Host-sessionid"]
    assert_host_cookie(session)
    assert session["httponly"] is True
    assert "sessionid" not in response.cookies
    assert client.get("/u/me/profile/").status_code == 200

    token = client.cookies["__Host-csrftoken"].value
    logout = client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert logout.status_code == 302
    assert client.get("/u/me/profile/").status_code == 302  # back to the login page


def settings_value(name, **env):
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    result = subprocess.run(
        [sys.executable, "-c", f"import forum.settings as s; print(s.{name})"],
        cwd=ROOT,
        env=clean | {"SECRET_KEY": "x" * 50} | env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_plain_http_development_keeps_the_plain_cookie_names():
    # `make run` serves http with DEBUG on: a browser would refuse __Host-.
    assert settings_value("SESSION_COOKIE_NAME", DEBUG="1") == "sessionid"
    assert settings_value("CSRF_COOKIE_NAME", DEBUG="1") == "csrftoken"
    insecure = {"DEBUG": "0", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0"}
    assert settings_value("SESSION_COOKIE_NAME", **insecure) == "sessionid"
    assert settings_value("CSRF_COOKIE_NAME", **insecure) == "csrftoken"


# Deploy checks with the README's own production example


def readme_production_environment():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Production", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    export = block.split("export ", 1)[1].split("\n.venv", 1)[0].replace("\\\n", " ")
    return dict(word.split("=", 1) for word in shlex.split(export))


def test_the_readme_production_example_passes_the_deploy_checks():
    env = readme_production_environment()
    assert env["SECRET_KEY"] == "..."
    env["SECRET_KEY"] = "a-production-length-secret-key-" + "k3y" * 12
    assert env["MFA_ENCRYPTION_KEYS"] == "..."
    env["MFA_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    env["DATABASE_URL"] = "sqlite:///:memory:"  # the checks do not connect
    # Only what the README sets: nothing from the test run's environment.
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "")} | env,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
