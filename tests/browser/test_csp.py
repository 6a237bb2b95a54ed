"""Every page that runs JavaScript still works under the Content-Security-
Policy, in a real browser: the admin (changelist actions, date hierarchy,
filters, the two-list group picker, the raw-id lookup popup), adding a
security key (WebAuthn, through Chromium's virtual authenticator), the
recovery codes, and the TOTP setup's QR code. Any CSP violation the browser
reports, or any script error, fails the test."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from forum.models import Topic
from tests.browser.conftest import log_in
from tests.factories import (
    PASSWORD,
    make_admin,
    make_category,
    make_reply,
    make_topic,
    make_user,
    verified,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Chromium reports a violation both ways: a console error ("Refused to ...
# because it violates the following Content Security Policy directive") and
# a `securitypolicyviolation` event, which this turns into one.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`Content Security Policy violation: ${event.violatedDirective} `
                + `blocked ${event.blockedURI || "inline"} ${event.sample || ""}`);
});
"""


def watch(page, problems):
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    return page


def open_sensitive(page, url):
    """Open a page that changes a second factor: allauth asks for the
    password again first."""
    page.goto(url)
    if "/reauthenticate/" in page.url:
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(f"**{url}")


@pytest.fixture
def problems():
    return []


@pytest.fixture
def watched_page(page, problems):
    watch(page.context, problems)
    return page


@pytest.fixture
def staff_secret():
    return generate_totp_secret()


@pytest.fixture
def staff(staff_secret):
    admin = verified(make_admin("ada", mfa=False, display_name="Ada Admin"))
    TOTP.activate(admin, staff_secret)
    return admin


def test_the_admin_and_its_scripts_work_under_the_policy(
    watched_page, problems, staff, staff_secret
):
    page = watched_page
    category = make_category("Practitioner dialogues")
    topic = make_topic(category=category, title="Lessons learned")
    make_reply(topic, subject="A story")
    log_in(page, "ada", PASSWORD, totp_secret=staff_secret)

    page.goto("/admin/")
    assert page.get_by_role("link", name="Topics").first.is_visible()

    # Changelist: the action bar's counter is actions.js at work.
    page.goto("/admin/forum/topic/")
    page.locator("input.action-select").first.check()
    assert "1 of 1 selected" in page.locator(".action-counter").inner_text()
    page.select_option("select[name=action]", "lock")
    page.get_by_role("button", name="Run").click()
    assert "1 topic locked." in page.locator(".messagelist").inner_text()
    assert Topic.objects.get(pk=topic.pk).is_locked

    # Date hierarchy and the filter sidebar (filters.js keeps it open).
    page.locator("nav.toplinks a").first.click()
    assert "created_at__year=" in page.url
    page.locator("#changelist-filter details summary").first.click()

    # The group picker on a user is SelectFilter2.js building two lists.
    page.goto(f"/admin/accounts/user/{staff.pk}/change/")
    assert page.locator("#id_groups_add_all").is_visible()

    # A raw-id field's lookup opens a popup whose choice fills the field
    # (a topic's author, which superusers may change).
    page.goto(f"/admin/forum/topic/{topic.pk}/change/")
    with page.expect_popup() as popup_info:
        page.locator("#lookup_id_author").click()
    popup = popup_info.value
    popup.wait_for_load_state()
    chosen = popup.locator("#result_list a[data-popup-opener]").first
    chosen_pk = chosen.get_attribute("data-popup-opener")
    with popup.expect_event("close"):
        chosen.click()
    assert page.input_value("#id_author") == chosen_pk

    assert problems == []


def test_adding_a_security_key_and_viewing_recovery_codes_work_under_the_policy(
    watched_page, problems, staff, staff_secret, settings
):
    # WebAuthn needs https or localhost; the live server is plain http.
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
    page = watched_page
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    log_in(page, "ada", PASSWORD, totp_secret=staff_secret)

    open_sensitive(page, "/accounts/2fa/webauthn/add/")
    page.get_by_label("Name").fill("Office key")
    page.locator("#mfa_webauthn_add").click()  # webauthn.js asks the authenticator
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)

    key = Authenticator.objects.get(user=staff, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "Office key"

    page.goto("/accounts/2fa/recovery-codes/")
    assert page.locator("body").inner_text().strip()
    page.goto("/accounts/2fa/webauthn/")
    assert "Office key" in page.locator("main").inner_text()

    assert problems == []


def test_totp_setup_shows_its_qr_code_under_the_policy(watched_page, problems):
    verified(make_user("pat", display_name="Pat Participant"))
    page = watched_page
    log_in(page, "pat", PASSWORD)

    open_sensitive(page, "/accounts/2fa/totp/activate/")
    qr = page.locator("img.account-img")
    assert qr.get_attribute("src").startswith("data:image/svg+xml;base64,")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")

    assert problems == []


def test_the_forum_pages_load_without_violations(watched_page, problems):
    topic = make_topic(title="What have you learned?")
    make_reply(topic, subject="Common ground", body="See https://example.org and **this**.")
    verified(make_user("pat", display_name="Pat Participant"))
    page = watched_page

    for url in ("/", topic.get_absolute_url(), "/accounts/login/", "/accounts/signup/"):
        page.goto(url)
    log_in(page, "pat", PASSWORD)
    for url in (topic.get_absolute_url(), f"/p/{topic.opening_post.pk}/reply/", "/u/me/profile/"):
        page.goto(url)

    assert problems == []
