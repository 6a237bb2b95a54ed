"""Who may do what: the only place roles are interpreted. Views, templates
(through forum_tags filters) and the admin all ask these functions.

What a person may not see answers 404, as if it did not exist, so that
ids tell nothing (check_view_*); what they see but may not do answers 403
with the reason (the other check_*).

Roles:
- participant: any active, not suspended user; starts topics where the
  category lets members (Category.topic_starters) and their address is verified;
- facilitator: a FacilitatorAssignment for a category or a topic; moderates
  inside it (lock, pin, hide, edit, sticky, flags, its moderation log) and
  starts topics in the categories assigned;
- moderator: the forum.moderate_forum permission (the "Moderators" group made
  by `manage.py setup_roles`): a facilitator everywhere, and sees who flagged;
- admin: a superuser, who has every permission.

A role gives its powers only to an active, unsuspended person with a second
factor when FORUM_STAFF_REQUIRE_MFA is on, whichever door they use: the pages
or the admin (see "The back office" below).
"""

import functools
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, IntegerField, OuterRef, Q, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Category, FacilitatorAssignment, Post, Topic


def _not_found():
    return Http404(_("There is no such page."))


def _active(user) -> bool:
    return user.is_authenticated and user.is_active


def _moderator_grants(user_id):
    """The grants of forum.moderate_forum to `user_id` (a pk, or an OuterRef)."""
    return Permission.objects.filter(
        content_type__app_label="forum", codename="moderate_forum"
    ).filter(Q(user=user_id) | Q(group__user=user_id))


def is_moderator(user) -> bool:
    """Holds forum.moderate_forum, directly or through a group. Asked with one
    query (has_perm() costs two) and remembered on the user object."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    if getattr(user, "_forum_moderator", None) is None:
        user._forum_moderator = _moderator_grants(user.pk).exists()
    return user._forum_moderator


def _verified(user) -> bool:
    if getattr(user, "_forum_verified", None) is None:
        user._forum_verified = EmailAddress.objects.filter(user_id=user.pk, verified=True).exists()
    return user._forum_verified


def _suspension_refusal(user) -> str:
    return _("Your account is suspended until %(date)s: %(reason)s") % {
        "date": user.suspended_until.strftime("%Y-%m-%d"),
        "reason": user.suspension_reason,
    }


def _assignments_for(user, topic: Topic):
    return FacilitatorAssignment.objects.filter(
        Q(topic_id=topic.pk) | Q(category_id=topic.category_id), user_id=user.pk
    )


def facilitates_anywhere(user) -> bool:
    """Facilitator of at least one category or topic."""
    return _active(user) and FacilitatorAssignment.objects.filter(user_id=user.pk).exists()


def facilitates(user, topic: Topic) -> bool:
    """Facilitator of the topic or of its category. Remembered on the user
    object for the request, so templates can ask once per post for free."""
    if not _active(user):
        return False
    cache = _facilitated_topics(user)
    if topic.pk not in cache:
        cache[topic.pk] = _assignments_for(user, topic).exists()
    return cache[topic.pk]


def _facilitated_topics(user) -> dict:
    cache = getattr(user, "_forum_facilitated", None)
    if cache is None:
        cache = user._forum_facilitated = {}
    return cache


ROLE_ANNOTATIONS = (
    "roles_viewer_id",
    "viewer_has_mfa",
    "viewer_is_moderator",
    "viewer_facilitates",
)


def with_viewer_roles(topics, user, *, of: str = ""):
    """Annotate `topics` with the viewer's roles in each, and whether they
    have a second factor, so that a page showing one topic asks nothing
    more about roles (moderates() reads them). With of="topic__", annotate
    posts with those of their topic (then roles_to_topic(post))."""
    if not _active(user):
        return topics
    questions = _role_questions(of)
    topics = topics.annotate(
        roles_viewer_id=Value(user.pk, output_field=IntegerField()),
        viewer_has_mfa=questions["viewer_has_mfa"],
    )
    if user.is_superuser:
        return topics
    return topics.annotate(
        viewer_is_moderator=questions["viewer_is_moderator"],
        viewer_facilitates=questions["viewer_facilitates"],
    )


@functools.cache
def _role_questions(of: str) -> dict:
    """with_viewer_roles()'s subqueries, built once per process: they ask
    about the viewer through the `roles_viewer_id` annotation, so one
    expression serves every viewer (building them anew was a third of the
    topic query's cost)."""
    from allauth.mfa.models import Authenticator

    viewer = OuterRef("roles_viewer_id")
    assignments = FacilitatorAssignment.objects.filter(
        Q(topic_id=OuterRef(f"{of}pk")) | Q(category_id=OuterRef(f"{of}category_id")),
        user_id=viewer,
    )
    return {
        "viewer_has_mfa": Exists(Authenticator.objects.filter(user_id=viewer)),
        "viewer_is_moderator": Exists(_moderator_grants(viewer)),
        "viewer_facilitates": Exists(assignments),
    }


def roles_to_topic(post: Post) -> Post:
    """Move what with_viewer_roles(posts, user, of="topic__") read onto the
    post's topic, where moderates() looks."""
    for name in ROLE_ANNOTATIONS:
        if hasattr(post, name):
            setattr(post.topic, name, getattr(post, name))
    return post


def moderates(user, topic: Topic) -> bool:
    """Holds a moderator's or this topic's facilitator's role. Whether the
    tools can be used yet (a second factor) is _tools_locked()."""
    if not _active(user) or user.is_suspended():
        return False
    if getattr(topic, "roles_viewer_id", None) == user.pk:
        user._forum_has_mfa = topic.viewer_has_mfa
        if not user.is_superuser:
            user._forum_moderator = topic.viewer_is_moderator
            _facilitated_topics(user)[topic.pk] = topic.viewer_facilitates
    elif getattr(user, "_forum_moderator", None) is None and not user.is_superuser:
        # Both questions in one query.
        user._forum_moderator, _facilitated_topics(user)[topic.pk] = (
            Category.objects.filter(pk=topic.category_id)
            .annotate(
                moderator=Exists(_moderator_grants(user.pk)),
                facilitator=Exists(_assignments_for(user, topic)),
            )
            .values_list("moderator", "facilitator")
            .get()
        )
    return is_moderator(user) or facilitates(user, topic)


def _tools_locked(user) -> bool:
    """For someone who moderates (and so must_use_mfa()): whether the tools
    wait for a second factor, as staff_mfa_required enforces. Remembered on
    the user object, or read from with_viewer_roles(): pages ask it per post."""
    if not settings.FORUM_STAFF_REQUIRE_MFA:
        return False
    if getattr(user, "_forum_has_mfa", None) is None:
        user._forum_has_mfa = has_mfa(user)
    return not user._forum_has_mfa


def uses_tools(user, topic: Topic) -> bool:
    """Moderates the topic and can use the moderation tools now."""
    return moderates(user, topic) and not _tools_locked(user)


def needs_mfa_for_tools(user, topic: Topic) -> bool:
    """Moderates the topic but must set up two-factor authentication first:
    pages show a notice with the link instead of tools that would redirect."""
    return moderates(user, topic) and _tools_locked(user)


def moderated_topics(user, prefix: str = "") -> Q | None:
    """A filter for the topics `user` moderates (None: every topic), e.g.
    moderated_topics(user, "post__topic__") on flags."""
    if is_moderator(user):
        return None
    assigned = FacilitatorAssignment.objects.filter(user_id=user.pk)
    return Q(**{f"{prefix}category_id__in": assigned.values("category_id")}) | Q(
        **{f"{prefix}pk__in": assigned.values("topic_id")}
    )


# Topics


def start_topic_refusal(user, category: Category) -> str | None:
    """Why `user` may not open a topic in `category`, or None if they may.
    Moderators start topics anywhere, a category's facilitators there, and
    any verified member where the category lets members."""
    members_may = category.topic_starters == Category.TopicStarters.MEMBERS
    if not user.is_authenticated:
        return _("Log in to start a topic.") if members_may else _facilitators_only(category)
    if not user.is_active:
        return _("You cannot start a topic.")
    if user.is_suspended():
        return _suspension_refusal(user)
    has_role = (
        is_moderator(user)
        or FacilitatorAssignment.objects.filter(user_id=user.pk, category=category).exists()
    )
    if has_role and not _tools_locked(user):
        return None
    if members_may:
        if _verified(user):
            return None
        return _("Verify your email address to start a topic here.")
    if has_role:
        return _("Set up two-factor authentication to start topics as a facilitator.")
    return _facilitators_only(category)


def _facilitators_only(category: Category) -> str:
    return _(
        "Topics in %(category)s are started by its facilitators. You can reply to any open topic."
    ) % {"category": category.name}


def can_start_topic(user, category: Category) -> bool:
    return start_topic_refusal(user, category) is None


def check_start_topic(user, category: Category) -> None:
    refusal = start_topic_refusal(user, category)
    if refusal is not None:
        raise PermissionDenied(refusal)


def can_post_in_locked(user, topic: Topic) -> bool:
    return moderates(user, topic)


def can_view_topic(user, topic: Topic) -> bool:
    """Every category is public: anyone may read every topic. Emails ask
    this too, so no email carries a post its recipient could not read."""
    return user.is_active if user.is_authenticated else True


def can_reply(user, topic: Topic) -> bool:
    if not _active(user) or user.is_suspended():
        return False
    if topic.state.takes_replies:
        return True
    # A locked, closed or not yet open dialogue still takes its facilitators'
    # welcome and closing notes.
    return can_post_in_locked(user, topic)


def check_reply(user, topic: Topic) -> None:
    """Raise PermissionDenied with the reason a person can act on."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Log in to reply."))
    if user.is_suspended():
        raise PermissionDenied(_suspension_refusal(user))
    if can_reply(user, topic):
        return
    raise PermissionDenied(topic.state.refusal() or _("You cannot reply to this topic."))


def check_reply_to(user, post: Post) -> None:
    """check_reply, and a removed post can only be answered by those who can read it."""
    check_reply(user, post.topic)
    if not can_view_hidden(user, post):
        raise PermissionDenied(_("This post was removed by a moderator: it cannot be answered."))


def can_facilitate(user, topic: Topic) -> bool:
    """Run the topic as a dialogue: schedule, close early, leaders, summary."""
    return uses_tools(user, topic)


def check_facilitate(user, topic: Topic) -> None:
    if not can_facilitate(user, topic):
        raise PermissionDenied(_("Only this dialogue's facilitators can manage it."))


def check_view_participation(user, topic: Topic) -> None:
    """Who posts how much is for the dialogue's facilitators only."""
    if not can_facilitate(user, topic):
        raise _not_found()


def can_lock_topic(user, topic: Topic) -> bool:
    """Lock and unlock."""
    return uses_tools(user, topic)


def check_lock_topic(user, topic: Topic) -> None:
    if not can_lock_topic(user, topic):
        raise PermissionDenied(_("Only this topic's facilitators and moderators can lock it."))


def can_make_sticky(user, topic: Topic) -> bool:
    return uses_tools(user, topic)


def check_make_sticky(user, topic: Topic) -> None:
    if not can_make_sticky(user, topic):
        raise PermissionDenied(_("Only facilitators and moderators can make a topic sticky."))


def can_view_moderation_log(user, topic: Topic) -> bool:
    return uses_tools(user, topic)


def check_view_moderation_log(user, topic: Topic) -> None:
    if not can_view_moderation_log(user, topic):
        raise _not_found()


def can_see_lock_details(user, topic: Topic) -> bool:
    return moderates(user, topic)


# Posts


def can_pin_post(user, post: Post) -> bool:
    """Pin and unpin."""
    return not post.is_hidden and uses_tools(user, post.topic)


def check_pin_post(user, post: Post) -> None:
    if post.is_hidden:
        raise PermissionDenied(_("A hidden post cannot be pinned."))
    if not can_pin_post(user, post):
        raise PermissionDenied(_("Only this topic's facilitators and moderators can pin posts."))


def can_hide_post(user, post: Post) -> bool:
    """Hide and restore. The opening post carries the topic: lock it instead."""
    return not post.is_opening and uses_tools(user, post.topic)


def check_hide_post(user, post: Post) -> None:
    if post.is_opening:
        raise PermissionDenied(_("The opening post cannot be hidden; lock the topic instead."))
    if not can_hide_post(user, post):
        raise PermissionDenied(_("Only this topic's facilitators and moderators can hide posts."))


def can_list_hidden_posts_of(user, author) -> bool:
    """Whether a profile's list of posts includes the hidden ones."""
    return _active(user) and (user.pk == author.pk or _acts_as_moderator(user))


def can_view_hidden(user, post: Post) -> bool:
    """Whether the text of a hidden post is shown (to its author and staff)."""
    if not post.is_hidden:
        return True
    return _active(user) and (post.author_id == user.pk or uses_tools(user, post.topic))


def check_view_post(user, post: Post) -> None:
    """A hidden post's pages (reply, edit, flag, pin...) do not exist for
    those who may not read it."""
    if not can_view_hidden(user, post):
        raise _not_found()


def can_view_parent(user, post: Post) -> bool:
    """can_view_hidden() for the post that `post` answers, asked through
    `post`, whose topic is the parent's: no query for it on a topic page."""
    parent = post.parent
    if parent is None or not parent.is_hidden:
        return True
    return _active(user) and (parent.author_id == user.pk or uses_tools(user, post.topic))


def _edit_window_open(post: Post) -> bool:
    minutes = settings.FORUM_EDIT_WINDOW_MINUTES
    return minutes is None or timezone.now() - post.created_at <= timedelta(minutes=minutes)


def can_edit_post(user, post: Post) -> bool:
    if uses_tools(user, post.topic):
        return True
    return (
        _active(user)
        and not user.is_suspended()
        and post.author_id == user.pk
        and not post.is_hidden
        and post.topic.state.takes_replies
        and _edit_window_open(post)
    )


def check_edit_post(user, post: Post) -> None:
    if can_edit_post(user, post):
        return
    if post.author_id != user.pk:
        raise PermissionDenied(_("You can only edit your own posts."))
    if not post.topic.state.takes_replies:
        raise PermissionDenied(_("This topic is closed: posts can no longer be edited."))
    if post.is_hidden:
        raise PermissionDenied(_("This post was removed by a moderator and cannot be edited."))
    if not _edit_window_open(post):
        raise PermissionDenied(_("The time for editing this post has passed."))
    raise PermissionDenied(_("You cannot edit this post."))


def can_view_revisions(user, post: Post) -> bool:
    return _active(user) and (post.author_id == user.pk or uses_tools(user, post.topic))


def check_view_revisions(user, post: Post) -> None:
    if not can_view_revisions(user, post):
        raise _not_found()


class PageRights:
    """One viewer's answers for the posts of one topic page, asked once per
    page and then per post without a call into the roles: the functions
    above (can_view_hidden, can_view_parent, can_edit_post, can_flag_post,
    can_view_revisions, can_pin_post, can_hide_post) reduced to what they
    ask of the viewer and the topic, plus each post's own fields. The topic
    page keys its rendered posts on these (topic_pages.fragment);
    tests/forum/test_page_rights.py checks they answer as the functions do."""

    def __init__(self, user, topic: Topic):
        self.viewer = user.pk if _active(user) else None
        self.posting = self.viewer is not None and not user.is_suspended()
        self.tools = uses_tools(user, topic)
        self.reply = can_reply(user, topic)
        self.takes_replies = topic.state.takes_replies

    def _own_or_tools(self, post) -> bool:
        return self.viewer is not None and (post.author_id == self.viewer or self.tools)

    def view_hidden(self, post: Post) -> bool:
        return not post.is_hidden or self._own_or_tools(post)

    def view_parent(self, post: Post) -> bool:
        parent = post.parent
        return parent is None or not parent.is_hidden or self._own_or_tools(parent)

    def edit(self, post: Post) -> bool:
        return self.tools or (
            self.posting
            and post.author_id == self.viewer
            and not post.is_hidden
            and self.takes_replies
            and _edit_window_open(post)
        )

    def flag(self, post: Post) -> bool:
        return self.posting and post.author_id != self.viewer and not post.is_hidden

    def view_revisions(self, post: Post) -> bool:
        return self._own_or_tools(post)

    def pin(self, post: Post) -> bool:
        return not post.is_hidden and self.tools

    def hide(self, post: Post) -> bool:
        return not post.is_opening and self.tools


# Flags


def can_flag_post(user, post: Post) -> bool:
    """Whether to offer the button; check_flag_post also refuses a second flag."""
    return (
        _active(user)
        and not user.is_suspended()
        and post.author_id != user.pk
        and not post.is_hidden
    )


def check_flag_post(user, post: Post) -> None:
    if not can_flag_post(user, post):
        raise PermissionDenied(_("You cannot flag this post."))
    if post.flags.filter(flagger_id=user.pk).exists():
        raise PermissionDenied(_("You have already flagged this post. Moderators will look at it."))


def can_view_moderation_queue(user) -> bool:
    if not _active(user) or user.is_suspended():
        return False
    if not (is_moderator(user) or facilitates_anywhere(user)):
        return False
    return not _tools_locked(user)


def check_view_moderation_queue(user) -> None:
    if not can_view_moderation_queue(user):
        raise _not_found()


def can_resolve_flags(user, post: Post) -> bool:
    return uses_tools(user, post.topic)


def check_resolve_flags(user, post: Post) -> None:
    """Flags are seen only by those who resolve them."""
    if not can_resolve_flags(user, post):
        raise _not_found()


def can_see_flagger(user) -> bool:
    # Flaggers must be safe from retaliation: only moderators and admins see
    # who flagged, not the facilitators who moderate alongside participants.
    return _acts_as_moderator(user)


def _acts_as_moderator(user) -> bool:
    return is_moderator(user) and not user.is_suspended() and not _tools_locked(user)


# Limits (forum/limits.py)


def posts_without_limits(user, topic: Topic) -> bool:
    """Moderators, and facilitators in their topics, have no reply limits
    there: welcome notes, answers to a crowd, closing notes. Their accounts
    have a second factor; the same text twice is still refused."""
    return moderates(user, topic)


def starts_topics_without_limits(user, category: Category) -> bool:
    if not _active(user):
        return False
    if is_moderator(user):
        return True
    return FacilitatorAssignment.objects.filter(user_id=user.pk, category=category).exists()


def flags_without_limits(user, post: Post) -> bool:
    return moderates(user, post.topic)


# Accounts


def must_use_mfa(user) -> bool:
    """Staff, and anyone holding moderation or facilitation rights, must
    protect their account with a second factor (FORUM_STAFF_REQUIRE_MFA)."""
    if not settings.FORUM_STAFF_REQUIRE_MFA or not user.is_authenticated:
        return False
    return (
        user.is_staff
        or user.is_superuser
        or user.has_perm("accounts.suspend_user")
        or is_moderator(user)
        or facilitates_anywhere(user)
    )


def has_mfa(user) -> bool:
    from allauth.mfa.utils import is_mfa_enabled

    return is_mfa_enabled(user)


def can_suspend_anyone(actor) -> bool:
    """Holds the power to suspend (accounts.suspend_user) and may use it."""
    return (
        _active(actor)
        and not actor.is_suspended()
        and actor.has_perm("accounts.suspend_user")
        and not _tools_locked(actor)
    )


def can_suspend(actor, target) -> bool:
    if actor.pk == target.pk or not can_suspend_anyone(actor):
        return False
    # Moderators cannot suspend staff; only superusers can.
    if target.is_staff or target.is_superuser:
        return actor.is_superuser
    return target.is_active


def check_suspend(actor, target) -> None:
    if not can_suspend(actor, target):
        raise PermissionDenied(_("You cannot suspend this person."))


# The back office (the Django admin). A model permission (view_post,
# change_topic...) is what a superuser grants; it counts only for staff who
# may use the admin at all, and each object is then judged by the same rule
# as on the pages. Every ModelAdmin asks these (forum/moderation_admin.py).


def can_use_admin(user) -> bool:
    """Active staff, not suspended, with a second factor where required."""
    return _active(user) and user.is_staff and not user.is_suspended() and not _tools_locked(user)


def check_admin_access(user) -> None:
    """The admin's door: a suspended person, or a member who is not staff,
    gets a refusal that says why, rather than a login form they cannot get
    past or a bare "not allowed"."""
    if user.is_authenticated and user.is_suspended():
        raise PermissionDenied(
            _("%(refusal)s. The admin is closed to you until then.")
            % {"refusal": _suspension_refusal(user).rstrip(".")}
        )
    if user.is_authenticated and not user.is_staff:
        raise PermissionDenied(
            _(
                "The admin is for staff only. Facilitators and members find "
                "their tools on the topic pages."
            )
        )


def can_edit_topic(user, topic: Topic) -> bool:
    """Its title, in the admin (on the pages: the opening post's subject)."""
    return can_use_admin(user) and uses_tools(user, topic)


def can_move_topic(user, topic: Topic) -> bool:
    """Into another category: only moderators, who moderate both ends."""
    return can_edit_topic(user, topic) and is_moderator(user)


def can_change_author(user) -> bool:
    """Attribute a topic to someone else: superusers only (and logged)."""
    return can_use_admin(user) and user.is_superuser


def can_use_moderation_actions(user) -> bool:
    """Lock, pin, hide... from admin lists; each row is then asked alone."""
    return can_use_admin(user) and (is_moderator(user) or facilitates_anywhere(user))


def can_see_moderation_records(user) -> bool:
    """The whole moderation log, every revision, every flag with its flagger,
    every facilitator assignment. Facilitators read their topics' records
    on the pages."""
    return can_use_admin(user) and is_moderator(user)


def can_assign_facilitator(user) -> bool:
    """Grant or revoke a facilitator assignment: moderators, who hold every
    power an assignment gives."""
    return can_see_moderation_records(user)


def can_view_members(user) -> bool:
    """Member accounts (with their email addresses) in the admin."""
    return can_see_moderation_records(user)


def can_change_member(actor, target) -> bool:
    """Only superusers change staff accounts, so no one raises their own rights."""
    if not can_use_admin(actor):
        return False
    return actor.is_superuser or not (target.is_staff or target.is_superuser)


def can_manage_roles(user) -> bool:
    """Groups, staff and superuser status, direct permissions."""
    return can_use_admin(user) and user.is_superuser


def can_manage_private_records(user) -> bool:
    """What members never showed anyone: the mail sent to them, what they
    follow, their addresses, second factors and sessions, the task queue."""
    return can_use_admin(user) and user.is_superuser


def can_change_category(user) -> bool:
    """Categories and their settings (who may start topics): whoever a
    superuser granted forum.change_category."""
    return can_use_admin(user) and user.has_perm("forum.change_category")
