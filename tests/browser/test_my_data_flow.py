""" "Download my data" in a real browser, when the password must be entered
again: the first click shows the password page (not a file called
download.html), and the password brings the JSON file."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore

from tests.browser.conftest import log_in
from tests.factories import PASSWORD, make_reply, make_topic, make_user, verified

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def make_reauthentication_due(page):
    """As if the member logged in an hour ago: longer than
    ACCOUNT_REAUTHENTICATION_TIMEOUT."""
    [key] = [
        c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME
    ]
    session = SessionStore(key)
    records = session["account_authentication_methods"]
    for record in records:
        record["at"] -= 3600
    session["account_authentication_methods"] = records
    session.save()


def test_download_my_data_asks_for_the_password_then_downloads(page):
    member = verified(make_user("mira", display_name="Mira Member"))
    make_reply(make_topic(), author=member, subject="Hello", body="My words, exported.")
    log_in(page, "mira", PASSWORD)
    make_reauthentication_due(page)
    downloads = []
    page.on("download", lambda download: downloads.append(download))

    page.goto("/u/me/data/")
    page.get_by_role("link", name="Download my data").click()
    page.wait_for_url("**/accounts/reauthenticate/**")
    assert downloads == []
    assert page.locator("input[name=password]").is_visible()

    page.fill("input[name=password]", PASSWORD)
    with page.expect_download() as download_info:
        page.locator("form").filter(has=page.locator("input[name=password]")).locator(
            "button[type=submit]"
        ).click()
    download = download_info.value
    assert download.suggested_filename == "my-forum-data.json"
    data = json.loads(Path(download.path()).read_text())
    assert data["profile"]["username"] == "mira"
    assert [post["body"] for post in data["posts"]] == ["My words, exported."]
