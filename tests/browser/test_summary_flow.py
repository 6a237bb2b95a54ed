"""A facilitator publishes a dialogue's summary from the manage page; it
appears at the top of the dialogue, cites a post, and the people who took
part are emailed once."""

from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.utils import timezone

from tests.browser.conftest import log_in
from tests.factories import (
    PASSWORD,
    make_category,
    make_dialogue,
    make_facilitator,
    make_reply,
    make_topic,
    make_user,
    verified,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_facilitator_publishes_a_summary_that_appears_on_the_dialogue(page):
    category = make_category("Practitioner dialogues", is_series=True)
    facilitator = verified(make_facilitator("fay", category=category, mfa=False))
    secret = generate_totp_secret()
    TOTP.activate(facilitator, secret)
    topic = make_topic(category=category, author=facilitator, title="Keeping records safe")
    cited = make_reply(topic, author=make_user("pat"), subject="Backups that survive")
    now = timezone.now()
    make_dialogue(topic, opens_at=now - timedelta(days=6), closes_at=now - timedelta(days=1))
    mail.outbox.clear()

    log_in(page, "fay", PASSWORD, totp_secret=secret)
    page.goto(topic.get_absolute_url())
    page.get_by_role("link", name="Manage dialogue").click()
    page.get_by_role("textbox", name="Summary").fill(
        f"We agreed that **tested backups** matter most. See [Pat's post]({cited.get_absolute_url()})."
    )
    page.get_by_label("Follow-up survey link").fill("https://survey.example.org/records")
    page.get_by_role("button", name="Publish summary").click()

    page.goto(topic.get_absolute_url())
    summary = page.locator("#summary")
    assert "tested backups" in summary.inner_text()
    assert "Featured in the summary" in page.locator(f"#post-{cited.pk}").inner_text()
    page.goto(category.get_absolute_url())
    assert "Summary available" in page.content()
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["fay@example.org", "pat@example.org"]
