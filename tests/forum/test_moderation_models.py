"""The moderation rules on the models: what each action stores and logs."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import IntegrityError, transaction

from forum.management.commands.setup_roles import MODERATORS, setup_roles
from forum.models import FacilitatorAssignment, Flag, ModerationLog, Topic, TopicRead
from tests.factories import make_reply, make_user

pytestmark = pytest.mark.django_db
Action = ModerationLog.Action


def test_lock_records_who_when_why_and_logs_it(topic, facilitator):
    topic.lock(by=facilitator, reason="The dialogue has ended")
    topic.refresh_from_db()
    assert topic.is_locked and topic.locked_by == facilitator and topic.locked_at
    assert topic.lock_reason == "The dialogue has ended"
    entry = ModerationLog.objects.get()
    assert (entry.action, entry.actor, entry.topic) == (Action.LOCK, facilitator, topic)
    assert entry.reason == "The dialogue has ended"


def test_unlock_clears_the_lock_and_logs_it(topic, facilitator):
    topic.lock(by=facilitator)
    topic.unlock(by=facilitator)
    topic.refresh_from_db()
    assert not topic.is_locked and topic.locked_by is None and topic.lock_reason == ""
    assert list(ModerationLog.objects.order_by("pk").values_list("action", flat=True)) == [
        Action.LOCK,
        Action.UNLOCK,
    ]


def test_sticky_and_unsticky_are_logged(topic, moderator):
    topic.set_sticky(True, by=moderator)
    assert Topic.objects.get(pk=topic.pk).is_sticky
    topic.set_sticky(False, by=moderator)
    assert not Topic.objects.get(pk=topic.pk).is_sticky
    assert set(ModerationLog.objects.values_list("action", flat=True)) == {
        Action.STICKY,
        Action.UNSTICKY,
    }


def test_pinned_posts_are_ordered_by_pin_time_and_exclude_hidden(topic, facilitator):
    first, second, third = (make_reply(topic) for _ in range(3))
    second.pin(by=facilitator)
    first.pin(by=facilitator)
    third.pin(by=facilitator)
    third.hide(by=facilitator)
    assert list(topic.posts.pinned()) == [second, first]
    first.unpin(by=facilitator)
    assert list(topic.posts.pinned()) == [second]
    assert ModerationLog.objects.filter(action=Action.UNPIN, post=first).exists()


def test_hiding_a_post_takes_it_out_of_the_counters_and_restoring_puts_it_back(topic, facilitator):
    older = make_reply(topic)
    latest = make_reply(topic)
    topic.refresh_from_db()
    assert topic.post_count == 3 and topic.last_post == latest

    latest.hide(by=facilitator, reason="spam")
    topic.refresh_from_db()
    assert topic.post_count == 2
    assert topic.last_post == older and topic.last_post_at == older.created_at
    assert latest.is_hidden and latest.hidden_by == facilitator and latest.hidden_reason == "spam"

    latest.hide(by=facilitator)  # twice: no double count
    topic.refresh_from_db()
    assert topic.post_count == 2

    latest.restore(by=facilitator)
    topic.refresh_from_db()
    assert topic.post_count == 3 and topic.last_post == latest
    assert [e.action for e in ModerationLog.objects.order_by("pk")] == [Action.HIDE, Action.RESTORE]


def test_hidden_post_keeps_its_place_in_the_tree(topic, facilitator):
    parent = make_reply(topic)
    child = make_reply(topic, parent=parent)
    parent.hide(by=facilitator)
    posts, _ = topic.posts.tree_page(size=10)
    assert posts == [parent, child]


def test_the_opening_post_cannot_be_hidden(topic, facilitator):
    with pytest.raises(ValueError):
        topic.opening_post.hide(by=facilitator)


def test_hidden_posts_are_never_counted_as_new(topic, facilitator, participant):
    visible = make_reply(topic)
    hidden = make_reply(topic)
    hidden.hide(by=facilitator)
    assert Topic.objects.with_new_counts(participant).get(pk=topic.pk).new_count == 2
    marker = TopicRead(user=participant, topic=topic)
    assert not marker.is_unread(hidden, participant)
    assert marker.is_unread(visible, participant)


def test_hiding_a_post_read_out_of_order_keeps_the_new_count_exact(topic, facilitator, participant):
    first = make_reply(topic)
    second = make_reply(topic)
    marker = TopicRead(user=participant, topic=topic)
    marker.mark_read([topic.opening_post, second])
    assert marker.extra_read_ids == [second.pk]
    assert Topic.objects.with_new_counts(participant).get(pk=topic.pk).new_count == 1

    second.hide(by=facilitator)
    assert TopicRead.objects.get(user=participant).extra_read_ids == []
    assert Topic.objects.with_new_counts(participant).get(pk=topic.pk).new_count == 1
    marker = TopicRead.objects.get(user=participant)
    marker.topic.refresh_from_db()
    marker.mark_read([first])
    assert Topic.objects.with_new_counts(participant).get(pk=topic.pk).new_count == 0


def test_reading_past_a_hidden_post_moves_the_watermark_over_it(topic, facilitator, participant):
    first = make_reply(topic)
    hidden = make_reply(topic)
    third = make_reply(topic)
    hidden.hide(by=facilitator)
    marker = TopicRead(user=participant, topic=topic)
    marker.mark_read([topic.opening_post, third])
    marker.mark_read([first])
    assert marker.last_read_post_id == third.pk and marker.extra_read_ids == []


def test_edit_keeps_the_previous_version_and_marks_the_post_edited(reply, post_author):
    reply.edit(by=post_author, subject="Better subject", body="Better text.")
    reply.refresh_from_db()
    assert reply.body == "Better text." and "Better text." in reply.body_html
    assert reply.edited_at is not None
    revision = reply.revisions.get()
    assert (revision.subject, revision.body) == ("My experience", "Original text.")
    assert revision.replaced_by == post_author
    assert not ModerationLog.objects.exists()  # an author's own edit is not moderation


def test_editing_the_opening_posts_subject_renames_the_topic(topic, facilitator):
    topic.opening_post.edit(by=facilitator, subject="A clearer title", body="Same body.")
    assert Topic.objects.get(pk=topic.pk).title == "A clearer title"


def test_edit_by_someone_else_is_logged(reply, moderator):
    reply.edit(by=moderator, subject=reply.subject, body="Moderated text.")
    assert ModerationLog.objects.get().action == Action.EDIT


def test_an_unchanged_edit_keeps_no_revision(reply, post_author):
    reply.edit(by=post_author, subject=reply.subject, body=reply.body)
    assert not reply.revisions.exists() and reply.edited_at is None


def test_a_user_can_flag_a_post_only_once(reply, participant):
    reply.flag(by=participant, reason=Flag.Reason.SPAM)
    with pytest.raises(IntegrityError), transaction.atomic():
        reply.flag(by=participant, reason=Flag.Reason.ABUSE)


def test_resolving_by_hiding_hides_the_post_and_settles_every_open_flag(
    reply, participant, other_participant, moderator
):
    flag = reply.flag(by=participant, reason=Flag.Reason.SPAM)
    reply.flag(by=other_participant, reason=Flag.Reason.OTHER, text="Advert")
    flag.resolve(by=moderator, hide=True, note="Advert")
    reply.refresh_from_db()
    assert reply.is_hidden and reply.hidden_reason == "Advert"
    assert set(Flag.objects.values_list("status", flat=True)) == {Flag.Status.HIDDEN}
    assert set(ModerationLog.objects.values_list("action", flat=True)) == {
        Action.HIDE,
        Action.FLAG_RESOLVED,
    }


def test_dismissing_a_flag_leaves_the_post_visible(reply, participant, facilitator):
    flag = reply.flag(by=participant, reason=Flag.Reason.ABUSE)
    flag.resolve(by=facilitator, hide=False)
    reply.refresh_from_db()
    assert not reply.is_hidden
    flag.refresh_from_db()
    assert flag.status == Flag.Status.DISMISSED and flag.resolved_by == facilitator
    assert ModerationLog.objects.get().action == Action.FLAG_RESOLVED


def test_assigning_and_revoking_a_facilitator_is_logged(other_category, admin_user):
    person = make_user()
    assignment = FacilitatorAssignment(user=person, category=other_category)
    assignment.assign(by=admin_user)
    assignment.revoke(by=admin_user)
    assert not FacilitatorAssignment.objects.exists()
    entries = ModerationLog.objects.filter(action=Action.ROLE_CHANGED, user=person)
    assert entries.count() == 2


def test_an_assignment_is_for_a_category_or_a_topic_not_both(topic, category):
    with pytest.raises(IntegrityError), transaction.atomic():
        FacilitatorAssignment.objects.create(user=make_user(), category=category, topic=topic)
    with pytest.raises(IntegrityError), transaction.atomic():
        FacilitatorAssignment.objects.create(user=make_user())


def test_setup_roles_is_idempotent_and_gives_moderators_their_permissions():
    call_command("setup_roles")
    call_command("setup_roles")
    group = Group.objects.get(name=MODERATORS)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"moderate_forum", "change_post", "view_moderationlog"} <= codenames
    assert Group.objects.filter(name=MODERATORS).count() == 1
    suspend = Permission.objects.filter(codename="suspend_user", content_type__app_label="accounts")
    assert ("suspend_user" in codenames) == suspend.exists()
    assert setup_roles()[MODERATORS] == group


def test_demo_content_has_a_category_facilitator_who_scheduled_its_dialogues(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    facilitator = FacilitatorAssignment.objects.get().user
    assert facilitator.username == "facilitator"
    scheduled = ModerationLog.objects.filter(action=Action.SCHEDULE)
    assert scheduled.count() == Topic.objects.scheduled().count() == 3
    assert {entry.actor for entry in scheduled} == {facilitator}
