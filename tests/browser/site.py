"""A small forum for the language, layout and accessibility tests: a series
with an open, threaded dialogue, a flat topic, a member, a moderator with a
second factor, and a flag in the moderation queue."""

from dataclasses import dataclass
from datetime import timedelta

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from forum.moderation import Flag
from tests.factories import (
    make_category,
    make_dialogue,
    make_facilitator,
    make_moderator,
    make_reply,
    make_topic,
    make_user,
    verified,
)


@dataclass
class Site:
    series: object
    topic: object
    flat_topic: object
    reply: object
    nested: object
    member: object
    moderator: object
    moderator_secret: str


def build_site(replies: int = 0) -> Site:
    series = make_category("Practitioner dialogues", is_series=True)
    help_category = make_category("Help and feedback")
    facilitator = make_facilitator(
        "lina", category=series, display_name="Lina Haddad", role_line="Facilitator"
    )
    topic = make_topic(category=series, author=facilitator, title="Keeping documentation safe")
    now = timezone.now()
    make_dialogue(topic, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=3))
    member = verified(make_user("pat", display_name="Pat Participant", role_line="Researcher"))
    tomas = make_user("tomas", display_name="Tomás R.")
    reply = make_reply(topic, author=tomas, subject="Collect less, protect more")
    nested = make_reply(topic, parent=reply, author=member, subject="How did you decide?")
    make_reply(topic, parent=nested, author=tomas, subject="We asked the people we interview")
    for n in range(replies):
        make_reply(topic, author=tomas, subject=f"Another experience {n}", body="We " * 40)
    flat_topic = make_topic(category=help_category, author=member, title="How do I follow a topic?")
    make_reply(flat_topic, author=tomas, subject="Subscribe", body="Use the Subscribe button.")
    moderator = verified(make_moderator("mo", mfa=False, display_name="Mo Moderator"))
    secret = generate_totp_secret()
    TOTP.activate(moderator, secret)
    Flag.objects.create(post=reply, flagger=member, reason=Flag.Reason.OTHER, text="Check")
    return Site(series, topic, flat_topic, reply, nested, member, moderator, secret)
