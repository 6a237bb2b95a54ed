"""Limits per member on posting, flagging and previewing, and one post per
submitted form.

Everything is kept in the shared cache (settings.CACHES "default": Redis in
production, a database table otherwise), so all workers count the same
attempts. A rate is a fixed window: one counter per member, action and
minute (or day), made with cache.add() and raised with cache.incr(), which
Redis does atomically. Windows are numbered from timezone.now(), not from
the cache's own expiry, so every limit follows a controlled clock in tests.

A refused action raises Limited; the views answer it with refusal(): the
429 page with the form and everything typed in it.

Who has no limits is decided in forum/permissions.py."""

import hashlib
import secrets
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import ngettext

from . import permissions

MINUTE, DAY = 60, 24 * 60 * 60
NEW_MEMBER_AGE = timedelta(days=1)
# A window's counter outlives it a little: another worker's clock may lag.
SLACK = MINUTE


class Limited(Exception):
    """An action refused by a limit. str() is the message for the person;
    retry_after, in seconds, goes into the Retry-After header."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = max(1, retry_after)


def _wait(seconds: int) -> str:
    minutes = max(1, -(-seconds // MINUTE))
    if minutes < 120:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = -(-minutes // 60)
    return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}


def _count(user, action: str, limit: int, seconds: int, message: Callable, now: datetime):
    """Count one `action` by `user` in the current window of `seconds`;
    refuse it when the window already holds `limit` of them (0: no limit).
    `message(limit, wait)` words the refusal."""
    if limit <= 0:
        return
    stamp = int(now.timestamp())
    window = stamp // seconds
    left = (window + 1) * seconds - stamp
    key = f"forum:limit:{action}:{seconds}:{user.pk}:{window}"
    cache.add(key, 0, timeout=left + SLACK)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=left + SLACK)
        count = 1
    # incr() on the database cache rewrites the row with the default timeout.
    cache.touch(key, timeout=left + SLACK)
    if count > limit:
        raise Limited(message(limit, _wait(left)), retry_after=left)


def _is_new_member(user, now: datetime) -> bool:
    joined = getattr(user, "date_joined", None)
    return joined is not None and now - joined < NEW_MEMBER_AGE


def _body_key(user, body: str) -> str:
    """The same text, whatever its case, spacing or Unicode form."""
    normal = " ".join(unicodedata.normalize("NFKC", body).casefold().split())
    return f"forum:body:{user.pk}:{hashlib.sha256(normal.encode()).hexdigest()}"


@contextmanager
def _new_text(user, body: str, now: datetime) -> Iterator[None]:
    """Refuse a text `user` already posted within FORUM_DUPLICATE_POST_MINUTES;
    remember it for that long once the block that posts it succeeds."""
    minutes = settings.FORUM_DUPLICATE_POST_MINUTES
    if minutes <= 0:
        yield
        return
    key, stamp, window = _body_key(user, body), now.timestamp(), minutes * MINUTE
    if not cache.add(key, stamp, timeout=window + SLACK):
        posted = cache.get(key)
        if posted is not None and stamp - posted < window:
            raise Limited(
                ngettext(
                    "You posted this same text less than %(minutes)d minute ago. "
                    "Change it, or wait before posting it again.",
                    "You posted this same text less than %(minutes)d minutes ago. "
                    "Change it, or wait before posting it again.",
                    minutes,
                )
                % {"minutes": minutes},
                retry_after=int(window - (stamp - posted)),
            )
        cache.set(key, stamp, timeout=window + SLACK)
    try:
        yield
    except BaseException:
        # Nothing was posted: the same text may be sent again at once.
        cache.delete(key)
        raise


@contextmanager
def replying(user, topic, body: str) -> Iterator[None]:
    """Around adding a reply: raises Limited before the block runs."""
    now = timezone.now()
    if not permissions.posts_without_limits(user, topic):
        if _is_new_member(user, now):
            per_minute = settings.FORUM_NEW_MEMBER_REPLIES_PER_MINUTE
            per_day = settings.FORUM_NEW_MEMBER_REPLIES_PER_DAY
        else:
            per_minute = settings.FORUM_REPLIES_PER_MINUTE
            per_day = settings.FORUM_REPLIES_PER_DAY
        _count(user, "reply", per_minute, MINUTE, _replies_a_minute, now)
        _count(user, "reply", per_day, DAY, _replies_a_day, now)
    with _new_text(user, body, now):
        yield


def _replies_a_minute(limit: int, wait: str) -> str:
    return ngettext(
        "You can post at most %(limit)d reply a minute. Wait %(wait)s, then send it again.",
        "You can post at most %(limit)d replies a minute. Wait %(wait)s, then send it again.",
        limit,
    ) % {"limit": limit, "wait": wait}


def _replies_a_day(limit: int, wait: str) -> str:
    return ngettext(
        "You have posted %(limit)d reply today, the most a day. You can post again in %(wait)s.",
        "You have posted %(limit)d replies today, the most a day. You can post again in %(wait)s.",
        limit,
    ) % {"limit": limit, "wait": wait}


@contextmanager
def starting_topic(user, category, body: str) -> Iterator[None]:
    """Around opening a topic: raises Limited before the block runs."""
    now = timezone.now()
    if not permissions.starts_topics_without_limits(user, category):
        _count(user, "topic", settings.FORUM_TOPICS_PER_DAY, DAY, _topics_a_day, now)
    with _new_text(user, body, now):
        yield


def _topics_a_day(limit: int, wait: str) -> str:
    return ngettext(
        "You have opened %(limit)d topic today, the most a day. You can open another in %(wait)s.",
        "You have opened %(limit)d topics today, the most a day. You can open another in %(wait)s.",
        limit,
    ) % {"limit": limit, "wait": wait}


def check_flag(user, post) -> None:
    if permissions.flags_without_limits(user, post):
        return
    _count(user, "flag", settings.FORUM_FLAGS_PER_DAY, DAY, _flags_a_day, timezone.now())


def _flags_a_day(limit: int, wait: str) -> str:
    return ngettext(
        "You have flagged %(limit)d post today, the most a day. The moderators will look at "
        "it; you can flag again in %(wait)s.",
        "You have flagged %(limit)d posts today, the most a day. The moderators will look at "
        "them; you can flag again in %(wait)s.",
        limit,
    ) % {"limit": limit, "wait": wait}


def check_preview(user) -> None:
    """Previews render Markdown, the costliest thing a request does: everyone
    has this limit, far above what writing by hand needs."""
    _count(user, "preview", settings.FORUM_PREVIEWS_PER_MINUTE, MINUTE, _previews, timezone.now())


def _previews(limit: int, wait: str) -> str:
    return ngettext(
        "You can preview at most %(limit)d time a minute. "
        "Wait %(wait)s before previewing again, or post it as it is.",
        "You can preview at most %(limit)d times a minute. "
        "Wait %(wait)s before previewing again, or post it as it is.",
        limit,
    ) % {"limit": limit, "wait": wait}


def refusal(request, limited: Limited, *, form, submit_label: str, **context) -> HttpResponse:
    """The 429 page: the reason, and the form with everything typed."""
    response = render(
        request,
        "429.html",
        {
            "limited": limited,
            "form": form,
            "action": request.get_full_path(),
            "submit_label": submit_label,
            **context,
        },
        status=429,
    )
    response["Retry-After"] = str(limited.retry_after)
    return response


# One post per submitted form.

SUBMISSION_KEPT = DAY
_PENDING = "pending"
# How long a second submit waits for the first, still at work, to finish.
WAIT_STEP, WAIT_STEPS = 0.1, 30


def new_token() -> str:
    """The hidden token of an unbound post form (forms.SubmittedOnce)."""
    return secrets.token_urlsafe(18)


class Submission:
    """One submitted form, remembered by its token with where it led."""

    def __init__(self, user, token: str):
        self.key = f"forum:submission:{user.pk}:{token}" if token else None

    def claim(self) -> str | None:
        """None if this request is the first to send the token (it does the
        work); otherwise where the first one led, "" if it is still at it."""
        if self.key is None or cache.add(self.key, _PENDING, timeout=SUBMISSION_KEPT):
            return None
        for _step in range(WAIT_STEPS):
            url = cache.get(self.key)
            if url is None and cache.add(self.key, _PENDING, timeout=SUBMISSION_KEPT):
                return None  # the first one failed and let go: take over
            if url not in (None, _PENDING):
                return url
            time.sleep(WAIT_STEP)
        return ""

    def done(self, url: str) -> None:
        if self.key is not None:
            cache.set(self.key, url, timeout=SUBMISSION_KEPT)

    def release(self) -> None:
        if self.key is not None:
            cache.delete(self.key)


def save_once(request, form, save: Callable[[], str], *, already: str, fallback: str):
    """Run `save` (which returns the URL of what it made) once per form
    token, and redirect there. A second submit of the same form (a double
    click, a resend after going back) redirects where the first one went,
    or to `fallback` while the first is still being saved."""
    submission = Submission(request.user, form.cleaned_data.get("submission", ""))
    earlier = submission.claim()
    if earlier is not None:
        messages.info(request, already)
        return redirect(earlier or fallback)
    try:
        url = save()
    except BaseException:
        submission.release()
        raise
    submission.done(url)
    return redirect(url)
