import json

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from forum.db_router import reads_primary
from forum.decorators import staff_mfa_required
from forum.models import Post
from forum.permissions import can_list_hidden_posts_of, can_suspend, check_suspend

from .export import user_data
from .forms import DeleteAccountForm, ProfileForm, SuspendForm
from .models import User

POSTS_PER_PAGE = 20


def _render_profile(request, person, *, suspend_form=None, status=200):
    posts = Post.objects.filter(author=person).select_related("topic").order_by("-created_at")
    if not can_list_hidden_posts_of(request.user, person):
        posts = posts.visible()
    page = Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page"))
    if suspend_form is None and can_suspend(request.user, person):
        suspend_form = SuspendForm()
    return render(
        request,
        "accounts/profile.html",
        {"person": person, "page": page, "suspend_form": suspend_form},
        status=status,
    )


def profile(request, username):
    person = get_object_or_404(User, username=username, is_active=True)
    return _render_profile(request, person)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    # A copy, so a rejected edit never shows in the header of the same page.
    me = User.objects.get(pk=request.user.pk)
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=me)
    if request.method == "POST" and form.is_valid():
        form.save()
        # The next page is in the language just chosen: say so in it.
        translation.activate(me.language or translation.get_language_from_request(request))
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile_edit")
    return render(request, "accounts/profile_edit.html", {"form": form})


@require_http_methods(["GET", "POST"])
def set_language(request):
    """The footer's language menu. A visitor's is a GET form: it sets only
    the language cookie, and carries no CSRF token, so the pages it sits on
    stay in the shared page cache (forum/page_cache.py). A member's is a POST
    form, since it also saves their profile language, which otherwise wins
    over the cookie on the next page."""
    if request.method == "GET":
        return _language_cookie(request)
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    codes = {code for code, _name in settings.LANGUAGES}
    if request.user.is_authenticated and language in codes and response.status_code == 302:
        User.objects.filter(pk=request.user.pk).update(language=language)
    return response


def _language_cookie(request):
    """What Django's set_language does for a POST, for the visitor's GET."""
    language = request.GET.get("language", "")
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if language in {code for code, _name in settings.LANGUAGES}:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


@require_POST
@login_required
@staff_mfa_required
def suspend(request, username):
    person = get_object_or_404(User, username=username)
    check_suspend(request.user, person)
    form = SuspendForm(request.POST)
    if form.is_valid():
        person.suspend(form.cleaned_data["until"], form.cleaned_data["reason"], by=request.user)
        messages.success(request, _("%(name)s is suspended.") % {"name": person.public_name})
        return redirect(person)
    return _render_profile(request, person, suspend_form=form, status=400)


@require_POST
@login_required
@staff_mfa_required
def unsuspend(request, username):
    person = get_object_or_404(User, username=username)
    check_suspend(request.user, person)
    person.unsuspend(by=request.user)
    messages.success(request, _("%(name)s is no longer suspended.") % {"name": person.public_name})
    return redirect(person)


@login_required
@require_GET
@reads_primary
def my_data(request):
    return render(request, "accounts/my_data.html")


def _export_allowed(user) -> bool:
    """A few downloads an hour per member, counted in the shared cache: each
    one reads everything they ever wrote."""
    key = f"accounts:export:{user.pk}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # the hour ran out between the two calls
        cache.set(key, 1, timeout=3600)
        count = 1
    return count <= settings.FORUM_DATA_EXPORTS_PER_HOUR


@login_required
@reauthentication_required
@require_GET
@reads_primary
def export(request):
    # Asks for the password again: a borrowed or seized unlocked device should
    # not hand over everything at one click.
    if not _export_allowed(request.user):
        return render(
            request,
            "accounts/export_limited.html",
            {"limit": settings.FORUM_DATA_EXPORTS_PER_HOUR},
            status=429,
        )
    data = {"exported_at": timezone.now().isoformat()} | user_data(request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-forum-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
@reads_primary
def delete_account(request):
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        # Drop pending messages that may still name the person.
        for _message in messages.get_messages(request):
            pass
        logout(request)
        user.delete_account(form.cleaned_data["mode"])
        messages.success(request, _("Your account was deleted. Goodbye, and thank you."))
        return redirect("forum:home")
    return render(request, "accounts/delete_account.html", {"form": form})
