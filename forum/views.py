from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import empty
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import limits, markup, page_cache, reading_modes, topic_pages
from .db_router import reads_primary
from .decorators import staff_mfa_required
from .forms import PostForm, TopicForm
from .models import Category, Post, Topic, TopicRead
from .permissions import (
    PageRights,
    can_reply,
    can_start_topic,
    can_view_hidden,
    check_reply_to,
    check_start_topic,
    roles_to_topic,
    with_viewer_roles,
)

# Of the people a topic page names, what it never shows.
UNSHOWN = ("password", "email", "bio", "affiliation", "suspension_reason")
TOPICS_PER_CATEGORY_ON_HOME = 5
TOPICS_PER_PAGE = 30


@page_cache.cached_for_anonymous(page_cache.home_signature)
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


@page_cache.cached_for_anonymous(page_cache.category_signature)
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


def _notes_for(request, posts) -> list:
    """Messages about a post on this page (tagged with its anchor) are shown
    inside it: the redirect after posting or moderating lands on that
    anchor, so the message is in view without JavaScript. Returns the
    others, for the top of the page."""
    by_anchor = {post.anchor: post for post in posts}
    for post in posts:
        post.notes = []
    rest = []
    for message in messages.get_messages(request):
        about = next((by_anchor[t] for t in message.extra_tags.split() if t in by_anchor), None)
        (about.notes if about else rest).append(message)
    return rest


def _mark_new(request, marker, shown):
    """Flag the posts the user has not read yet (highlighted on the page),
    record this page as read, and return the first new one shown."""
    if marker is None:
        return None
    for post in shown:
        post.is_new = marker.is_unread(post, request.user)
    marker.mark_read(shown)
    return next((post for post in shown if post.is_new), None)


def _viewer(request):
    """The person behind request.user's lazy stand-in: a topic page asks
    about them thousands of times, and each question through the stand-in
    costs a proxy call."""
    user = request.user
    user.is_authenticated  # noqa: B018  (loads them)
    wrapped = getattr(user, "_wrapped", empty)
    return user if wrapped is empty else wrapped


@page_cache.cached_for_anonymous(page_cache.topic_signature)
def topic_detail(request, pk, slug=None):
    viewer = _viewer(request)
    # The topic's row and category with the viewer's read state, mode and
    # roles; the posts it shows besides its page come per version.
    topics = (
        Topic.objects.select_related("category", "locked_by")
        .defer(*(f"locked_by__{name}" for name in UNSHOWN))
        .with_read_state(viewer)
    )
    topics = reading_modes.with_reading_mode(topics, viewer)
    topic = get_object_or_404(with_viewer_roles(topics, viewer), pk=pk)
    pinned = topic_pages.attach_shown_posts(topic)
    mode = reading_modes.chosen_mode(request, getattr(topic, "stored_reading_mode", None))
    marker = topic.read_marker(viewer) if viewer.is_authenticated else None
    order = reading_modes.order_for(mode, topic, marker)
    parts = topic_pages.page_of_posts(request, topic, order)
    tree = parts["tree"]
    show_opening = tree["is_first_page"] and (
        not order.only_unread or marker.is_unread(topic.opening_post, viewer)
    )
    shown = ([topic.opening_post] if show_opening else []) + tree["posts"]
    for post in shown + pinned:
        # Permission filters in the template read post.topic: no query per post.
        post.topic = topic
    first_new = _mark_new(request, marker, shown)
    notes = _notes_for(request, shown)
    rights = PageRights(viewer, topic)
    response = render(
        request,
        "forum/topic.html",
        {
            **tree,
            **parts["page_numbers"],
            **reading_modes.switcher(topic, order.mode, viewer),
            "show_opening": show_opening,
            "topic": topic,
            "category": topic.category,
            "pinned_posts": pinned,
            "first_new": first_new,
            "user": viewer,
            "rights": rights,
            "replies": topic_pages.replies_fragment(request, rights, tree["posts"], order),
            "messages": notes,
            "form": PostForm(
                initial={
                    "subject": topic.opening_post.reply_subject(),
                    "submission": topic_pages.SUBMISSION_SLOT,
                }
            )
            if can_reply(viewer, topic)
            else None,
            # The parts kept alike for every reader: pinned block, dialogue
            # header, reply form (its CSRF and submission tokens put in
            # after rendering).
            "shared": topic_pages.shared_parts(),
            "csrf_slot": topic_pages.CSRF_SLOT,
        },
    )
    return topic_pages.fill_slots(request, response)


def _reader_mode(request, found) -> tuple[str, str]:
    """(the mode a link lands in, the remembered one), `found` annotated by
    reading_modes.with_reading_mode()."""
    stored = getattr(found, "stored_reading_mode", None) or reading_modes.Mode.THREADED
    return reading_modes.chosen_mode(request, stored, remember=False), stored


def post_permalink(request, pk):
    posts = reading_modes.with_reading_mode(Post.objects.select_related("topic"), request.user)
    post = get_object_or_404(posts, pk=pk)
    mode, stored = _reader_mode(request, post)
    return redirect(reading_modes.page_url(post, mode, request.user, stored=stored))


@login_required
@require_http_methods(["GET", "POST"])
@reads_primary  # its checks (locked? closed? hidden?) must see the latest state
def reply(request, pk):
    """Reply to a post; replying to the topic is replying to its opening post."""
    # The viewer's roles in the topic come with the post: no query of
    # their own for the permission checks.
    posts = with_viewer_roles(
        Post.objects.select_related("topic", "author"), request.user, of="topic__"
    )
    parent = roles_to_topic(get_object_or_404(posts, pk=pk))
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
        messages.success(request, _("Your reply was posted."), extra_tags=post.anchor)
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
@staff_mfa_required
def topic_create(request, slug):
    category = get_object_or_404(Category, slug=slug)
    check_start_topic(request.user, category)
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


@login_required
def unread(request):
    """The topics with posts the member has not read, latest activity first."""
    topics = Topic.objects.for_listing().unread_by(request.user).order_by("-last_post_at", "-pk")
    page = Paginator(topics, TOPICS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "forum/unread.html", {"page": page})


@login_required
@require_POST
def mark_all_read(request):
    TopicRead.catch_up(request.user, Topic.objects.unread_by(request.user))
    messages.success(request, _("Every topic is marked read."))
    return redirect("forum:unread")


@login_required
def topic_unread(request, pk):
    """Where "N new" leads: the page showing the oldest post the member has
    not read, at its anchor."""
    topic = get_object_or_404(reading_modes.with_reading_mode(Topic.objects, request.user), pk=pk)
    marker = topic.read_marker(request.user)
    post = marker.first_unread()
    if post is None:
        messages.info(request, _("You have read every post in this topic."))
        return redirect(topic)
    post.topic = topic
    mode, stored = _reader_mode(request, topic)
    return redirect(reading_modes.page_url(post, mode, request.user, stored=stored, marker=marker))


@login_required
@require_POST
def topic_mark_read(request, pk):
    topic = get_object_or_404(Topic, pk=pk)
    TopicRead.catch_up(request.user, Topic.objects.filter(pk=topic.pk))
    messages.success(request, _("Every post in this topic is marked read."))
    return redirect(topic)
