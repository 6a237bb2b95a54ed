"""Limits per member (forum/limits.py): each refused with a clear message
and a 429 page that keeps what was typed, on a controlled clock; and one
post per submitted form."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from forum import limits
from forum.models import Category, Flag, Post, Topic
from tests.factories import make_facilitator, make_reply, make_user, verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(clock):
    """A member whose account is a week old."""
    return make_user("member", display_name="Mem Ber", date_joined=clock.now - timedelta(days=7))


@pytest.fixture
def newcomer(clock):
    """A member who signed up an hour ago."""
    return make_user("newcomer", date_joined=clock.now - timedelta(hours=1))


def reply_to(client, topic, body, **data):
    return client.post(
        reverse("forum:reply", args=[topic.opening_post.pk]),
        {"subject": "Re: the topic", "body": body, **data},
    )


def replies_by(user):
    return Post.objects.filter(author=user).count()


def assert_refused_keeping(response, *typed):
    assert response.status_code == 429
    page = response.content.decode()
    assert "Please slow down" in page
    assert "your text is kept below" in page
    for text in typed:
        assert text in page
    assert int(response["Retry-After"]) > 0
    return page


def test_a_member_posts_five_replies_a_minute_and_the_sixth_waits(client, clock, topic, member):
    client.force_login(member)
    for n in range(5):
        assert reply_to(client, topic, f"Thought number {n}.").status_code == 302
        clock.advance(seconds=5)

    response = reply_to(client, topic, "A sixth thought, typed with care.")

    page = assert_refused_keeping(response, "A sixth thought, typed with care.", "Re: the topic")
    assert "You can post at most 5 replies a minute." in page
    assert replies_by(member) == 5
    clock.advance(minutes=1)
    assert reply_to(client, topic, "A sixth thought, typed with care.").status_code == 302
    assert replies_by(member) == 6


def test_a_day_limit_holds_until_the_next_day(client, clock, settings, topic, member):
    settings.FORUM_REPLIES_PER_DAY = 3
    client.force_login(member)
    for n in range(3):
        assert reply_to(client, topic, f"Reply {n}").status_code == 302
        clock.advance(minutes=5)

    page = assert_refused_keeping(reply_to(client, topic, "One more today"), "One more today")
    assert "You have posted 3 replies today, the most a day." in page

    clock.advance(hours=12)
    assert reply_to(client, topic, "One more today").status_code == 429
    clock.advance(hours=12)
    assert reply_to(client, topic, "One more today").status_code == 302
    assert replies_by(member) == 4


def test_accounts_younger_than_a_day_have_the_stricter_limits(
    client, clock, settings, topic, newcomer
):
    settings.FORUM_NEW_MEMBER_REPLIES_PER_DAY = 3
    client.force_login(newcomer)
    assert reply_to(client, topic, "Hello, I am new").status_code == 302
    assert reply_to(client, topic, "And I have a question").status_code == 302

    page = assert_refused_keeping(reply_to(client, topic, "A third at once"), "A third at once")
    assert "at most 2 replies a minute" in page

    clock.advance(minutes=1)
    assert reply_to(client, topic, "A third at once").status_code == 302
    clock.advance(minutes=1)
    page = assert_refused_keeping(reply_to(client, topic, "A fourth"), "A fourth")
    assert "You have posted 3 replies today" in page

    # A day after signing up (and in the next day's window): the usual limits.
    clock.advance(hours=23)
    for n in range(5):
        assert reply_to(client, topic, f"Old hand now {n}").status_code == 302
    assert replies_by(newcomer) == 8


def test_the_same_text_twice_within_ten_minutes_is_refused(client, clock, topic, member):
    client.force_login(member)
    first = make_reply(topic, subject="A thread")
    assert reply_to(client, topic, "Buy cheap watches at example.org").status_code == 302
    clock.advance(minutes=9)

    # Case, spacing and Unicode forms do not make it new.
    response = client.post(
        reverse("forum:reply", args=[first.pk]),
        {"subject": "Another subject", "body": "  BUY cheap\n\nwatches at ｅxample.org "},
    )

    page = assert_refused_keeping(response, "watches at ｅxample.org", "Another subject")
    assert "You posted this same text less than 10 minutes ago." in page
    assert replies_by(member) == 1
    assert reply_to(client, topic, "Something else entirely").status_code == 302
    clock.advance(minutes=1)
    assert reply_to(client, topic, "Buy cheap watches at example.org").status_code == 302
    assert replies_by(member) == 3


def test_a_refused_reply_leaves_its_text_free_to_post_later(client, clock, settings, topic, member):
    settings.FORUM_REPLIES_PER_MINUTE = 1
    client.force_login(member)
    assert reply_to(client, topic, "First").status_code == 302
    assert reply_to(client, topic, "Second, refused for speed").status_code == 429
    clock.advance(minutes=1)
    assert reply_to(client, topic, "Second, refused for speed").status_code == 302


def test_facilitators_in_their_topic_and_moderators_have_no_reply_limits(
    client, clock, settings, topic, facilitator, facilitator_elsewhere, moderator
):
    settings.FORUM_REPLIES_PER_MINUTE = settings.FORUM_NEW_MEMBER_REPLIES_PER_MINUTE = 1
    for user in (facilitator, moderator):
        client.force_login(user)
        for n in range(4):
            assert reply_to(client, topic, f"Welcome {user.pk} {n}").status_code == 302
    client.force_login(facilitator_elsewhere)
    assert reply_to(client, topic, "Visiting").status_code == 302
    assert reply_to(client, topic, "Visiting again").status_code == 429
    # The same text twice is refused whoever posts it.
    client.force_login(facilitator)
    assert reply_to(client, topic, f"Welcome {facilitator.pk} 0").status_code == 429


def test_limits_set_to_zero_are_off(client, clock, settings, topic, member):
    settings.FORUM_REPLIES_PER_MINUTE = 0
    settings.FORUM_DUPLICATE_POST_MINUTES = 0
    client.force_login(member)
    for _n in range(8):
        assert reply_to(client, topic, "Again and again").status_code == 302
    assert replies_by(member) == 8


def test_flags_per_day(client, clock, settings, topic, member):
    settings.FORUM_FLAGS_PER_DAY = 2
    posts = [make_reply(topic, body=f"Spam {n}") for n in range(3)]
    client.force_login(member)
    for post in posts[:2]:
        response = client.post(reverse("forum:post_flag", args=[post.pk]), {"reason": "spam"})
        assert response.status_code == 302

    response = client.post(
        reverse("forum:post_flag", args=[posts[2].pk]),
        {"reason": "other", "text": "Same advert as the others"},
    )

    page = assert_refused_keeping(response, "Same advert as the others")
    assert "You have flagged 2 posts today, the most a day." in page
    assert re.search(r'value="other"[^>]* checked', page)
    assert Flag.objects.filter(flagger=member).count() == 2
    clock.advance(days=1)
    response = client.post(
        reverse("forum:post_flag", args=[posts[2].pk]),
        {"reason": "other", "text": "Same advert as the others"},
    )
    assert response.status_code == 302
    assert Flag.objects.filter(flagger=member).count() == 3


@pytest.mark.parametrize("page", ["reply", "topic_create", "post_edit"])
def test_previews_per_minute(client, clock, settings, category, topic, page):
    settings.FORUM_PREVIEWS_PER_MINUTE = 2
    author = make_facilitator(category=category, date_joined=clock.now - timedelta(days=3))
    own = make_reply(topic, author=author)
    url, data = {
        "reply": (reverse("forum:reply", args=[topic.opening_post.pk]), {"subject": "S"}),
        "topic_create": (reverse("forum:topic_create", args=[category.slug]), {"title": "T"}),
        "post_edit": (reverse("forum:post_edit", args=[own.pk]), {"subject": "S"}),
    }[page]
    client.force_login(author)
    data |= {"body": "Draft **one**", "preview": "1"}
    for _n in range(2):
        response = client.post(url, data)
        assert response.status_code == 200 and "<strong>one</strong>" in response.content.decode()

    content = assert_refused_keeping(client.post(url, data), "Draft **one**")
    assert "You can preview at most 2 times a minute." in content
    assert "<strong>one</strong>" not in content
    clock.advance(minutes=1)
    assert client.post(url, data).status_code == 200


def test_topics_per_day(client, clock, settings, category):
    settings.FORUM_TOPICS_PER_DAY = 1
    # A member where members may start topics: the limit applies.
    category.topic_starters = Category.TopicStarters.MEMBERS
    category.save()
    opener = verified(make_user(date_joined=clock.now - timedelta(days=30)))
    client.force_login(opener)
    url = reverse("forum:topic_create", args=[category.slug])
    assert client.post(url, {"title": "First", "body": "One."}).status_code == 302

    response = client.post(url, {"title": "Second topic", "body": "Guiding questions..."})

    page = assert_refused_keeping(response, "Second topic", "Guiding questions...")
    assert "You have opened 1 topic today, the most a day." in page
    assert Topic.objects.filter(author=opener).count() == 1
    clock.advance(days=1)
    assert client.post(url, {"title": "Second topic", "body": "Guiding questions..."}).status_code
    assert Topic.objects.filter(author=opener).count() == 2


def test_facilitators_of_the_category_have_no_topic_limit(client, clock, settings, category):
    settings.FORUM_TOPICS_PER_DAY = 1
    client.force_login(make_facilitator(category=category))
    url = reverse("forum:topic_create", args=[category.slug])
    for n in range(3):
        assert client.post(url, {"title": f"T{n}", "body": f"B{n}"}).status_code == 302


# One post per submitted form.


def token_in(response) -> str:
    return re.search(r'name="submission" value="([^"]+)"', response.content.decode()).group(1)


def test_every_post_form_carries_its_own_token(client, topic, member):
    client.force_login(member)
    url = reverse("forum:reply", args=[topic.opening_post.pk])
    first, second = token_in(client.get(url)), token_in(client.get(url))
    assert first != second and len(first) >= 16
    assert token_in(client.get(topic.get_absolute_url()))


def test_a_double_submitted_reply_makes_one_post(client, clock, topic, member):
    client.force_login(member)
    url = reverse("forum:reply", args=[topic.opening_post.pk])
    data = {
        "subject": "Re: x",
        "body": "Sent twice by a double click",
        "submission": token_in(client.get(url)),
    }

    first = client.post(url, data)
    second = client.post(url, data, follow=True)

    post = Post.objects.get(body="Sent twice by a double click")
    assert first.status_code == 302 and first.url == post.get_absolute_url()
    assert second.redirect_chain[0] == (post.get_absolute_url(), 302)
    assert "Your reply was already posted." in second.content.decode()
    assert topic.posts.count() == 2
    topic.refresh_from_db()
    assert topic.post_count == 2


def test_a_double_submitted_topic_opens_once(client, clock, category, facilitator):
    client.force_login(facilitator)
    url = reverse("forum:topic_create", args=[category.slug])
    data = {"title": "Once only", "body": "Opening.", "submission": token_in(client.get(url))}

    first = client.post(url, data)
    second = client.post(url, data)

    topic = Topic.objects.get(title="Once only")
    assert first.url == second.url == topic.get_absolute_url()
    assert Topic.objects.count() == 1


def test_a_double_submitted_edit_saves_once(client, clock, reply, post_author, moderator):
    client.force_login(post_author)
    url = reverse("forum:post_edit", args=[reply.pk])
    data = {"subject": reply.subject, "body": "Corrected.", "submission": token_in(client.get(url))}
    assert client.post(url, data).status_code == 302
    reply.refresh_from_db()
    reply.edit(by=moderator, subject=reply.subject, body="Corrected again by a moderator.")

    # The same form arriving again (a resend) changes nothing.
    assert client.post(url, data).url == reply.get_absolute_url()

    reply.refresh_from_db()
    assert reply.body == "Corrected again by a moderator."
    assert reply.revisions.count() == 2


def test_a_refused_submit_can_be_sent_again_with_its_token(client, clock, settings, topic, member):
    settings.FORUM_REPLIES_PER_MINUTE = 1
    client.force_login(member)
    assert reply_to(client, topic, "First").status_code == 302
    url = reverse("forum:reply", args=[topic.opening_post.pk])
    data = {
        "subject": "Re",
        "body": "Refused, then sent again",
        "submission": token_in(client.get(url)),
    }
    refused = client.post(url, data)
    assert refused.status_code == 429 and token_in(refused) == data["submission"]
    clock.advance(minutes=1)
    assert client.post(url, data).status_code == 302
    assert Post.objects.filter(body="Refused, then sent again").count() == 1


def test_a_second_submit_while_the_first_is_still_saving_makes_nothing(
    client, monkeypatch, topic, member
):
    monkeypatch.setattr(limits, "WAIT_STEP", 0)
    client.force_login(member)
    url = reverse("forum:reply", args=[topic.opening_post.pk])
    token = token_in(client.get(url))
    # The first request has claimed the token and not finished.
    assert limits.Submission(member, token).claim() is None

    response = client.post(url, {"subject": "Re", "body": "Second click", "submission": token})

    assert response.status_code == 302 and response.url == topic.opening_post.get_absolute_url()
    assert not Post.objects.filter(body="Second click").exists()


def test_a_tampered_token_is_refused_with_the_text_kept(client, topic, member):
    client.force_login(member)
    response = reply_to(client, topic, "Kept words", submission="<script>")
    assert response.status_code == 200
    assert "This form has expired" in response.content.decode()
    assert "Kept words" in response.content.decode()
    assert not Post.objects.filter(body="Kept words").exists()


def test_tokens_belong_to_their_member(client, clock, topic, member, other_participant):
    other_participant.date_joined = clock.now - timedelta(days=9)
    other_participant.save()
    client.force_login(member)
    url = reverse("forum:reply", args=[topic.opening_post.pk])
    token = token_in(client.get(url))
    assert (
        client.post(url, {"subject": "S", "body": "Mine", "submission": token}).status_code == 302
    )
    client.force_login(other_participant)
    response = client.post(url, {"subject": "S", "body": "Theirs", "submission": token})
    assert response.url == Post.objects.get(body="Theirs").get_absolute_url()
