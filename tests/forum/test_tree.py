"""The reply tree: order, depth, child numbering and "Re:" subjects."""

import pytest

from forum import tree
from tests.factories import make_reply


def subjects_in_tree_order(topic):
    return list(topic.posts.replies().order_by("path").values_list("subject", flat=True))


def test_replies_are_listed_in_tree_order_parent_before_children(topic):
    a = make_reply(topic, subject="A")
    b = make_reply(topic, subject="B")
    a1 = make_reply(topic, parent=a, subject="A1")
    make_reply(topic, parent=b, subject="B1")
    make_reply(topic, parent=a1, subject="A1a")
    make_reply(topic, parent=a, subject="A2")

    assert subjects_in_tree_order(topic) == ["A", "A1", "A1a", "A2", "B", "B1"]


def test_depth_counts_levels_below_the_opening_post(topic):
    a = make_reply(topic)
    a1 = make_reply(topic, parent=a)
    a1a = make_reply(topic, parent=a1)

    assert (topic.opening_post.depth, a.depth, a1.depth, a1a.depth) == (0, 1, 2, 3)
    assert a1a.parent == a1


def test_tenth_and_hundredth_siblings_still_sort_after_the_ninth(topic):
    replies = [make_reply(topic, subject=f"R{i}") for i in range(1, 12)]
    child = make_reply(topic, parent=replies[8], subject="R9 child")

    order = subjects_in_tree_order(topic)
    assert order == ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R9 child", "R10", "R11"]
    assert child.path.startswith(replies[8].path)


@pytest.mark.parametrize("low,high", [(1, 2), (9, 10), (99, 100), (12345, 99999), (999, 1000000)])
def test_encoded_child_numbers_sort_like_numbers(low, high):
    assert tree.encode(low) < tree.encode(high)


def test_replies_deeper_than_the_limit_sort_under_their_parent_and_keep_what_they_answer(
    topic, settings
):
    post = topic.opening_post
    chain = []
    for _ in range(tree.MAX_DEPTH + 2):
        post = make_reply(topic, parent=post, body="deeper")
        chain.append(post)

    deepest = chain[-1]
    assert deepest.parent == chain[-2]
    assert deepest.depth == tree.MAX_DEPTH
    assert len(deepest.path) <= tree.MAX_DEPTH * 10
    assert list(topic.posts.replies().order_by("path")) == chain


def test_reply_subject_defaults_to_re_parent_subject(client, participant, topic):
    parent = make_reply(topic, subject="Authentic relationships")
    client.force_login(participant)

    response = client.get(f"/p/{parent.pk}/reply/")

    assert 'value="Re: Authentic relationships"' in response.text


def test_reply_to_a_reply_does_not_stack_re_prefixes(topic):
    parent = make_reply(topic, subject="Re: Consent forms")
    assert parent.reply_subject() == "Re: Consent forms"


def test_reply_to_a_post_of_another_topic_is_refused(topic, category, participant):
    from tests.factories import make_topic

    other = make_topic(category=category)
    with pytest.raises(ValueError):
        topic.add_reply(author=participant, parent=other.opening_post, subject="x", body="y")
