from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import limits, markup
from .forms import PostForm, TopicForm
from .models import Category, Post, Topic
from .permissions import (
    can_reply,
    can_start_topic,
    can_view_hidden,
    check_reply_to,
    with_viewer_roles,
)

TOPICS_PER_CATEGORY_ON_HOME = 5
TOPICS_PER_PAGE = 30
# The "Pinned" block stays short: a facilitator's key posts, not a second thread.
PINNED_SHOWN = 20


def home(request):
    categories = list(Category.objects.all())
    # The latest few topics of every category in one query.
    ranked = (
        Topic.objects.for_listing()
        .with_new_counts(request.user)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("category_id"),
                order_by=[F("is_sticky").desc(), F("last_post_at").desc()],
            )
        )
        .filter(rank__lte=TOPICS_PER_CATEGORY_ON_HOME)
    )
    topics = list(ranked)
    by_category = {}
    for topic in topics:
        by_category.setdefault(topic.category_id, []).append(topic)
    for category in categories:
        category.latest_topics = by_category.get(category.pk, [])
    return render(request, "forum/home.html", {"categories": categories, "topics": topics})


def category_detail(request, slug):
    category = get_object_or_404(Category, slug=slug)
    topics = category.topics.for_listing().with_new_counts(request.user)
    page = Paginator(topics, TOPICS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "forum/category.html",
        {
            "category": category,
            "page": page,
            "can_start_topic": can_start_topic(request.user, category),
        },
    )


def _cursor(request, name):
    value = request.GET.get(name)
    if value is None:
        return None
    if not value.isdigit():
        raise Http404(_("That page of the topic does not exist."))
    return int(value)


def topic_detail(request, pk, slug=None):
    topics = Topic.objects.select_related(
        "category", "opening_post__author", "last_post__author", "locked_by"
    ).with_read_state(request.user)
    topic = get_object_or_404(with_viewer_roles(topics, request.user), pk=pk)
    after, start, before = (
        _cursor(request, "after"),
        _cursor(request, "start"),
        _cursor(request, "before"),
    )
    last = request.GET.get("page") == "last"
    size = settings.FORUM_PAGE_SIZE
    posts, has_more = topic.posts.tree_page(
        size=size, after=after, start=start, before=before, last=last
    )
    backwards = before is not None or last
    if backwards:
        has_previous, has_next = has_more, before is not None
    else:
        has_previous, has_next = after is not None or start is not None, has_more
    is_first_page = not has_previous

    # One query, on every page: the block stays in view while reading.
    pinned = list(topic.posts.pinned().for_display()[:PINNED_SHOWN])
    shown = posts + ([topic.opening_post] if is_first_page else [])
    for post in shown + pinned:
        # Permission filters in the template read post.topic: no query per post.
        post.topic = topic
    if request.user.is_authenticated:
        marker = topic.read_marker(request.user)
        for post in shown:
            post.is_new = marker.is_unread(post, request.user)
        marker.mark_read(shown)

    return render(
        request,
        "forum/topic.html",
        {
            "topic": topic,
            "category": topic.category,
            "posts": posts,
            "pinned_posts": pinned,
            "is_first_page": is_first_page,
            "previous_cursor": posts[0].pk if has_previous and posts else None,
            "next_cursor": posts[-1].pk if has_next and posts else None,
            "has_previous": has_previous,
            "form": PostForm(initial={"subject": topic.opening_post.reply_subject()})
            if can_reply(request.user, topic)
            else None,
        },
    )


def post_permalink(request, pk):
    post = get_object_or_404(Post.objects.select_related("topic"), pk=pk)
    url = post.topic.get_absolute_url()
    if not post.is_opening:
        size = settings.FORUM_PAGE_SIZE
        before = post.topic.posts.replies().filter(path__lt=post.path)[:size].count()
        if before >= size:
            url += f"?start={post.pk}"
    return redirect(f"{url}#{post.anchor}")


@login_required
@require_http_methods(["GET", "POST"])
def reply(request, pk):
    """Reply to a post; replying to the topic is replying to its opening post."""
    parent = get_object_or_404(Post.objects.select_related("topic", "author"), pk=pk)
    topic = parent.topic
    # A removed post is, to those who may not read it, not there; but text
    # typed before it was removed is given back (with the same status).
    removed = not can_view_hidden(request.user, parent)
    if removed and request.method == "GET":
        raise Http404(_("There is no such post."))
    status = 200
    refusal = None
    try:
        check_reply_to(request.user, parent)
    except PermissionDenied as denied:
        # Shown above the form, which keeps whatever the person had typed.
        refusal, status = str(denied), 404 if removed else 403

    preview = None
    if request.method == "POST":
        form = PostForm(request.POST)
        if form.is_valid() and refusal is None:
            try:
                if "preview" not in request.POST:
                    return _post_reply(request, form, topic, parent)
                limits.check_preview(request.user)
                preview = markup.render(form.cleaned_data["body"])
            except limits.Limited as limited:
                return limits.refusal(
                    request,
                    limited,
                    form=form,
                    submit_label=_("Post reply"),
                    topic=topic,
                    category=topic.category,
                )
            except PermissionDenied as denied:
                # Locked or closed while they wrote: the same page, text kept.
                refusal, status = str(denied), 403
    else:
        form = PostForm(initial={"subject": parent.reply_subject()})
    return render(
        request,
        "forum/reply.html",
        {
            "topic": topic,
            "category": topic.category,
            "parent": parent,
            "form": form,
            "preview": preview,
            "refusal": refusal,
        },
        status=status,
    )


def _post_reply(request, form, topic, parent):
    def save():
        with limits.replying(request.user, topic, form.cleaned_data["body"]):
            post = topic.add_reply(author=request.user, parent=parent, **form.content())
        messages.success(request, _("Your reply was posted."))
        return post.get_absolute_url()

    return limits.save_once(
        request,
        form,
        save,
        already=_("Your reply was already posted."),
        fallback=parent.get_absolute_url(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def topic_create(request, slug):
    category = get_object_or_404(Category, slug=slug)
    if not can_start_topic(request.user, category):
        raise PermissionDenied(_("Only facilitators can start a topic here."))
    preview = None
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if "preview" not in request.POST:
                return _open_topic(request, form, category)
            limits.check_preview(request.user)
            preview = markup.render(form.cleaned_data["body"])
        except limits.Limited as limited:
            return limits.refusal(
                request, limited, form=form, submit_label=_("Open topic"), category=category
            )
    return render(
        request,
        "forum/topic_form.html",
        {"category": category, "form": form, "preview": preview},
    )


def _open_topic(request, form, category):
    def save():
        with limits.starting_topic(request.user, category, form.cleaned_data["body"]):
            topic = Topic.start(category=category, author=request.user, **form.content())
        messages.success(request, _("The topic was opened."))
        return topic.get_absolute_url()

    return limits.save_once(
        request,
        form,
        save,
        already=_("This topic was already opened."),
        fallback=category.get_absolute_url(),
    )
