"""What exists but a person may not see answers exactly as what does not
exist (404, same page), so ids tell nothing. What they can see but may not
act on keeps its 403 and the reason."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from forum.models import Flag
from tests.factories import make_dialogue, make_reply

pytestmark = pytest.mark.django_db

MISSING = 999_999


@pytest.fixture
def hidden(topic, moderator):
    post = make_reply(topic, subject="Hidden one", body="Hidden text.")
    post.hide(by=moderator)
    return post


@pytest.fixture
def flag(reply, other_participant):
    return reply.flag(by=other_participant, reason=Flag.Reason.SPAM)


@pytest.fixture
def dialogue_topic(topic):
    now = timezone.now()
    make_dialogue(topic, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=1))
    return topic


# (view, method, the existing id it is asked about, POST data)
CASES = [
    ("forum:post_revisions", "get", "reply", None),
    ("forum:reply", "get", "hidden", None),
    ("forum:post_edit", "get", "hidden", None),
    ("forum:post_edit", "post", "hidden", {"subject": "S", "body": "B"}),
    ("forum:post_flag", "get", "hidden", None),
    ("forum:post_flag", "post", "hidden", {"reason": "spam"}),
    ("forum:post_pin", "post", "hidden", {"pin": "1"}),
    ("forum:post_hide", "get", "hidden", None),
    ("forum:post_restore", "post", "hidden", None),
    ("forum:topic_log", "get", "topic", None),
    ("forum:flag_resolve", "post", "flag", {"decision": "dismiss"}),
    ("dialogues:participation", "get", "dialogue_topic", None),
]


@pytest.mark.parametrize("who", ["participant", "facilitator_elsewhere"])
@pytest.mark.parametrize("view, method, target, data", CASES)
def test_a_forbidden_id_answers_like_a_missing_one(
    client, request, who, view, method, target, data
):
    obj = request.getfixturevalue(target)
    client.force_login(request.getfixturevalue(who))
    send = getattr(client, method)

    existing = send(reverse(view, args=[obj.pk]), data or {})
    missing = send(reverse(view, args=[MISSING]), data or {})

    assert missing.status_code == 404
    assert existing.status_code == 404
    assert existing.content == missing.content


def test_the_moderation_queue_does_not_exist_for_participants(client, participant, flag):
    client.force_login(participant)
    queue = client.get(reverse("forum:moderation_queue"))
    nothing = client.get("/moderation/no-such-page/")
    assert queue.status_code == nothing.status_code == 404
    assert queue.content == nothing.content


def test_a_reply_typed_before_the_post_was_hidden_comes_back_with_a_404(
    client, participant, hidden
):
    client.force_login(participant)
    url = reverse("forum:reply", args=[hidden.pk])
    response = client.post(url, {"subject": "Re", "body": "My careful answer."})
    assert response.status_code == 404
    assert "My careful answer." in response.content.decode()
    assert "Hidden text." not in response.content.decode()


def test_what_a_person_sees_but_may_not_act_on_keeps_its_403(
    client, participant, topic, reply, facilitator
):
    client.force_login(participant)
    assert client.post(reverse("forum:post_hide", args=[reply.pk])).status_code == 403
    assert client.post(reverse("forum:topic_lock", args=[topic.pk])).status_code == 403
    topic.lock(by=facilitator, reason="The dialogue has ended")
    response = client.post(
        reverse("forum:reply", args=[reply.pk]), {"subject": "Re", "body": "Typed meanwhile."}
    )
    assert response.status_code == 403
    assert "locked" in response.content.decode() and "Typed meanwhile." in response.content.decode()
