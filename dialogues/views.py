from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import TruncDate
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import staff_mfa_required
from forum.models import ModerationLog, Post, Topic

from .forms import LeaderForm, PreferenceForm, ScheduleForm, SubscriptionForm, SummaryForm
from .models import (
    ConversationLeader,
    Dialogue,
    HelpPage,
    NotificationPreference,
    Subscription,
    is_subscribed,
    resources_shared,
)
from .notifications import read_unsubscribe_token
from .permissions import (
    can_facilitate,
    check_facilitate,
    dialogue_of,
)

HELP_SLUG = "how-to-participate"
UNANSWERED_AFTER = timedelta(hours=24)


def topic_context(request, topic: Topic) -> dict:
    """What the topic page shows of a dialogue: at most two queries (leaders
    and resources), and none for a plain topic."""
    dialogue = dialogue_of(topic)
    context = {
        "dialogue": dialogue,
        # Annotated by the topic query (topic_annotations) when it can be.
        "can_facilitate": can_facilitate(request.user, topic),
        "leader_ids": frozenset(),
        "featured_post_ids": frozenset(),
    }
    if dialogue is None:
        return context
    leaders = list(dialogue.leaders.select_related("user"))
    context.update(
        leaders=leaders,
        leader_ids=frozenset(leader.user_id for leader in leaders),
        featured_post_ids=frozenset(dialogue.cited_post_ids)
        if dialogue.has_summary
        else frozenset(),
        resources=resources_shared(topic),
        help_url=reverse("dialogues:help", args=[HELP_SLUG]),
    )
    return context


def topic_annotations(user) -> dict:
    """For the topic page's own query: whether the viewer follows the topic,
    at no query of its own."""
    return {
        "is_subscribed": is_subscribed(user),
    }


def series_context(category) -> dict:
    """A series page's upcoming, open and past dialogues, in one query."""
    if not category.is_series:
        return {}
    now = timezone.now()
    series = {Dialogue.UPCOMING: [], Dialogue.OPEN: [], Dialogue.CLOSED: []}
    for dialogue in Dialogue.objects.filter(topic__category=category).select_related("topic"):
        series[dialogue.state(now)].append(dialogue)
    return {
        "series_upcoming": series[Dialogue.UPCOMING],
        "series_open": series[Dialogue.OPEN],
        "series_past": series[Dialogue.CLOSED][::-1],
    }


def _facilitated_topic(request, pk) -> Topic:
    topic = get_object_or_404(Topic.objects.select_related("category", "dialogue"), pk=pk)
    check_facilitate(request.user, topic)
    return topic


def _dialogue(topic) -> Dialogue:
    dialogue = dialogue_of(topic)
    if dialogue is None:
        raise Http404(_("This topic is not a dialogue yet: schedule it first."))
    return dialogue


def _render_manage(request, topic, *, status=200, **forms):
    """The facilitator page; a form that failed validation comes back bound,
    with its errors and everything typed."""
    dialogue = dialogue_of(topic)
    if "schedule_form" not in forms:
        initial = (
            {"opens_at": dialogue.opens_at, "closes_at": dialogue.closes_at} if dialogue else {}
        )
        forms["schedule_form"] = ScheduleForm(initial=initial)
    if dialogue is not None:
        forms.setdefault("leader_form", LeaderForm(dialogue=dialogue))
        forms.setdefault(
            "summary_form",
            SummaryForm(initial={"summary": dialogue.summary, "survey_url": dialogue.survey_url}),
        )
    leaders = list(dialogue.leaders.select_related("user")) if dialogue else []
    context = {
        "topic": topic,
        "category": topic.category,
        "dialogue": dialogue,
        "leaders": leaders,
        "events": ModerationLog.objects.for_topic(topic).for_display()[:20],
    }
    return render(request, "dialogues/manage.html", {**context, **forms}, status=status)


@login_required
@staff_mfa_required
def manage(request, pk):
    return _render_manage(request, _facilitated_topic(request, pk))


@login_required
@require_POST
@staff_mfa_required
def schedule(request, pk):
    topic = _facilitated_topic(request, pk)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        return _render_manage(request, topic, schedule_form=form, status=400)
    dialogue = dialogue_of(topic)
    if dialogue is None:
        Dialogue.objects.create(topic=topic, **form.cleaned_data)
        ModerationLog.record(
            request.user,
            ModerationLog.Action.SCHEDULE,
            topic=topic,
            reason=f"{form.cleaned_data['opens_at']:%Y-%m-%d %H:%M} - {form.cleaned_data['closes_at']:%Y-%m-%d %H:%M} UTC",
        )
        messages.success(request, _("The topic is now a scheduled dialogue."))
    else:
        outcome = dialogue.reschedule(by=request.user, **form.cleaned_data)
        messages.success(
            request,
            {
                "reopened": _("The dialogue is open again."),
                "extended": _("The dialogue was extended."),
            }.get(outcome, _("The schedule was saved.")),
        )
    return redirect("dialogues:manage", topic.pk)


@login_required
@require_POST
@staff_mfa_required
def add_leader(request, pk):
    topic = _facilitated_topic(request, pk)
    dialogue = _dialogue(topic)
    form = LeaderForm(request.POST, dialogue=dialogue)
    if not form.is_valid():
        return _render_manage(request, topic, leader_form=form, status=400)
    ConversationLeader.objects.create(
        dialogue=dialogue, user=form.cleaned_data["user"], intro=form.cleaned_data["intro"]
    )
    messages.success(request, _("The conversation leader was added."))
    return redirect("dialogues:manage", topic.pk)


@login_required
@require_POST
@staff_mfa_required
def remove_leader(request, pk, leader_pk):
    topic = _facilitated_topic(request, pk)
    leader = get_object_or_404(ConversationLeader, pk=leader_pk, dialogue=_dialogue(topic))
    leader.delete()
    messages.success(request, _("The conversation leader was removed."))
    return redirect("dialogues:manage", topic.pk)


@login_required
@require_POST
@staff_mfa_required
def summary(request, pk):
    topic = _facilitated_topic(request, pk)
    dialogue = _dialogue(topic)
    form = SummaryForm(request.POST)
    if not form.is_valid():
        return _render_manage(request, topic, summary_form=form, status=400)
    dialogue.write_summary(
        body=form.cleaned_data["summary"], survey_url=form.cleaned_data["survey_url"]
    )
    if "publish" in request.POST:
        emailed = dialogue.publish_summary(by=request.user)
        messages.success(
            request,
            _("The summary is published and everyone who took part is being emailed.")
            if emailed
            else _("The summary is published (participants were already emailed about it)."),
        )
        return redirect(f"{topic.get_absolute_url()}#summary")
    messages.success(request, _("The summary was saved."))
    return redirect("dialogues:manage", topic.pk)


@login_required
@staff_mfa_required
def participation(request, pk):
    topic = _facilitated_topic(request, pk)
    dialogue = _dialogue(topic)
    leaders = list(dialogue.leaders.select_related("user"))
    zone = timezone.get_current_timezone()
    counts = {
        (row["author_id"], row["day"]): row["n"]
        for row in Post.objects.filter(topic=topic, author__in=[lead.user_id for lead in leaders])
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("author_id", "day")
        .annotate(n=Count("pk"))
        .order_by()
    }
    first = timezone.localtime(dialogue.opens_at, zone).date()
    last = timezone.localtime(dialogue.closes_at - timedelta(microseconds=1), zone).date()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    rows = [
        {"leader": leader, "counts": [counts.get((leader.user_id, day), 0) for day in days]}
        for leader in leaders
    ]
    for row in rows:
        row["total"] = sum(row["counts"])
    unanswered = (
        topic.posts.filter(created_at__lte=timezone.now() - UNANSWERED_AFTER)
        .exclude(Exists(Post.objects.filter(parent=OuterRef("pk"))))
        .select_related("author")
        .order_by("created_at")[:200]
    )
    return render(
        request,
        "dialogues/participation.html",
        {
            "topic": topic,
            "category": topic.category,
            "dialogue": dialogue,
            "days": days,
            "rows": rows,
            "unanswered": unanswered,
        },
    )


@login_required
@require_POST
def subscription(request, pk):
    topic = get_object_or_404(Topic, pk=pk)
    form = SubscriptionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose Subscribe or Unsubscribe."))
        return redirect(topic)
    subscribed = form.cleaned_data["subscribe"]
    Subscription.set(request.user, topic, subscribed)
    messages.success(
        request,
        _("You follow this topic: new posts will be emailed to you.")
        if subscribed
        else _("You no longer follow this topic."),
    )
    return redirect(topic)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    preference = NotificationPreference.for_user(request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your email preferences were saved."))
        return redirect("dialogues:preferences")
    return render(request, "dialogues/preferences.html", {"form": form})


# Mail clients send the RFC 8058 one-click POST with no session and no CSRF
# token; the signed token in the address is what authorises it.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        data = read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(request, "dialogues/unsubscribe.html", {"invalid": True}, status=400)
    user = get_object_or_404(get_user_model(), pk=data.get("u"))
    # A topic token never widens to "all email", even if the topic is gone.
    topic = get_object_or_404(Topic, pk=data["t"]) if data.get("t") else None
    done = request.method == "POST"
    if done:
        if topic is not None:
            Subscription.set(user, topic, False)
        else:
            preference = NotificationPreference.for_user(user)
            preference.email_enabled = False
            preference.save()
    return render(request, "dialogues/unsubscribe.html", {"topic": topic, "done": done})


def help_page(request, slug):
    page = HelpPage.objects.filter(slug=slug).first()
    if page is None and slug != HELP_SLUG:
        raise Http404(_("There is no such help page."))
    return render(request, "dialogues/help.html", {"page": page})
