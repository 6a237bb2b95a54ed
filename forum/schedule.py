"""Whether a topic takes replies, and why not: the one place that decides.

A topic is locked by a person (lock/unlock in moderation.py) or, when it is
scheduled as a dialogue, open between `opens_at` and `closes_at`. Every
banner, list badge, series grouping, permission check and email asks
`Topic.reply_state()`; nothing else compares dates or reads `is_locked` to
decide what to show. Mixed into forum.models.Topic."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .moderation import ModerationLog

DAY = timedelta(days=1)
# A dialogue's last few hours past a whole number of days do not make a day
# of their own: a dialogue of 72 hours and 30 minutes has three days.
SHORT_LAST_DAY = timedelta(hours=2)
# Below this much time left, the banner counts hours rather than days, so
# "closes in 2 days" never stands for 71 hours.
COUNT_HOURS_BELOW = timedelta(hours=72)


class Status(models.TextChoices):
    OPEN = "open", gettext_lazy("Open")
    UPCOMING = "upcoming", gettext_lazy("Upcoming")
    CLOSED = "closed", gettext_lazy("Closed")
    LOCKED = "locked", gettext_lazy("Locked")


def _local(when: datetime) -> str:
    # Unambiguous in every language: no a.m./p.m. and no trailing full stop
    # that a sentence would double.
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M %Z")


@dataclass(frozen=True)
class ReplyState:
    """What a topic's page, lists and permission checks say about replying,
    at one moment."""

    status: Status
    now: datetime
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    locked_at: datetime | None = None
    locked_by: object = None
    lock_reason: str = ""

    @property
    def takes_replies(self) -> bool:
        return self.status == Status.OPEN

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN

    @property
    def is_upcoming(self) -> bool:
        return self.status == Status.UPCOMING

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED

    @property
    def is_locked(self) -> bool:
        return self.status == Status.LOCKED

    @property
    def is_scheduled(self) -> bool:
        """A dialogue: the topic has opening and closing times."""
        return self.closes_at is not None

    @property
    def day_count(self) -> int:
        if not self.is_scheduled:
            return 0
        whole, rest = divmod(self.closes_at - self.opens_at, DAY)
        return max(1, whole + (1 if rest >= SHORT_LAST_DAY else 0))

    @property
    def day_number(self) -> int:
        if not self.is_scheduled:
            return 0
        return min(max((self.now - self.opens_at) // DAY + 1, 1), self.day_count)

    @property
    def time_left(self) -> timedelta | None:
        return self.closes_at - self.now if self.is_scheduled else None

    def shown_until(self) -> datetime | None:
        """When what a page says about this state next changes by itself:
        the opening, the closing, the next "Day N" and the next "closes in"
        figure. None when only a person can change it (locked, closed, or
        no schedule). The anonymous page cache keeps a page no longer."""
        if self.status == Status.UPCOMING:
            return self.opens_at
        if self.status != Status.OPEN or not self.is_scheduled:
            return None
        left = self.closes_at - self.now
        if left >= COUNT_HOURS_BELOW:
            figure_changes = self.closes_at - (left // DAY) * DAY
        elif left >= timedelta(hours=1):
            figure_changes = self.closes_at - (left // timedelta(hours=1)) * timedelta(hours=1)
        else:  # counted in whole minutes, rounded up
            minutes = max(math.ceil(left / timedelta(minutes=1)), 1)
            figure_changes = self.closes_at - (minutes - 1) * timedelta(minutes=1)
        changes = [self.closes_at, figure_changes]
        if self.day_number < self.day_count:
            changes.append(self.opens_at + self.day_number * DAY)
        return min(changes)

    def refusal(self) -> str:
        """Why replies are refused, for the person who tried; "" when open."""
        if self.status == Status.LOCKED:
            if self.lock_reason:
                return _("This topic is locked: %(reason)s") % {"reason": self.lock_reason}
            return _("This topic is locked: no new replies can be posted.")
        if self.status == Status.UPCOMING:
            return _("This dialogue has not opened yet: replies open on %(date)s.") % {
                "date": _local(self.opens_at)
            }
        if self.status == Status.CLOSED:
            return _("This dialogue closed on %(date)s: no new replies can be posted.") % {
                "date": _local(self.closes_at)
            }
        return ""


def closes_in(left: timedelta) -> str:
    """'closes in 20 hours': hours below three days, so the figure never
    rounds a day away; then whole days."""
    if left >= COUNT_HOURS_BELOW:
        n = left // DAY
        return ngettext("closes in %(n)d day", "closes in %(n)d days", n) % {"n": n}
    if left >= timedelta(hours=1):
        n = left // timedelta(hours=1)
        return ngettext("closes in %(n)d hour", "closes in %(n)d hours", n) % {"n": n}
    n = max(math.ceil(left / timedelta(minutes=1)), 1)
    return ngettext("closes in %(n)d minute", "closes in %(n)d minutes", n) % {"n": n}


class TopicScheduleQuerySet(models.QuerySet):
    def scheduled(self):
        return self.filter(closes_at__isnull=False)

    def next_state_change(self, now: datetime) -> datetime | None:
        """The next opening or closing among these topics: when their lists'
        "Upcoming"/"Open now"/"Closed" badges change by themselves. One query."""
        found = self.order_by().aggregate(
            opens=models.Min("opens_at", filter=models.Q(opens_at__gt=now)),
            closes=models.Min("closes_at", filter=models.Q(closes_at__gt=now)),
        )
        times = [when for when in found.values() if when is not None]
        return min(times, default=None)

    def due_to_close(self, now: datetime):
        """Past their closing time, the close not yet in the moderation log."""
        return self.filter(closes_at__lte=now, close_logged_at__isnull=True)


class TopicSchedule:
    """The reply state and the dialogue schedule of forum.models.Topic.

    Every change to whether a topic takes replies (lock, unlock, schedule,
    close early) holds the topic's row lock, as Topic.add_reply() does while
    it checks and saves a reply: so once such a change has committed, no
    reply checked before it can commit after it."""

    def _hold_row(self, also=()) -> None:
        """Take the topic's row lock until the transaction ends, and re-read
        its reply state. Whatever else a transaction locks (the parent post
        of a reply, a post being hidden) it locks after this row, so no two
        transactions deadlock. On SQLite the IMMEDIATE transactions already hold the
        whole database's write lock."""
        self.refresh_from_db(
            from_queryset=type(self).objects.select_for_update(),
            fields=[
                "is_locked",
                "locked_at",
                "locked_by",
                "lock_reason",
                "opens_at",
                "closes_at",
                "close_logged_at",
                *also,
            ],
        )
        self._forget_state()

    def reply_state(self, now: datetime | None = None) -> ReplyState:
        now = now or timezone.now()
        if self.is_locked:
            status = Status.LOCKED
        elif self.closes_at is None or self.opens_at <= now < self.closes_at:
            status = Status.OPEN
        elif now < self.opens_at:
            status = Status.UPCOMING
        else:
            status = Status.CLOSED
        return ReplyState(
            status=status,
            now=now,
            opens_at=self.opens_at,
            closes_at=self.closes_at,
            locked_at=self.locked_at if self.is_locked else None,
            locked_by=self.locked_by if self.is_locked else None,
            lock_reason=self.lock_reason if self.is_locked else "",
        )

    @property
    def state(self) -> ReplyState:
        """reply_state() now, computed once per object: what templates read."""
        cached = self.__dict__.get("_reply_state")
        if cached is None:
            cached = self.__dict__["_reply_state"] = self.reply_state()
        return cached

    def _forget_state(self) -> None:
        self.__dict__.pop("_reply_state", None)

    @property
    def is_scheduled(self) -> bool:
        return self.closes_at is not None

    @transaction.atomic
    def schedule(self, *, opens_at: datetime, closes_at: datetime, by, now=None) -> str:
        """Set or change the dialogue's times, and log what that means.
        Returns "scheduled", "extended", "reopened" or "rescheduled"."""
        if closes_at <= opens_at:
            raise ValueError("a dialogue must close after it opens")
        self._hold_row()
        now = now or timezone.now()
        was = self.reply_state(now) if self.is_scheduled else None
        if was is None:
            outcome, action = "scheduled", ModerationLog.Action.SCHEDULE
        elif was.is_closed and closes_at > now:
            outcome, action = "reopened", ModerationLog.Action.REOPEN
        elif closes_at > self.closes_at and opens_at == self.opens_at:
            outcome, action = "extended", ModerationLog.Action.EXTEND
        else:
            outcome, action = "rescheduled", ModerationLog.Action.RESCHEDULE
        self.opens_at, self.closes_at = opens_at, closes_at
        # A close in the future has not happened: the next one is logged anew.
        if closes_at > now:
            self.close_logged_at = None
        self.save(update_fields=["opens_at", "closes_at", "close_logged_at"])
        self._forget_state()
        self.touch()
        ModerationLog.record(
            by, action, topic=self, reason=f"{_local(opens_at)} – {_local(closes_at)}"
        )
        return outcome

    @transaction.atomic
    def close_early(self, *, by, reason: str = "", now=None) -> None:
        """End an open dialogue now instead of at its closing time."""
        self._hold_row()
        now = now or timezone.now()
        if not self.reply_state(now).is_open or not self.is_scheduled:
            raise ValueError("only an open dialogue can be closed early")
        self.closes_at = self.close_logged_at = now
        self.save(update_fields=["closes_at", "close_logged_at"])
        self._forget_state()
        self.touch()
        ModerationLog.record(by, ModerationLog.Action.CLOSE_EARLY, topic=self, reason=reason)

    @transaction.atomic
    def record_close(self, *, now=None) -> bool:
        """Put a dialogue that reached its closing time in the moderation log,
        once. Replies were refused from that time on whatever this does."""
        now = now or timezone.now()
        claimed = (
            type(self)
            .objects.filter(pk=self.pk, closes_at__lte=now, close_logged_at__isnull=True)
            .update(close_logged_at=now)
        )
        if not claimed:
            return False
        self.close_logged_at = now
        ModerationLog.record(
            None,
            ModerationLog.Action.CLOSE,
            topic=self,
            reason=_("The dialogue reached its closing time (%(date)s).")
            % {"date": _local(self.closes_at)},
        )
        return True
