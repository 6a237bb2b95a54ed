"""Arabic mirrors the layout, English does not: screenshots at 360 and 1280
px of home, a series, a dialogue, the reply form and a profile in both
languages (saved under FORUM_SCREENSHOTS, default /tmp/forum-screenshots),
nothing scrolls sideways, and a nested reply sits further towards the end
of the line than its parent: to the left in Arabic, to the right in English."""

import os
from pathlib import Path

import pytest

from tests.browser.conftest import log_in
from tests.browser.site import build_site
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("FORUM_SCREENSHOTS", "/tmp/forum-screenshots"))


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("width", [360, 1280])
def test_pages_fit_the_screen_in_both_directions(browser, live_server, language, width):
    site = build_site()
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        base_url=live_server.url, locale=language, viewport={"width": width, "height": 800}
    )
    try:
        page = context.new_page()
        log_in(page, "pat", PASSWORD)
        pages = {
            "home": "/",
            "series": site.series.get_absolute_url(),
            "dialogue": site.topic.get_absolute_url(),
            "reply-form": f"/p/{site.reply.pk}/reply/",
            "profile": site.member.get_absolute_url(),
        }
        for name, url in pages.items():
            page.goto(url)
            assert page.locator("html").get_attribute("dir") == (
                "rtl" if language == "ar" else "ltr"
            )
            page.screenshot(path=SHOTS / f"{name}-{language}-{width}.png", full_page=True)
            scroll, inner = page.evaluate(
                "[document.scrollingElement.scrollWidth, window.innerWidth]"
            )
            assert scroll <= inner, (name, scroll, inner)
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_reply_tree_indents_towards_the_end_of_the_line(browser, live_server, language):
    site = build_site()
    context = browser.new_context(base_url=live_server.url, locale=language)
    try:
        page = context.new_page()
        page.goto(site.topic.get_absolute_url())
        parent = page.locator(f"#{site.reply.anchor}").bounding_box()
        child = page.locator(f"#{site.nested.anchor}").bounding_box()
        parent_end = parent["x"] + parent["width"]
        child_end = child["x"] + child["width"]
        if language == "ar":
            # Right to left: a line starts on the right, so the child's
            # right edge is further left than its parent's; both end alike.
            assert child_end < parent_end
            assert child["x"] == pytest.approx(parent["x"], abs=1)
        else:
            assert child["x"] > parent["x"]
            assert child_end == pytest.approx(parent_end, abs=1)
    finally:
        context.close()
