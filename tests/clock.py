"""A controllable timezone.now() for the code under test (the `clock` fixture)."""

from datetime import UTC, datetime, timedelta

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def set(self, when: datetime) -> None:
        self.now = when

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)
