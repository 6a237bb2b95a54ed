"""Switching reading modes in a browser without JavaScript, on a phone: the
choice follows the member to another device."""

import pytest

from forum.models import ReadingPreference
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, make_reply, make_topic, make_user, verified

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def subjects(page):
    return page.locator(".replies .post-subject > a").all_inner_texts()


def test_the_switcher_works_without_javascript_and_follows_the_member(browser, live_server):
    topic = make_topic(title="How do you keep notes?")
    first = make_reply(topic, subject="First")
    make_reply(topic, subject="Second")
    make_reply(topic, parent=first, subject="Late answer to first")
    member = verified(make_user("reader"))

    for device in ("phone", "laptop"):
        context = browser.new_context(
            base_url=live_server.url,
            java_script_enabled=False,
            viewport={"width": 360, "height": 740} if device == "phone" else None,
        )
        try:
            page = context.new_page()
            log_in(page, member.username, PASSWORD)
            page.goto(topic.get_absolute_url())
            if device == "phone":
                assert subjects(page) == ["First", "Late answer to first", "Second"]
                page.get_by_role("link", name="In time order").click()
                widths = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
                assert widths[0] <= widths[1]
            # The laptop opens the plain address: the choice came along.
            assert subjects(page) == ["First", "Second", "Late answer to first"]
            current = page.locator('.reading-modes a[aria-current="true"]')
            assert current.inner_text() == "In time order"
        finally:
            context.close()
    assert ReadingPreference.objects.get(user=member).mode == "flat"
