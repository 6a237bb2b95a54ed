from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import TruncDate
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from forum.decorators import staff_mfa_required
from forum.models import Category, ModerationLog, Post, Topic
from forum.permissions import can_view_topic, check_facilitate, check_view_participation

from . import download, library
from .forms import (
    CloseEarlyForm,
    LeaderForm,
    PreferenceForm,
    ResourceFilterForm,
    ScheduleForm,
    SubscriptionForm,
    SummaryForm,
)
from .models import (
    ConversationLeader,
    Dialogue,
    HelpPage,
    NotificationPreference,
    Subscription,
)
from .notifications import read_unsubscribe_token

HELP_SLUG = "how-to-participate"
UNANSWERED_AFTER = timedelta(hours=24)
HISTORY_SHOWN = 50


def _facilitated_topic(request, pk) -> Topic:
    topic = get_object_or_404(Topic.objects.select_related("category", "locked_by"), pk=pk)
    check_facilitate(request.user, topic)
    return topic


def _dialogue(topic) -> Dialogue:
    if not topic.is_scheduled:
        raise Http404(_("This topic is not a dialogue yet: schedule it first."))
    return Dialogue.of(topic)


def _render_manage(request, topic, *, status=200, **forms):
    """The facilitator page; a form that failed validation comes back bound,
    with its errors and everything typed."""
    dialogue = Dialogue.of(topic) if topic.is_scheduled else None
    if "schedule_form" not in forms:
        initial = {"opens_at": topic.opens_at, "closes_at": topic.closes_at}
        forms["schedule_form"] = ScheduleForm(initial=initial if dialogue else {})
    if dialogue is not None:
        forms.setdefault("leader_form", LeaderForm(dialogue=dialogue))
        forms.setdefault(
            "summary_form",
            SummaryForm(initial={"summary": dialogue.summary, "survey_url": dialogue.survey_url}),
        )
    context = {
        "topic": topic,
        "category": topic.category,
        "dialogue": dialogue,
        "leaders": list(dialogue.leaders.select_related("user")) if dialogue else [],
        "events": ModerationLog.objects.for_topic(topic).for_display()[:HISTORY_SHOWN],
    }
    return render(request, "dialogues/manage.html", {**context, **forms}, status=status)


@login_required
@staff_mfa_required
def manage(request, pk):
    return _render_manage(request, _facilitated_topic(request, pk))


SCHEDULE_MESSAGES = {
    "scheduled": gettext_lazy("The topic is now a scheduled dialogue."),
    "reopened": gettext_lazy("The dialogue is open again."),
    "extended": gettext_lazy("The dialogue was extended."),
    "rescheduled": gettext_lazy("The schedule was saved."),
}


@login_required
@require_POST
@staff_mfa_required
def schedule(request, pk):
    topic = _facilitated_topic(request, pk)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        return _render_manage(request, topic, schedule_form=form, status=400)
    outcome = topic.schedule(by=request.user, **form.cleaned_data)
    Dialogue.of(topic)
    messages.success(request, SCHEDULE_MESSAGES[outcome])
    return redirect("dialogues:manage", topic.pk)


@login_required
@require_http_methods(["GET", "POST"])
@staff_mfa_required
def close_early(request, pk):
    """A confirmation page with the reason participants will read; the
    dialogue ends when it is submitted."""
    topic = _facilitated_topic(request, pk)
    if not topic.is_scheduled or not topic.state.is_open:
        messages.error(request, _("Only an open dialogue can be closed early."))
        return redirect("dialogues:manage", topic.pk)
    form = CloseEarlyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        topic.close_early(by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("The dialogue is closed: participants can no longer reply."))
        return redirect(topic)
    return render(
        request,
        "dialogues/close_early.html",
        # `now`: the closing time participants will read on the banner.
        {"topic": topic, "category": topic.category, "form": form, "now": timezone.now()},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
@staff_mfa_required
def add_leader(request, pk):
    topic = _facilitated_topic(request, pk)
    dialogue = _dialogue(topic)
    form = LeaderForm(request.POST, dialogue=dialogue)
    if not form.is_valid():
        return _render_manage(request, topic, leader_form=form, status=400)
    dialogue.add_leader(
        user=form.cleaned_data["user"], intro=form.cleaned_data["intro"], by=request.user
    )
    messages.success(request, _("The conversation leader was added."))
    return redirect("dialogues:manage", topic.pk)


@login_required
@require_POST
@staff_mfa_required
def remove_leader(request, pk, leader_pk):
    topic = _facilitated_topic(request, pk)
    dialogue = _dialogue(topic)
    leader = get_object_or_404(
        ConversationLeader.objects.select_related("user"), pk=leader_pk, dialogue=dialogue
    )
    dialogue.remove_leader(leader, by=request.user)
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
        body=form.cleaned_data["summary"],
        survey_url=form.cleaned_data["survey_url"],
        by=request.user,
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
    topic = get_object_or_404(Topic.objects.select_related("category"), pk=pk)
    check_view_participation(request.user, topic)
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
    first = timezone.localtime(topic.opens_at, zone).date()
    last = timezone.localtime(topic.closes_at - timedelta(microseconds=1), zone).date()
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


def _resources_page(request, *, category=None):
    """Every link shared in the dialogues of a series (or of all series),
    once per address; searchable and narrowed to one dialogue by a GET
    form. Five queries whatever the page holds (see the README)."""
    dialogues = library.dialogues_of(category)
    form = ResourceFilterForm(request.GET or None, dialogues=dialogues)
    status, page, links = 200, None, []
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        data = form.cleaned_data if form.is_bound else {}
        query, chosen = data.get("q", ""), data.get("dialogue")
        rows = library.shared_links(dialogues, query=query, dialogue=chosen)
        page = Paginator(rows, library.RESOURCES_PER_PAGE).get_page(request.GET.get("page"))
        links = library.with_details(page.object_list, dialogues, dialogue=chosen)
    return render(
        request,
        "dialogues/resources.html",
        {"category": category, "form": form, "page": page, "links": links},
        status=status,
    )


def resources(request):
    return _resources_page(request)


def series_resources(request, slug):
    category = get_object_or_404(Category, slug=slug, is_series=True)
    return _resources_page(request, category=category)


def download_dialogue(request, pk):
    """The dialogue as one self-contained HTML file (dialogues/download.py)."""
    topic = get_object_or_404(
        Topic.objects.select_related("category", "opening_post__author"), pk=pk
    )
    if not topic.is_scheduled or not can_view_topic(request.user, topic):
        raise Http404(_("There is no such dialogue."))
    dialogue = Dialogue.objects.filter(topic=topic).first()
    response = StreamingHttpResponse(
        download.dialogue_file(topic, dialogue), content_type="text/html; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, download.filename(topic))
    # The file is not one of the site's pages: it carries its own styles
    # and must load nothing, wherever it is opened.
    response["Content-Security-Policy"] = download.FILE_CSP
    return response
