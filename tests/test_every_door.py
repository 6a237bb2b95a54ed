"""Every door asks the same rule book. This walks every model registered in
the admin (changelist, add, change, history, delete, each action, list
editing) and every moderation or account-management page, as the people who
must get nothing there: a suspended moderator, a moderator without the
second factor, a facilitator of another category (staff, holding the
Moderators' model permissions but not their role) and a participant. Each
cell asserts the refusal (403 with the reason, 404 for what they may not
see, or a redirect to log in or to set up two-factor authentication) and
that no row in the database changed.

The doors come from admin.site._registry and the URL patterns: a model or a
page added later is walked too, or fails here until it is classified."""

from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from dialogues.models import (
    HelpPage,
    NotificationPreference,
    OutgoingEmail,
    Subscription,
)
from forum.management.commands.setup_roles import MODERATORS, setup_roles
from forum.models import (
    FacilitatorAssignment,
    Flag,
    ModerationLog,
    Post,
    PostRevision,
    Topic,
)
from tests.factories import (
    make_admin,
    make_category,
    make_dialogue,
    make_facilitator,
    make_moderator,
    make_reply,
    make_topic,
    make_user,
    verified,
    with_mfa,
)

pytestmark = pytest.mark.django_db

ROLES = ["suspended_moderator", "moderator_without_mfa", "facilitator_elsewhere", "participant"]
FORBIDDEN, NOT_FOUND, TWO_FACTOR, LOGIN = "403", "404", "2fa", "login"
# What the admin site answers before any model is asked.
AT_THE_ADMIN_DOOR = {
    "suspended_moderator": FORBIDDEN,  # with a page saying why
    "moderator_without_mfa": TWO_FACTOR,
    "participant": FORBIDDEN,  # with a page saying where their tools are
}
# The staff facilitator of another category may read the public content of
# the forum in the admin (read-only), and write nothing anywhere.
READABLE_BY_FACILITATOR_ELSEWHERE = {"forum.Category", "forum.Topic", "forum.Post"}


@pytest.fixture
def world(db, settings):
    settings.FORUM_STAFF_REQUIRE_MFA = True
    now = timezone.now()
    category = make_category("Practitioner dialogues", slug="dialogues", is_series=True)
    other = make_category("Open questions", slug="open-questions")
    facilitator = make_facilitator("facilitator", category=category)
    author = verified(make_user("author"))
    member = with_mfa(verified(make_user("member")))
    suspended = verified(make_user("suspended"))
    suspended.suspend(now + timedelta(days=7), "Cooling off", by=facilitator)
    topic = make_topic(category=category, author=facilitator, title="What have you learned?")
    dialogue = make_dialogue(
        topic, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=4)
    )
    leader = dialogue.add_leader(user=member, intro="Runs a clinic.", by=facilitator)
    reply = make_reply(topic, author=author, subject="My experience", body="Original text.")
    reply.edit(by=facilitator, subject="My experience", body="Corrected text.")
    hidden = make_reply(topic, author=author, subject="Removed", body="Removed text.")
    hidden.hide(by=facilitator, reason="Off topic")
    flag = reply.flag(by=member, reason=Flag.Reason.SPAM, text="Looks like an advert")
    setup_roles()
    return SimpleNamespace(
        category=category,
        other=other,
        facilitator=facilitator,
        author=author,
        member=member,
        suspended=suspended,
        topic=topic,
        dialogue=dialogue,
        leader=leader,
        reply=reply,
        hidden=hidden,
        flag=flag,
        help_page=HelpPage.objects.create(title="How to participate", body="Read first."),
        subscription=Subscription.objects.get_or_create(user=author, topic=topic)[0],
        preference=NotificationPreference.objects.create(user=member, digest_hour=7),
        email=OutgoingEmail.objects.create(
            recipient=member, to=member.email, subject="A reply", text="Someone replied."
        ),
        session=UserSession.objects.create(
            user=member, ip="127.0.0.1", session_key="s" * 32, user_agent="test"
        ),
        task=DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="dialogues.tasks.deliver_email",
            backend_name="default",
            run_after=get_date_max(),
        ),
    )


# One object of every model in the admin, to open, change, delete and act on.
SAMPLES = {
    "forum.Category": lambda w: w.category,
    "forum.Topic": lambda w: w.topic,
    "forum.Post": lambda w: w.reply,
    "forum.FacilitatorAssignment": lambda w: FacilitatorAssignment.objects.get(user=w.facilitator),
    "forum.Flag": lambda w: w.flag,
    "forum.ModerationLog": lambda w: ModerationLog.objects.first(),
    "forum.PostRevision": lambda w: PostRevision.objects.get(post=w.reply),
    "auth.Group": lambda w: Group.objects.get(name=MODERATORS),
    "accounts.User": lambda w: w.author,
    "dialogues.Dialogue": lambda w: w.dialogue,
    "dialogues.HelpPage": lambda w: w.help_page,
    "dialogues.Subscription": lambda w: w.subscription,
    "dialogues.NotificationPreference": lambda w: w.preference,
    "dialogues.OutgoingEmail": lambda w: w.email,
    "account.EmailAddress": lambda w: EmailAddress.objects.get(user=w.author),
    "mfa.Authenticator": lambda w: Authenticator.objects.filter(user=w.member).first(),
    "usersessions.UserSession": lambda w: w.session,
    "django_tasks_database.DBTaskResult": lambda w: w.task,
}


@pytest.fixture
def act_as(client, world):
    """Log in as one of ROLES; returns the user."""

    def login(role):
        now = timezone.now()
        if role == "suspended_moderator":
            user = make_moderator("suspmod")
            user.suspend(now + timedelta(days=3), "Pending review", by=world.facilitator)
        elif role == "moderator_without_mfa":
            user = make_moderator("nomfa", mfa=False)
        elif role == "facilitator_elsewhere":
            user = make_facilitator("elsewhere", category=world.other, is_staff=True)
            moderators = Group.objects.get(name=MODERATORS)
            user.user_permissions.set(
                moderators.permissions.exclude(codename__in=["moderate_forum", "suspend_user"])
            )
        else:
            user = verified(make_user("participant"))
        client.force_login(user)
        client.get("/")  # the login's own bookkeeping (session records) before the dumps
        return user

    return login


# Tables no admin page or moderation view writes to, left out to keep the
# matrix quick: the session store (every request writes it), and Django's
# own catalogue of models and permissions.
# search.FtsRow is SQLite's full-text table (none on PostgreSQL): copies of
# search.SearchEntry, which is dumped, and a hidden column that reads
# differently every time.
NOT_DUMPED = {
    "sessions.Session",
    "contenttypes.ContentType",
    "auth.Permission",
    "search.FtsRow",
}


def dump():
    """Every row of every other table, many-to-many links included, but when
    a session was last seen (every request writes that). Raw SQL: the
    matrix takes hundreds of these."""
    rows = {}
    quote_name = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            if model._meta.label in NOT_DUMPED:
                continue
            columns = [
                quote_name(f.column)
                for f in model._meta.concrete_fields
                if (model, f.name) != (UserSession, "last_seen_at")
            ]
            table, pk = quote_name(model._meta.db_table), quote_name(model._meta.pk.column)
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {pk}")
            rows[model._meta.label] = cursor.fetchall()
    return rows


def assert_unchanged(before, door):
    """Returns the dump, to compare the next door with."""
    after = dump()
    changed = {label for label in before if before[label] != after[label]}
    assert not changed, f"{door} changed {sorted(changed)}"
    return after


def assert_refused(response, how, door):
    if how in (FORBIDDEN, NOT_FOUND):
        assert response.status_code == int(how), door
    elif how == TWO_FACTOR:
        assert response.status_code == 302, door
        assert response["Location"] == reverse("mfa_index"), door
    else:
        assert response.status_code == 302, door
        assert response["Location"].startswith(
            (reverse("admin:login"), reverse("account_login"))
        ), door


# The admin


@dataclass
class Door:
    name: str
    method: str
    url: str
    data: dict = field(default_factory=dict)
    reads: bool = False  # opens a page without writing
    action: bool = False


def admin_doors(model_admin, obj):
    opts = model_admin.opts

    def url(suffix, *args):
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{suffix}", args=args)

    pk = quote(obj.pk)
    changelist = url("changelist")
    yield Door("changelist", "get", changelist, reads=True)
    yield Door("add form", "get", url("add"))
    yield Door("add", "post", url("add"), {"name": "Added", "title": "Added"})
    yield Door("change form", "get", url("change", pk), reads=True)
    yield Door("change", "post", url("change", pk), {"title": "Changed", "body": "Changed."})
    yield Door("history", "get", url("history", pk), reads=True)
    yield Door("delete form", "get", url("delete", pk))
    yield Door("delete", "post", url("delete", pk), {"post": "yes"})
    # Every action, including those the person is not offered.
    for action in model_admin._get_base_actions():
        name = action.name
        data = {"action": name, "_selected_action": [obj.pk], "index": "0", "post": "yes"}
        yield Door(f"action {name}", "post", changelist, data, action=True)
    if model_admin.list_editable:
        data = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": obj.pk}
        data |= {f"form-0-{name}": "99" for name in model_admin.list_editable}
        yield Door("list editing", "post", changelist, data | {"_save": "Save"})
    if opts.label == "accounts.User":
        password = reverse("admin:auth_user_password_change", args=[pk])
        data = {"password1": "taken-over-123", "password2": "taken-over-123"}
        yield Door("password change", "post", password, data)


# Named admin URLs the doors above cover, by the end of their name...
MODEL_URL_SUFFIXES = ("changelist", "add", "change", "history", "delete")
# Django's UserAdmin names its password page after auth.User, whatever the model.
EXTRA_MODEL_URLS = {"auth_user_password_change"}
# ...and the site's own pages (walked in test_the_admin_site_pages).
SITE_URLS = {
    "index",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "autocomplete",
    "jsi18n",
    "view_on_site",
    "app_list",
}


def url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, inner)
        elif pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_admin_model_has_a_sample_and_every_admin_url_is_walked():
    registered = {model._meta.label for model in admin.site._registry}
    assert registered == set(SAMPLES), "add the new model to SAMPLES (and decide its rules)"
    model_urls = {
        f"{model._meta.app_label}_{model._meta.model_name}_{suffix}"
        for model in admin.site._registry
        for suffix in MODEL_URL_SUFFIXES
    }
    admin_urls = set(url_names(admin.site.get_urls()))
    assert admin_urls - model_urls - EXTRA_MODEL_URLS - SITE_URLS == set(), "walk the new page"


# One test per role walks every model: the world is built once for all of
# them, and a failure names the door.
@pytest.mark.parametrize("role", ROLES)
def test_no_admin_door_opens_to_those_the_rules_refuse(client, world, act_as, role):
    act_as(role)
    before = dump()
    for label in sorted(SAMPLES):
        model_admin = admin.site._registry[apps.get_model(label)]
        for door in admin_doors(model_admin, SAMPLES[label](world)):
            response = getattr(client, door.method)(door.url, door.data)
            described = f"{role} {door.method.upper()} {door.name} of {label}"
            if role in AT_THE_ADMIN_DOOR:
                assert_refused(response, AT_THE_ADMIN_DOOR[role], described)
                if role == "suspended_moderator":
                    assert "Your account is suspended until" in response.content.decode()
                if role == "participant":
                    assert "The admin is for staff only" in response.content.decode()
            elif label in READABLE_BY_FACILITATOR_ELSEWHERE and door.reads:
                assert response.status_code == 200, described
                assert 'name="_save"' not in response.content.decode(), described
            elif label in READABLE_BY_FACILITATOR_ELSEWHERE and door.action:
                # Offered only what they may do to each row, and skipped here.
                assert response.status_code in (200, 302), described
            else:
                assert response.status_code == 403, described
            before = assert_unchanged(before, described)


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_site_pages(client, world, act_as, role):
    act_as(role)
    topic_type = ContentType.objects.get_for_model(Topic)
    doors = [
        Door("index", "get", reverse("admin:index"), reads=True),
        Door("forum app", "get", reverse("admin:app_list", args=["forum"]), reads=True),
        Door("dialogues app", "get", reverse("admin:app_list", args=["dialogues"])),
        Door("accounts app", "get", reverse("admin:app_list", args=["accounts"])),
        Door("auth app", "get", reverse("admin:app_list", args=["auth"])),
        Door(
            "autocomplete",
            "get",
            reverse("admin:autocomplete"),
            {
                "app_label": "forum",
                "model_name": "facilitatorassignment",
                "field_name": "user",
                "term": "a",
            },
        ),
        Door(
            "view on site",
            "get",
            reverse("admin:view_on_site", args=[topic_type.pk, world.topic.pk]),
            reads=True,
        ),
    ]
    before = dump()
    for door in doors:
        response = client.get(door.url, door.data)
        described = f"{role} {door.name}"
        if role in AT_THE_ADMIN_DOOR:
            assert_refused(response, AT_THE_ADMIN_DOOR[role], described)
        elif door.reads:
            assert response.status_code in (200, 302), described
        else:
            assert response.status_code in (403, 404), described
        before = assert_unchanged(before, described)


def test_a_suspended_moderator_is_told_why_the_admin_is_closed(client, world, act_as):
    act_as("suspended_moderator")
    response = client.get(reverse("admin:index"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "Pending review" in page and "The admin is closed to you until then." in page
    assert client.get(reverse("admin:login")).status_code == 403  # no login form to get stuck in


# The pages


@dataclass
class Page:
    method: str
    args: object  # world -> URL arguments
    data: dict = field(default_factory=dict)
    mfa_guarded: bool = True  # staff_mfa_required sends staff to set up a second factor
    # What one may not see is not found (ids tell nothing); what one sees but
    # may not do is forbidden, with the reason.
    refused: str = FORBIDDEN


MODERATION_PAGES = {
    "forum:topic_create": Page("post", lambda w: [w.category.slug], {"title": "T", "body": "B"}),
    "forum:topic_lock": Page("post", lambda w: [w.topic.pk], {"reason": "Done"}),
    "forum:topic_unlock": Page("post", lambda w: [w.topic.pk]),
    "forum:topic_sticky": Page("post", lambda w: [w.topic.pk], {"sticky": "1"}),
    "forum:topic_log": Page("get", lambda w: [w.topic.pk], refused=NOT_FOUND),
    "forum:post_pin": Page("post", lambda w: [w.reply.pk], {"pin": "1"}),
    "forum:post_hide": Page("post", lambda w: [w.reply.pk], {"reason": "Spam"}),
    "forum:post_restore": Page("post", lambda w: [w.hidden.pk], refused=NOT_FOUND),
    "forum:post_edit": Page(
        "post", lambda w: [w.reply.pk], {"subject": "S", "body": "Rewritten."}, mfa_guarded=False
    ),
    "forum:post_revisions": Page("get", lambda w: [w.reply.pk], refused=NOT_FOUND),
    "forum:moderation_queue": Page("get", lambda w: [], refused=NOT_FOUND),
    "forum:flag_resolve": Page(
        "post", lambda w: [w.flag.pk], {"decision": "hide"}, refused=NOT_FOUND
    ),
    "dialogues:manage": Page("get", lambda w: [w.topic.pk]),
    "dialogues:schedule": Page(
        "post",
        lambda w: [w.topic.pk],
        {"opens_at": "2030-01-01T09:00", "closes_at": "2030-01-05T09:00"},
    ),
    "dialogues:close_early": Page("post", lambda w: [w.topic.pk], {"reason": "Enough"}),
    "dialogues:add_leader": Page("post", lambda w: [w.topic.pk], {"username": "author"}),
    "dialogues:remove_leader": Page("post", lambda w: [w.topic.pk, w.leader.pk]),
    "dialogues:summary": Page("post", lambda w: [w.topic.pk], {"summary": "S", "publish": "1"}),
    "dialogues:participation": Page("get", lambda w: [w.topic.pk], refused=NOT_FOUND),
    "accounts:suspend": Page(
        "post", lambda w: [w.author.username], {"until": "2099-01-01", "reason": "x"}
    ),
    "accounts:unsuspend": Page("post", lambda w: [w.suspended.username]),
}
# Reading, and what members do for themselves: covered by the member tests
# (tests/forum/test_permissions_matrix.py, tests/accounts/, tests/dialogues/).
MEMBER_PAGES = {
    "forum:home",
    "forum:category",
    "forum:topic",
    "forum:post",
    "forum:reply",
    "forum:post_flag",
    "forum:unread",
    "forum:topic_unread",
    "forum:topic_mark_read",
    "forum:mark_all_read",
    "dialogues:subscription",
    "dialogues:preferences",
    "dialogues:unsubscribe",
    "dialogues:help",
    "accounts:profile",
    "accounts:profile_edit",
    "accounts:my_data",
    "accounts:export",
    "accounts:delete_account",
    # Public reading: feeds, the sitemap, the library, the download.
    "forum:feed",
    "forum:category_feed",
    "forum:topic_feed",
    "forum:sitemap_index",
    "forum:sitemap",
    "dialogues:summaries_feed",
    "dialogues:resources",
    "dialogues:series_resources",
    "dialogues:download",
    # For load balancers, no one's data: tests/ops/test_healthz.py.
    "forum:healthz",
    "accounts:set_language",
}


def test_every_page_of_ours_is_classified():
    ours = {
        name
        for name in url_names(get_resolver().url_patterns)
        if name.split(":")[0] in ("forum", "dialogues", "accounts")
    }
    assert ours - set(MODERATION_PAGES) - MEMBER_PAGES == set(), "classify the new page"


@pytest.mark.parametrize("role", ROLES)
def test_no_moderation_page_acts_for_those_the_rules_refuse(client, world, act_as, role):
    act_as(role)
    before = dump()
    for name, page in sorted(MODERATION_PAGES.items()):
        response = getattr(client, page.method)(reverse(name, args=page.args(world)), page.data)
        described = f"{role} {page.method.upper()} {name}"
        if role == "moderator_without_mfa" and page.mfa_guarded:
            assert_refused(response, TWO_FACTOR, described)
        elif role == "facilitator_elsewhere" and name == "forum:moderation_queue":
            # Their queue, which holds only their own topics' flags.
            assert response.status_code == 200
            assert "Looks like an advert" not in response.content.decode()
        else:
            assert_refused(response, page.refused, described)
        before = assert_unchanged(before, described)


def test_the_dump_sees_what_an_allowed_admin_edit_changes(client, world):
    """The refusals above would be noticed: the same door, opened by a
    superuser, changes rows that dump() compares."""
    client.force_login(make_admin("root"))
    before = dump()
    door = next(
        d for d in admin_doors(admin.site._registry[Post], world.reply) if d.name == "change"
    )
    assert client.post(door.url, {"subject": "S", "body": "Rewritten."}).status_code == 302
    with pytest.raises(AssertionError, match="forum.Post"):
        assert_unchanged(before, door.name)
