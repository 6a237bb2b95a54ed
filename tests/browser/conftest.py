"""Browser tests: Playwright driving the system's Chromium (a test tool's own
browser download cannot work on our machines). Skipped, with the reason,
where no Chromium is installed; .ci/run installs it."""

import os
import shutil
import time

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# Playwright's sync API runs an event loop in the test thread; the ORM calls
# the tests make between browser steps are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        reason = (
            f"No Chromium at {CHROMIUM}: install it (apt-get install chromium) to run browser tests"
        )
        if os.environ.get("FORUM_REQUIRE_BROWSER"):  # set by .ci/run: never skip there
            pytest.fail(reason)
        pytest.skip(reason)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context (its own cookies: another
    person). Contexts close before the live server stops, so no request is
    still open when the test database goes away."""
    contexts = []

    def open_page():
        context = browser.new_context(base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)  # generous: CI machines are shared
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def log_in(page, username, password, totp_secret=None):
    """Log in through the site's form; with `totp_secret`, also answer the
    two-factor step with the current code, as an authenticator app would."""
    page.goto("/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator(
        "button[type=submit]"
    ).click()
    if totp_secret:
        from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

        page.wait_for_selector("input[name=code]")
        page.fill(
            "input[name=code]", format_hotp_value(hotp_value(totp_secret, int(time.time()) // 30))
        )
        page.locator("form").filter(has=page.locator("input[name=code]")).locator(
            "button[type=submit]"
        ).first.click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url and "/2fa/" not in url)
