"""axe-core (vendored, tests/browser/vendor/axe-core/) finds no violation,
of any impact, on the key pages in English and in Arabic: home, a series,
a threaded and a flat topic, the reply form showing an error, login,
signup, a profile and its edit page, the moderation queue and the admin's
post list. And the thread is a structure a screen reader can walk."""

import pytest

from tests.browser.axe import axe_violations
from tests.browser.conftest import log_in
from tests.browser.site import build_site
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, url, found, language):
    if url is not None:
        page.goto(url)
    html = page.locator("html")
    assert html.get_attribute("lang") == language, page.url
    assert html.get_attribute("dir") == ("rtl" if language == "ar" else "ltr"), page.url
    violations = axe_violations(page)
    if violations:
        found[page.url] = violations


@pytest.mark.parametrize("language", ["en", "ar"])
def test_key_pages_have_no_accessibility_violations(browser, live_server, language):
    site = build_site()
    found = {}

    context = browser.new_context(base_url=live_server.url, locale=language)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        for url in (
            "/",
            site.series.get_absolute_url(),
            site.topic.get_absolute_url(),
            site.flat_topic.get_absolute_url(),
            "/accounts/login/",
            "/accounts/signup/",
            site.member.get_absolute_url(),
        ):
            check(page, url, found, language)

        log_in(page, "pat", PASSWORD)
        page.goto(f"/p/{site.nested.pk}/reply/")
        page.fill("textarea[name=body]", "")
        page.locator("form.post-form button[name=post]").click()
        page.wait_for_selector(".errors[role=alert]")
        field = page.locator("textarea[name=body]")
        assert field.get_attribute("aria-invalid") == "true"
        # The message is linked to its field: read out when the field has focus.
        described = field.get_attribute("aria-describedby").split()
        assert any(page.locator(f"[id='{i}'] li").count() for i in described)
        check(page, None, found, language)
        check(page, "/u/me/profile/", found, language)
    finally:
        context.close()

    context = browser.new_context(base_url=live_server.url, locale=language)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, "mo", PASSWORD, totp_secret=site.moderator_secret)
        check(page, "/moderation/", found, language)
        check(page, "/admin/forum/post/", found, language)
    finally:
        context.close()

    assert found == {}


def test_each_post_is_an_article_named_by_its_subject_with_its_place_described(page):
    site = build_site()
    page.goto(site.topic.get_absolute_url())

    nested = page.locator(f"#{site.nested.anchor}")
    assert nested.evaluate("e => e.tagName") == "ARTICLE"
    # Its accessible name is its subject; its description says where it sits.
    assert page.get_by_role("article", name="How did you decide?").count() == 1
    position = nested.get_attribute("aria-describedby")
    assert page.locator(f"[id='{position}']").inner_text() == (
        "In reply to Collect less, protect more by Tomás R."
    )
    assert page.locator("a.skip-link").get_attribute("href") == "#main"


def test_focus_is_visible(page):
    build_site()
    page.goto("/")
    page.keyboard.press("Tab")  # the skip link first
    focused = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [document.activeElement.className, s.outlineStyle, s.outlineWidth]; }"
    )
    assert focused[0] == "skip-link"
    assert focused[1] != "none" and focused[2] != "0px"


def test_the_vendored_axe_reports_what_it_finds(page):
    """The checks above would pass vacuously if axe found nothing at all."""
    build_site()
    page.goto("/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=/x>')")
    assert "image-alt" in {v["id"] for v in axe_violations(page)}
