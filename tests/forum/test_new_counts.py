""" "N new" is arithmetic on stored counts (TopicRead.read_count), exact
through hiding, restoring and one's own posts, and reads no post of others:
the same cost with 0 or 50,000 unread."""

from forum.models import Topic
from tests.factories import make_reply, make_user


def new_count(topic, user):
    return Topic.objects.with_new_counts(user).get(pk=topic.pk).new_count


def test_the_count_stays_exact_when_read_posts_are_hidden_and_restored(
    client, topic, participant, moderator
):
    others = [make_reply(topic, author=make_user()) for _ in range(3)]
    client.force_login(participant)
    client.get(topic.get_absolute_url())  # reads everything
    assert new_count(topic, participant) == 0

    unread = make_reply(topic, author=make_user())
    assert new_count(topic, participant) == 1
    others[0].hide(by=moderator, reason="spam")
    assert new_count(topic, participant) == 1
    others[0].restore(by=moderator)
    assert new_count(topic, participant) == 1
    unread.hide(by=moderator, reason="spam")
    assert new_count(topic, participant) == 0
    unread.restore(by=moderator)
    assert new_count(topic, participant) == 1


def test_ones_own_posts_are_never_new(client, topic, participant):
    make_reply(topic, author=make_user())
    assert new_count(topic, participant) == 2  # the opening post and the reply
    make_reply(topic, author=participant)
    assert new_count(topic, participant) == 2
    client.force_login(participant)
    client.get(topic.get_absolute_url())
    assert new_count(topic, participant) == 0
    make_reply(topic, author=participant)
    assert new_count(topic, participant) == 0


def test_marking_everything_read_counts_what_was_read(client, topic, participant):
    for _ in range(4):
        make_reply(topic, author=make_user())
    make_reply(topic, author=participant)
    client.force_login(participant)
    client.post(f"/unread/t/{topic.pk}/mark-read/")
    assert new_count(topic, participant) == 0
    make_reply(topic, author=make_user())
    assert new_count(topic, participant) == 1


def test_the_count_reads_only_the_readers_own_posts(topic, participant):
    sql = str(Topic.objects.with_new_counts(participant).query)
    post_queries = sql.split('FROM "forum_post"')[1:]
    assert len(post_queries) == 1, sql
    # Filtered on the reader's own posts (the author/topic index), and never
    # on "posts after the watermark", which is as long as what is unread.
    assert post_queries[0].startswith(f' "U0" WHERE ("U0"."author_id" = {participant.pk} ')
    assert '"id" >' not in sql
