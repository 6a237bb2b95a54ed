"""manage.py repair_counters recounts what the models keep denormalised and
says what it fixed."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum.models import Post, Topic
from tests.factories import make_reply, make_topic

pytestmark = pytest.mark.django_db


def repair(*args):
    out = StringIO()
    call_command("repair_counters", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def thread(topic, moderator):
    first = make_reply(topic, subject="First")
    answer = make_reply(topic, parent=first, subject="Answer")
    make_reply(topic, parent=first, subject="Second answer")
    hidden = make_reply(topic, subject="Latest, then hidden")
    hidden.hide(by=moderator)
    topic.refresh_from_db()
    return {"topic": topic, "first": first, "answer": answer, "hidden": hidden}


def state(topic):
    topic.refresh_from_db()
    children = dict(topic.posts.values_list("pk", "child_count"))
    return topic.post_count, topic.last_post_id, topic.last_post_at, children


def test_corrupted_counters_are_recounted_and_reported(thread):
    topic, first, answer = thread["topic"], thread["first"], thread["answer"]
    right = state(topic)
    assert right[0] == 4 and right[1] == Post.objects.get(subject="Second answer").pk
    Topic.objects.filter(pk=topic.pk).update(post_count=99, last_post=thread["hidden"])
    Post.objects.filter(pk=first.pk).update(child_count=0)
    Post.objects.filter(pk=answer.pk).update(child_count=7)

    report = repair()

    assert state(topic) == right
    assert f"topic {topic.pk}: post_count 99 -> 4" in report
    assert f"topic {topic.pk}: last post {thread['hidden'].pk} -> {right[1]}" in report
    assert f"post {first.pk}: child_count 0 -> 2" in report
    assert f"post {answer.pk}: child_count 7 -> 0" in report
    assert report.strip().endswith(
        "Checked 1 topic and 5 posts: fixed 1 post count, 1 last post, 2 child counts."
    )
    # The repaired count gives the next reply a free place in the tree.
    assert make_reply(topic, parent=first).path == first.path + "13"


def test_a_wrong_last_post_time_is_fixed(thread):
    topic = thread["topic"]
    right = state(topic)
    Topic.objects.filter(pk=topic.pk).update(last_post_at=topic.created_at)
    assert "last post" in repair()
    assert state(topic) == right


def test_right_counters_are_left_alone(thread):
    right = state(thread["topic"])
    assert repair().strip() == "Checked 1 topic and 5 posts: all counters were right."
    assert state(thread["topic"]) == right


def test_a_dry_run_reports_and_changes_nothing(thread):
    topic = thread["topic"]
    Topic.objects.filter(pk=topic.pk).update(post_count=0)
    report = repair("--dry-run")
    assert "would fix 1 post count" in report
    topic.refresh_from_db()
    assert topic.post_count == 0


def test_its_queries_do_not_grow_with_the_posts(category):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            repair()
        return len(captured)

    topic = make_topic(category=category)
    for _n in range(5):
        make_reply(topic)
    few = queries()
    for _n in range(40):
        make_reply(topic, parent=topic.posts.order_by("-pk").first())
    assert queries() == few
