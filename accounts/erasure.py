"""What deleting an account erases besides the account's own fields: the
person's words wherever they were copied (emails, flags, earlier versions,
subjects quoted by replies, log entries), their sessions, roles and mail,
and in "remove" mode the text of their posts. Called by
User.delete_account inside its transaction."""

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.text import slugify

from forum import markup
from forum.models import Flag, ModerationLog, Post, PostRevision, Topic
from search.indexing import reindex as reindex_search

from . import sessions
from .models import REMOVED_TEXT


def erase_words(user, *, remove_text: bool) -> None:
    """Copies of the person's words go in both modes; with remove_text the
    posts' subjects and bodies (and topic titles) are replaced too."""
    from dialogues.models import ConversationLeader, DigestEntry, OutgoingEmail, Resource

    own = list(Post.objects.filter(author=user).values_list("pk", flat=True))
    quoting = _replies_quoting_subjects_of(user)

    # Every stored or pending email showing their words or name, to anyone,
    # and every email to them.
    carrying = OutgoingEmail.posts.through.objects.filter(post_id__in=own + quoting)
    OutgoingEmail.objects.filter(pk__in=carrying.values("outgoingemail_id")).delete()
    to_them = Q(recipient=user) | (Q(to__iexact=user.email) if user.email else Q(pk__in=[]))
    OutgoingEmail.objects.filter(to_them).delete()
    DigestEntry.objects.filter(Q(user=user) | Q(post_id__in=own)).delete()

    Flag.objects.filter(flagger=user).update(text="")
    PostRevision.objects.filter(post__author=user).delete()
    # A leader's badge and introduction would tell who "Former participant" was.
    ConversationLeader.objects.filter(user=user).delete()

    if remove_text:
        removed_reply = Post(subject=REMOVED_TEXT).reply_subject()
        Post.objects.filter(pk__in=own).update(
            subject=REMOVED_TEXT, body=REMOVED_TEXT, body_html=markup.render(REMOVED_TEXT)
        )
        Post.objects.filter(pk__in=quoting).update(subject=removed_reply)
        # A topic's title is its opening post's subject.
        topics = list(Topic.objects.filter(author=user).values_list("pk", flat=True))
        Topic.objects.filter(pk__in=topics).update(
            title=REMOVED_TEXT, slug=slugify(REMOVED_TEXT)[:80]
        )
        Resource.objects.filter(post_id__in=own).delete()
        # The search index holds a plain-text copy of every post and title.
        reindex_search(own + quoting, topics)
        # Log entries name their target as it was called then.
        ModerationLog.objects.filter(post_id__in=own).update(target=REMOVED_TEXT)
        ModerationLog.objects.filter(post_id__in=quoting).update(target=removed_reply)
        ModerationLog.objects.filter(post__isnull=True, topic_id__in=topics).update(
            target=REMOVED_TEXT
        )
        # Renames in the admin keep the titles before and after.
        ModerationLog.objects.filter(
            topic_id__in=topics, action=ModerationLog.Action.EDIT_TOPIC
        ).update(reason=REMOVED_TEXT)
        _rename_in_admin_log(Post, own, REMOVED_TEXT)
        _rename_in_admin_log(Post, quoting, removed_reply)
        _rename_in_admin_log(Topic, topics, REMOVED_TEXT)


def _replies_quoting_subjects_of(user) -> list[int]:
    """Other people's replies whose subject is the default "Re: <subject>"
    of a subject this person chose (a subject they inherited the same way
    is not theirs). Replies of replies keep "Re: <subject>", so the whole
    branch below counts."""
    quoting = []
    chosen = Post.objects.filter(author=user, child_count__gt=0).select_related("parent")
    for post in chosen.only("pk", "topic_id", "path", "subject", "parent__subject"):
        if post.parent is not None and post.subject == post.parent.reply_subject():
            continue
        quoting += (
            Post.objects.filter(
                topic_id=post.topic_id, path__startswith=post.path, subject=post.reply_subject()
            )
            .exclude(author=user)
            .values_list("pk", flat=True)
        )
    return quoting


def forget_name(user, name: str) -> None:
    """Where their name was written down as text: the moderation log and the
    admin's history name what they acted on."""
    ModerationLog.objects.filter(user=user).update(target=name)
    _rename_in_admin_log(type(user), [user.pk], name)


def _rename_in_admin_log(model, pks, name: str) -> None:
    if pks:
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=[str(pk) for pk in pks],
        ).update(object_repr=name[:200])


def end_sessions(user) -> None:
    """Their listed sessions, and any other session that names them: one
    signed in without the list, or a login abandoned at the two-factor step."""
    from allauth.usersessions.models import UserSession

    for session in UserSession.objects.filter(user=user):
        session.end()
    for store, data in sessions.stored_sessions():
        if sessions.user_id_of(data) == str(user.pk):
            store.delete()
