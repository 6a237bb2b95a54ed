"""Light pages: a 20-reply topic and the account pages weigh at most 40 KB
on a first visit, counting every byte received (headers and bodies of the
HTML, the CSS and anything else), in English and in Arabic. No web fonts.
The test server sends the CSS uncompressed, so production (whitenoise's
compressed files) sends less."""

import pytest

from tests.browser.conftest import log_in
from tests.browser.site import build_site
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUDGET = 40 * 1024


def weigh(page, url) -> tuple[int, list]:
    received = []

    def listener(request):
        received.append(request)

    page.on("requestfinished", listener)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.remove_listener("requestfinished", listener)
    rows = []
    for request in received:
        sizes = request.sizes()
        rows.append((request.url, max(sizes["responseBodySize"], 0) + sizes["responseHeadersSize"]))
    return sum(size for _url, size in rows), rows


@pytest.mark.parametrize("language", ["en", "ar"])
def test_topic_and_account_pages_weigh_at_most_40_kb(browser, live_server, language):
    site = build_site(replies=17)
    assert site.topic.posts.count() == 21  # the opening post and 20 replies
    topic = site.topic.get_absolute_url()
    heavy, weighed = {}, {}

    for signed_in in (False, True):
        context = browser.new_context(base_url=live_server.url, locale=language)
        try:
            page = context.new_page()
            if signed_in:
                log_in(page, "pat", PASSWORD)
                urls = [topic, "/u/me/profile/", site.member.get_absolute_url(), "/u/me/data/"]
                urls += ["/accounts/email/", "/dialogues/preferences/"]
            else:
                urls = [topic, "/accounts/login/", "/accounts/signup/"]
            # Every page as a first visit: its CSS is counted each time.
            # (Playwright turns the browser's HTTP cache off while it routes.)
            page.route("**/*", lambda route: route.continue_())
            for url in urls:
                total, rows = weigh(page, url)
                fonts = [
                    u for u, _ in rows if u.split("?")[0].endswith((".woff", ".woff2", ".ttf"))
                ]
                assert fonts == [], url
                # The stylesheets really counted: forum.css alone is over 10 KB.
                assert sum(size for u, size in rows if u.endswith(".css")) > 10_000, url
                weighed[(signed_in, url)] = total
                if total > BUDGET:
                    heavy[(signed_in, url)] = (total, rows)
        finally:
            context.close()

    print({url: size for (_signed_in, url), size in weighed.items()})
    assert heavy == {}
    assert len(weighed) == 9
