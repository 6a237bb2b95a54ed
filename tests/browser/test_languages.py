"""A participant whose browser speaks Arabic, Spanish or French logs in,
replies and reads the topic with none of the interface's English left.
Each language skips, saying so, only while its catalogue does not exist."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser.conftest import log_in
from tests.browser.site import build_site
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The interface's own words on the topic page (header, tools, reply form,
# footer), as English shows them.
CHROME = [
    "Skip to content",
    "Unread",
    "Settings",
    "Log out",
    "Reply",
    "Link",
    "Flag",
    "Edit",
    "Subject",
    "Preview",
    "Post reply",
    "Reply to the topic",
    "Mark read",
    "Last post",
    "Resources shared",
    "In reply to",
    "Subscribe",
    "Unsubscribe",
    "Language",
    "Change language",
    "posts",
    "new",
    "closes in",
    "Day",
]
# Words the language writes the same way.
SAME_IN = {"fr": {"Message"}, "es": set(), "ar": set()}

# Everything but what people wrote: their subjects, bodies, names and the
# site's name are theirs to write in any language.
CHROME_TEXT = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('[dir=auto], bdi, .site-name, input, textarea, select, option, script')
      .forEach(e => e.remove());
  return copy.innerText;
}"""


@pytest.mark.parametrize("language", ["ar", "es", "fr"])
def test_the_whole_topic_page_speaks_the_browsers_language(browser, live_server, language):
    po = Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"
    if not po.exists():
        pytest.skip(f"locale/{language}/LC_MESSAGES/django.po does not exist yet: no catalogue")
    site = build_site()
    context = browser.new_context(base_url=live_server.url, locale=language)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, "pat", PASSWORD)
        page.goto(f"/p/{site.reply.pk}/reply/")
        page.fill("textarea[name=body]", "Merci, شكرا, gracias.")
        page.locator("form.post-form button[name=post]").click()
        page.wait_for_selector(".message")

        assert page.locator("html").get_attribute("lang") == language
        text = page.evaluate(CHROME_TEXT)
        left = [
            word
            for word in CHROME
            if word not in SAME_IN[language] and re.search(rf"\b{re.escape(word)}\b", text)
        ]
        assert left == [], text
    finally:
        context.close()
