"""The "Download my data" file: everything we hold about one person."""

from django.apps import apps

from forum.models import Post


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
            "notify_on_reply": user.notify_on_reply,
            "digest": user.digest,
            "digest_hour": user.digest_hour,
            "auto_subscribe": user.auto_subscribe,
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
            }
            for post in posts
        ],
        "sessions": [
            {
                "created_at": _iso(s.created_at),
                "last_seen_at": _iso(s.last_seen_at),
                "ip": s.ip,
                "user_agent": s.user_agent,
            }
            for s in UserSession.objects.filter(user=user).order_by("created_at")
        ],
        "subscriptions": _subscriptions(user),
    }


def _subscriptions(user) -> list:
    # Subscriptions belong to the notifications issue; export them if that
    # app is installed, whatever it calls its fields.
    rows = []
    for model in apps.get_models():
        if "subscription" not in model._meta.model_name:
            continue
        user_fields = [
            f.name
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is type(user)
        ]
        for field in user_fields:
            for row in model.objects.filter(**{field: user}).values():
                rows.append(
                    {"kind": model._meta.label}
                    | {k: (_iso(v) if hasattr(v, "isoformat") else v) for k, v in row.items()}
                )
    return rows
