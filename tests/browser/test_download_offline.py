"""A reader downloads a finished dialogue from its page and opens the file
with no network at all: every visible post is there, styled, and no hidden
one; the file asks nothing of any host."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import (
    make_category,
    make_dialogue,
    make_moderator,
    make_reply,
    make_topic,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_downloaded_dialogue_reads_offline_with_every_visible_post(page, browser, tmp_path):
    category = make_category("Practitioner dialogues", is_series=True)
    topic = make_topic(category=category, title="Keeping records safe")
    now = timezone.now()
    dialogue = make_dialogue(
        topic, opens_at=now - timedelta(days=6), closes_at=now + timedelta(days=1)
    )
    pat, ola = make_user("pat", display_name="Pat"), make_user("ola", display_name="Ola")
    first = make_reply(topic, author=pat, subject="Backups that survive", body="Test **restores**.")
    hidden = make_reply(topic, author=ola, subject="Phone numbers", body="Call 555-0199")
    make_reply(topic, parent=hidden, author=pat, subject="Please remove that")
    make_reply(topic, parent=first, author=ola, subject="Offsite copies", body="[Guide](/p/1/)")
    hidden.hide(by=make_moderator("mod"), reason="Personal data")
    dialogue.write_summary(body="We agreed that **tested backups** matter most.", by=topic.author)
    dialogue.publish_summary(by=topic.author)

    page.goto(topic.get_absolute_url())
    with page.expect_download() as info:
        page.get_by_role("link", name="Download this dialogue").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.name.endswith(".html")

    offline = browser.new_context(offline=True)
    try:
        asked = []

        def block_all_but_the_file(route):
            asked.append(route.request.url)
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                route.abort()

        offline.route("**/*", block_all_but_the_file)
        reader = offline.new_page()
        reader.goto(saved.as_uri())

        text = reader.locator("body").inner_text()
        for visible in (
            "Keeping records safe",
            "tested backups",
            "Backups that survive",
            "Please remove that",
            "Offsite copies",
            "In reply to a removed post",
        ):
            assert visible in text
        assert "Phone numbers" not in text and "555-0199" not in text
        assert asked == [saved.as_uri()]
        # Styled by the file itself: the summary has its panel's background.
        background = reader.locator(".summary").evaluate("e => getComputedStyle(e).backgroundColor")
        assert background not in ("rgba(0, 0, 0, 0)", "transparent")
        reader.emulate_media(media="print")
        assert reader.pdf()[:4] == b"%PDF"  # it prints
    finally:
        offline.close()
