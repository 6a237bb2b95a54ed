"""Each email is written in its recipient's profile language, whatever
language the person whose action sent it was using."""

import pytest
from django.utils import translation

from dialogues.notifications import queue_email
from tests.factories import make_reply, make_user, verified

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("fr", "ltr"), ("", "ltr")])
def test_an_email_is_rendered_in_the_recipients_language(topic, language, direction):
    recipient = verified(make_user(language=language))
    post = make_reply(topic, subject="Une question")

    with translation.override("es"):  # the sender's language must not leak in
        email = queue_email(
            recipient, "new_post", {"post": post}, dedupe_key=f"test:{language}", topic=topic
        )

    assert f'<html lang="{language or "en"}" dir="{direction}">' in email.html
