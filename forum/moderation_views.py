"""The topic page's moderation buttons, post editing, flags and the
moderation queue. Each view: fetch, check permission, validate, call the
model method (which writes the moderation log), confirm with a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import limits, markup, permissions
from .db_router import reads_primary
from .decorators import staff_mfa_required
from .forms import FlagForm, LockForm, PostForm, ReasonForm, ResolveFlagForm
from .models import Flag, ModerationLog, Post, Topic

QUEUE_PAGE_SIZE = 50
LOG_PAGE_SIZE = 100


def _get_topic(pk):
    return get_object_or_404(Topic.objects.select_related("category"), pk=pk)


def _get_post(request, pk):
    """The post, or 404 when it is hidden from the person asking."""
    post = get_object_or_404(Post.objects.select_related("topic__category", "author"), pk=pk)
    permissions.check_view_post(request.user, post)
    return post


def _confirm(request, *, template, context, perform, done, about=None, form_class=ReasonForm):
    """Lock and hide change what everyone sees, so the topic page links to a
    confirmation page (GET) with the reason and what participants will see;
    its POST does it, or shows the errors with everything typed. The
    message goes next to the post it is `about`, where the redirect lands."""
    form = form_class(request.POST if request.method == "POST" else None)
    if form.is_valid():
        perform(form.cleaned_data["reason"])
        messages.success(request, done, extra_tags=about.anchor if about else "")
        return redirect(about or context["topic"])
    return render(
        request,
        template,
        {**context, "category": context["topic"].category, "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@staff_mfa_required
def topic_lock(request, pk):
    topic = _get_topic(pk)
    permissions.check_lock_topic(request.user, topic)
    if topic.state.is_locked:
        messages.info(request, _("The topic is already locked."))
        return redirect(topic)
    return _confirm(
        request,
        template="forum/topic_lock.html",
        context={"topic": topic},
        perform=lambda reason: topic.lock(by=request.user, reason=reason),
        done=_("The topic is locked: participants can no longer reply."),
        form_class=LockForm,
    )


@login_required
@require_POST
@staff_mfa_required
def topic_unlock(request, pk):
    topic = _get_topic(pk)
    permissions.check_lock_topic(request.user, topic)
    topic.unlock(by=request.user)
    messages.success(request, _("The topic is open for replies again."))
    return redirect(topic)


@login_required
@require_POST
@staff_mfa_required
def topic_sticky(request, pk):
    topic = _get_topic(pk)
    permissions.check_make_sticky(request.user, topic)
    sticky = request.POST.get("sticky") == "1"
    topic.set_sticky(sticky, by=request.user)
    if sticky:
        messages.success(request, _("The topic now stays at the top of its category."))
    else:
        messages.success(request, _("The topic is no longer sticky."))
    return redirect(topic)


@login_required
@staff_mfa_required
def topic_log(request, pk):
    topic = _get_topic(pk)
    permissions.check_view_moderation_log(request.user, topic)
    entries = ModerationLog.objects.for_topic(topic).for_display()
    page = Paginator(entries, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "forum/moderation_log.html",
        {"topic": topic, "category": topic.category, "page": page},
    )


@login_required
@require_POST
@staff_mfa_required
def post_pin(request, pk):
    post = _get_post(request, pk)
    permissions.check_pin_post(request.user, post)
    if request.POST.get("pin") == "0":
        post.unpin(by=request.user)
        messages.success(request, _("The post is no longer pinned."), extra_tags=post.anchor)
    else:
        post.pin(by=request.user)
        messages.success(
            request, _("The post is pinned at the top of the topic."), extra_tags=post.anchor
        )
    return redirect(post)


@login_required
@require_http_methods(["GET", "POST"])
@staff_mfa_required
def post_hide(request, pk):
    post = _get_post(request, pk)
    permissions.check_hide_post(request.user, post)
    if post.is_hidden:
        messages.info(request, _("This post is already hidden."), extra_tags=post.anchor)
        return redirect(post)
    return _confirm(
        request,
        template="forum/post_hide.html",
        context={"topic": post.topic, "post": post},
        perform=lambda reason: post.hide(by=request.user, reason=reason),
        done=_("The post is hidden. Its author and the moderators can still read it."),
        about=post,
    )


@login_required
@require_POST
@staff_mfa_required
def post_restore(request, pk):
    post = _get_post(request, pk)
    permissions.check_hide_post(request.user, post)
    post.restore(by=request.user)
    messages.success(request, _("The post is visible again."), extra_tags=post.anchor)
    return redirect(post)


@login_required
@require_http_methods(["GET", "POST"])
@reads_primary
def post_edit(request, pk):
    post = _get_post(request, pk)
    refusal, status = None, 200
    try:
        permissions.check_edit_post(request.user, post)
    except PermissionDenied as denied:
        if request.method == "GET":
            raise
        # E.g. the topic was locked while they typed: give their text back.
        refusal, status = str(denied), 403
    preview = None
    if request.method == "POST":
        form = PostForm(request.POST)
        if form.is_valid() and refusal is None:
            if "preview" not in request.POST:
                return limits.save_once(
                    request,
                    form,
                    lambda: _save_edit(request, post, form),
                    already=_("Your changes were already saved."),
                    fallback=post.get_absolute_url(),
                )
            try:
                limits.check_preview(request.user)
            except limits.Limited as limited:
                return limits.refusal(
                    request,
                    limited,
                    form=form,
                    submit_label=_("Save changes"),
                    topic=post.topic,
                    category=post.topic.category,
                )
            preview = markup.render(form.cleaned_data["body"])
    else:
        form = PostForm(initial={"subject": post.subject, "body": post.body})
    return render(
        request,
        "forum/post_edit.html",
        {
            "post": post,
            "topic": post.topic,
            "category": post.topic.category,
            "form": form,
            "preview": preview,
            "refusal": refusal,
        },
        status=status,
    )


def _save_edit(request, post, form) -> str:
    post.edit(by=request.user, **form.content())
    messages.success(request, _("Your changes were saved."), extra_tags=post.anchor)
    return post.get_absolute_url()


@login_required
@staff_mfa_required
def post_revisions(request, pk):
    post = _get_post(request, pk)
    permissions.check_view_revisions(request.user, post)
    return render(
        request,
        "forum/post_revisions.html",
        {
            "post": post,
            "topic": post.topic,
            "category": post.topic.category,
            "revisions": post.revisions.select_related("replaced_by"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def post_flag(request, pk):
    post = _get_post(request, pk)
    permissions.check_flag_post(request.user, post)
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            limits.check_flag(request.user, post)
        except limits.Limited as limited:
            return limits.refusal(
                request,
                limited,
                form=form,
                form_template="forum/post_flag.html#flag-form",
                submit_label=_("Flag post"),
                post=post,
                topic=post.topic,
                category=post.topic.category,
            )
        try:
            post.flag(by=request.user, **form.cleaned_data)
        except IntegrityError:
            # A second tab flagged it a moment ago: the flag is there.
            pass
        messages.success(
            request,
            _("Thank you. The moderators will look at this post."),
            extra_tags=post.anchor,
        )
        return redirect(post)
    return render(
        request,
        "forum/post_flag.html",
        {"post": post, "topic": post.topic, "category": post.topic.category, "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
@staff_mfa_required
def moderation_queue(request):
    permissions.check_view_moderation_queue(request.user)
    flags = Flag.objects.open().for_queue()
    scope = permissions.moderated_topics(request.user, "post__topic__")
    if scope is not None:
        flags = flags.filter(scope)
    page = Paginator(flags, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "forum/moderation_queue.html",
        {
            "page": page,
            "resolve_form": ResolveFlagForm(),
            "can_see_flagger": permissions.can_see_flagger(request.user),
        },
    )


@login_required
@require_POST
@staff_mfa_required
def flag_resolve(request, pk):
    flag = get_object_or_404(Flag.objects.select_related("post__topic__category"), pk=pk)
    permissions.check_resolve_flags(request.user, flag.post)
    form = ResolveFlagForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to hide the post or dismiss the flags."))
        return redirect("forum:moderation_queue")
    hide = form.cleaned_data["decision"] == "hide"
    if hide:
        permissions.check_hide_post(request.user, flag.post)
    flag.resolve(by=request.user, hide=hide, note=form.cleaned_data["note"])
    if hide:
        messages.success(request, _("The post is hidden and its flags are resolved."))
    else:
        messages.success(request, _("The flags on this post were dismissed."))
    return redirect("forum:moderation_queue")
