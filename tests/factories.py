"""Plain factory functions: each makes one saved object with sensible
defaults, through the same model methods the pages use."""

import re
from itertools import count

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model

from forum.management.commands.setup_roles import MODERATORS, setup_roles
from forum.models import Category, FacilitatorAssignment, Topic

_seq = count(1)
PASSWORD = "a-long-test-password"


def make_user(username=None, *, password=PASSWORD, **fields):
    n = next(_seq)
    username = username or f"user{n}"
    fields.setdefault("email", f"{username}@example.org")
    return get_user_model().objects.create_user(username=username, password=password, **fields)


def verified(user):
    """Give the user a verified primary email, as allauth requires to log in."""
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def emailed_code(message) -> str:
    """The one-time code allauth sends for email verification or login."""
    return re.search(r"browser window\.\s+(\S+)", message.body).group(1)


def with_mfa(user):
    """Activate TOTP for the user: staff roles must have a second factor
    (FORUM_STAFF_REQUIRE_MFA) before moderation tools and the admin."""
    TOTP.activate(user, generate_totp_secret())
    return user


def make_facilitator(username=None, *, category=None, topic=None, mfa=True, **fields):
    """A facilitator of `category` or `topic` (of a new category if neither
    is given). With a second factor unless mfa=False."""
    fields.setdefault("role_line", "Dialogue Facilitator")
    user = make_user(username, **fields)
    if mfa:
        with_mfa(user)
    if category is None and topic is None:
        category = make_category()
    FacilitatorAssignment.objects.create(user=user, category=category, topic=topic)
    return user


def make_moderator(username=None, *, mfa=True, **fields):
    """A member of the Moderators group made by `setup_roles`; staff, so
    the admin is theirs too. With a second factor unless mfa=False."""
    fields.setdefault("is_staff", True)
    user = make_user(username, **fields)
    user.groups.add(setup_roles()[MODERATORS])
    return with_mfa(user) if mfa else user


def make_admin(username=None, *, mfa=True, **fields):
    username = username or f"admin{next(_seq)}"
    fields.setdefault("email", f"{username}@example.org")
    user = get_user_model().objects.create_superuser(username=username, password=PASSWORD, **fields)
    return with_mfa(user) if mfa else user


def make_category(name=None, **fields):
    n = next(_seq)
    name = name or f"Category {n}"
    fields.setdefault("slug", f"category-{n}")
    return Category.objects.create(name=name, **fields)


def make_topic(*, category=None, author=None, title=None, body="Opening post.\n\n- What?\n- Why?"):
    category = category or make_category()
    return Topic.start(
        category=category,
        author=author or make_facilitator(category=category),
        title=title or f"Topic {next(_seq)}",
        body=body,
    )


def make_reply(topic, *, parent=None, author=None, subject=None, body="A reply."):
    parent = parent or topic.opening_post
    return topic.add_reply(
        author=author or make_user(),
        parent=parent,
        subject=subject or parent.reply_subject(),
        body=body,
    )


def make_dialogue(topic, *, opens_at, closes_at, by=None):
    """Schedule `topic` as a dialogue, as its facilitator does on the
    manage page; returns its Dialogue (leaders, summary)."""
    from dialogues.models import Dialogue

    topic.schedule(opens_at=opens_at, closes_at=closes_at, by=by or topic.author)
    return Dialogue.of(topic)
