"""On a 360 px phone nothing scrolls sideways, however long a shared link."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_category, make_dialogue, make_reply, make_topic, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_URL = "https://example.org/" + "a" * 280


def test_a_300_character_link_wraps_on_a_360_px_screen(browser, live_server):
    category = make_category("Practitioner dialogues", is_series=True)
    topic = make_topic(category=category, title="Resources we use")
    now = timezone.now()
    make_dialogue(topic, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=2))
    make_reply(topic, author=make_user(), subject="Guide", body=f"Read {LONG_URL} first.")
    assert len(LONG_URL) == 300

    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        resources = reverse("dialogues:series_resources", args=[category.slug])
        for url in (topic.get_absolute_url(), "/", category.get_absolute_url(), resources):
            page.goto(url)
            widths = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
            assert widths[0] <= widths[1], (url, widths)
        page.goto(topic.get_absolute_url())
        assert LONG_URL in page.locator(".resources-shared").inner_text().replace("\n", "")
    finally:
        context.close()
