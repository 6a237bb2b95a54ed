"""A newcomer in a real browser: sign up, verify the email with the emailed
code, reply in the open dialogue; another member then sees one new post."""

import pytest
from django.core import mail

from forum.models import Post
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, emailed_code, make_reply, make_topic, make_user, verified

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_newcomer_signs_up_verifies_and_replies(page, new_page):
    topic = make_topic(title="What lessons have you learned?")
    parent = make_reply(topic, subject="Start with listening")
    verified(make_user("veteran", display_name="Veteran"))

    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("newcomer@example.org")
    page.get_by_label("Username").fill("newcomer")
    page.locator("input[name=password1]").fill("a sturdy pass phrase 42")
    page.locator("input[name=password2]").fill("a sturdy pass phrase 42")
    page.locator("form").filter(has=page.locator("input[name=password1]")).locator(
        "button[type=submit]"
    ).click()

    page.wait_for_selector("input[name=code]")
    page.locator("input[name=code]").fill(emailed_code(mail.outbox[-1]))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)

    page.goto(topic.get_absolute_url())
    assert "Log in to reply" not in page.content()
    page.locator(f"#post-{parent.pk}").get_by_role("link", name="Reply").click()
    page.get_by_label("Message").fill("Thank you. Listening first changed how we work.")
    page.get_by_role("button", name="Post reply").click()
    reply = Post.objects.get(author__username="newcomer")
    page.wait_for_url(f"**#post-{reply.pk}")
    assert "Re: Start with listening" in page.locator(f"#post-{reply.pk}").inner_text()

    other = new_page()
    log_in(other, "veteran", PASSWORD)
    other.goto(topic.category.get_absolute_url())
    assert "3 new" in other.locator("table.topics").inner_text()  # opening, reply, newcomer
    other.goto(topic.get_absolute_url())
    other.goto(topic.category.get_absolute_url())
    assert "0 new" in other.locator("table.topics").inner_text()
