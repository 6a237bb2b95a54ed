"""The main flow in a real browser: log in, open a dialogue, reply to a post,
see the reply nested under it with its "Re:" subject."""

import pytest

from forum.models import Post
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, make_reply, make_topic, make_user, verified

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_participant_replies_to_a_post_and_sees_it_nested(page):
    verified(make_user("amina", display_name="Amina"))
    topic = make_topic(title="What have you learned from partnerships?")
    for n in range(8):  # a long page: the new reply is far below its top
        make_reply(topic, subject=f"Earlier thought {n}", body="A paragraph.\n\n" * 4)
    parent = make_reply(topic, subject="Authentic relationships", body="They take *time*.")

    log_in(page, "amina", PASSWORD)
    page.goto(topic.get_absolute_url())
    post = page.locator(f"#post-{parent.pk}")
    post.get_by_role("link", name="Reply").click()

    subject = page.get_by_label("Subject")
    assert subject.input_value() == "Re: Authentic relationships"
    page.get_by_label("Message").fill("Agreed. Listening first is what worked for us.")
    page.get_by_role("button", name="Post reply").click()

    reply = Post.objects.get(author__username="amina")
    page.wait_for_url(f"**{topic.get_absolute_url()}#post-{reply.pk}")
    shown = page.locator(f"#post-{reply.pk}")
    assert shown.locator(".post-subject").inner_text().startswith("Re: Authentic relationships")
    assert "In reply to Authentic relationships" in shown.inner_text()
    assert "indent-1" in shown.get_attribute("class")  # one level below its parent
    # The message is next to the new post, where the page landed: in view.
    message = shown.locator(".messages")
    assert "Your reply was posted." in message.inner_text()
    box = message.bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= page.viewport_size["height"]
    assert reply.parent == parent
