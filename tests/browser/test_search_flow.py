"""The header's search box works without JavaScript, at 360 px too."""

import pytest

from tests.factories import make_category, make_reply, make_topic, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [360, 1280])
def test_searching_from_the_header_without_javascript(browser, live_server, width):
    topic = make_topic(category=make_category("Practitioner dialogues"), title="Archives")
    post = make_reply(topic, author=make_user(), subject="Flood", body="The rivers were flooding.")

    context = browser.new_context(
        base_url=live_server.url,
        java_script_enabled=False,
        viewport={"width": width, "height": 800},
    )
    try:
        page = context.new_page()
        page.goto("/")
        page.get_by_label("Search the forum").fill("flooded river")
        with page.expect_navigation():
            page.get_by_role("search").get_by_role("button", name="Search").click()
        assert page.url.endswith("/search/?q=flooded+river")
        hit = page.locator(".search-hit")
        assert hit.count() == 1
        assert hit.locator("mark").all_inner_texts() == ["rivers", "flooding"]
        assert (
            hit.get_by_role("link", name="Flood").get_attribute("href") == post.get_absolute_url()
        )
        # What was typed stays in the page's own search field.
        assert page.get_by_label("Search for").input_value() == "flooded river"
        widths = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1]
    finally:
        context.close()
