"""The "Download my data" file: everything we hold about one person."""

from forum.models import Flag, Post, PostRevision


def _iso(value):
    return value.isoformat() if value else None


def user_data(user) -> dict:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.usersessions.models import UserSession

    posts = Post.objects.filter(author=user).select_related("topic").order_by("created_at")
    return {
        "profile": {
            "username": user.username,
            "display_name": user.display_name,
            "affiliation": user.affiliation,
            "role_line": user.role_line,
            "bio": user.bio,
            "time_zone": user.time_zone,
            "language": user.language,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "suspended_until": _iso(user.suspended_until),
            "suspension_reason": user.suspension_reason,
        },
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user)
        ],
        "two_factor_methods": [
            {"type": a.type, "created_at": _iso(a.created_at), "last_used_at": _iso(a.last_used_at)}
            for a in Authenticator.objects.filter(user=user)
        ],
        "posts": [
            {
                "id": post.pk,
                "topic": {"id": post.topic_id, "title": post.topic.title},
                "in_reply_to": post.parent_id,
                "subject": post.subject,
                "body": post.body,
                "created_at": _iso(post.created_at),
                "edited_at": _iso(post.edited_at),
                "hidden": post.is_hidden,
                # Why a moderator hid it; who did is theirs to keep.
                "hidden_at": _iso(post.hidden_at),
                "hidden_reason": post.hidden_reason if post.is_hidden else "",
            }
            for post in posts
        ],
        "earlier_versions_of_posts": [
            {
                "post": revision.post_id,
                "subject": revision.subject,
                "body": revision.body,
                "written_at": _iso(revision.written_at),
                "replaced_at": _iso(revision.replaced_at),
            }
            for revision in PostRevision.objects.filter(post__author=user).order_by(
                "post_id", "written_at", "pk"
            )
        ],
        "flags": [
            {
                "post": flag.post_id,
                "reason": flag.reason,
                "text": flag.text,
                "status": flag.status,
                "created_at": _iso(flag.created_at),
            }
            for flag in Flag.objects.filter(flagger=user).order_by("created_at", "pk")
        ],
        "sessions": [
            {
                "created_at": _iso(s.created_at),
                "last_seen_at": _iso(s.last_seen_at),
                "user_agent": s.user_agent,
            }
            for s in UserSession.objects.filter(user=user).order_by("created_at")
        ],
        "subscriptions": _subscriptions(user),
        "notification_preferences": _notification_preferences(user),
    }


def _subscriptions(user) -> list:
    from dialogues.models import Subscription

    return [
        {
            "topic": row.topic.title,
            "url": row.topic.get_absolute_url(),
            "subscribed": row.is_subscribed,
            "updated_at": _iso(row.updated_at),
        }
        for row in Subscription.objects.filter(user=user).select_related("topic")
    ]


def _notification_preferences(user) -> dict:
    from dialogues.models import NotificationPreference

    preference = NotificationPreference.for_user(user)
    return {
        "email_enabled": preference.email_enabled,
        "follow_topics_i_post_in": preference.subscribe_when_posting,
        "delivery": preference.delivery,
        "digest_hour": preference.digest_hour,
    }
