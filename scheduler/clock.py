"""Time as an input: every component that cares about "now" takes a Clock.

All datetimes are timezone-aware UTC. Three clocks:

- ``SystemClock``: the real time; what ``campaign run`` uses in production.
- ``FrozenClock``: stands still until moved; for tests.
- ``ScaledClock``: campaign time mapped onto wall time at a speed factor, so a
  rehearsal plays five weeks in a minute. The daemon and the sandbox share one
  instance, so rate-limit windows and 24-hour caps stay consistent with the
  schedule.

:func:`publishing_clock` is the clock that will publish: the system clock, or
a scaled one named by ``CAMPAIGN_SCALED_CLOCK``.

``to_wall`` converts a campaign instant into the wall-clock instant at which it
happens; APScheduler, which only knows wall time, is given those.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from scheduler.errors import ConfigError

# The days a person may name (a filter, --since, --at): wide enough for any
# campaign, and far enough inside Python's years 1 to 9999 that moving a day
# between timezones, or to the next midnight, never overflows.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9998, 12, 31)


def in_calendar(moment: date | datetime) -> bool:
    """True when ``moment`` (a day, or a naive or aware time) falls from
    :data:`FIRST_DAY` to :data:`LAST_DAY`, both included."""
    day = moment.date() if isinstance(moment, datetime) else moment
    return FIRST_DAY <= day <= LAST_DAY


CALENDAR_RANGE = f"from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"


def log_time(instant: datetime | None) -> str:
    """``2020-11-23 09:00:00.004 UTC``: a time for the daemon's log (milliseconds,
    since lateness is measured in them); ``-`` for None."""
    if instant is None:
        return "-"
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + " UTC"


def utc_now() -> datetime:
    """The real current time, aware UTC."""
    return datetime.now(UTC)


class Clock(Protocol):
    """A source of campaign time."""

    def now(self) -> datetime:
        """Current campaign time, aware UTC."""
        ...

    def to_wall(self, instant: datetime) -> datetime:
        """The wall-clock instant (aware UTC) at which campaign ``instant`` happens."""
        ...

    def wall_seconds(self, campaign_seconds: float) -> float:
        """How many wall seconds a campaign duration of ``campaign_seconds`` takes."""
        ...


class SystemClock:
    """Real time: campaign time equals wall time."""

    def now(self) -> datetime:
        return utc_now()

    def to_wall(self, instant: datetime) -> datetime:
        return instant

    def wall_seconds(self, campaign_seconds: float) -> float:
        return campaign_seconds

    def __repr__(self) -> str:
        return "SystemClock()"


class FrozenClock:
    """A clock that moves only when told to; thread-safe."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        """Move forward by ``seconds``; returns the new time."""
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now

    def set(self, instant: datetime) -> None:
        """Jump to ``instant`` (aware)."""
        with self._lock:
            self._now = instant.astimezone(UTC)

    def to_wall(self, instant: datetime) -> datetime:
        # A frozen clock's future never arrives on its own: map it onto the real
        # time it is away from now, so schedulers fire when the test advances past.
        return utc_now() + (instant - self.now())

    def wall_seconds(self, campaign_seconds: float) -> float:
        return campaign_seconds

    def __repr__(self) -> str:
        return f"FrozenClock({self._now.isoformat()})"


class ScaledClock:
    """Campaign time that runs ``speed`` times faster than wall time.

    ``campaign_start`` is the campaign instant that corresponds to the wall instant
    ``wall_start`` (default: the moment of construction).
    """

    def __init__(
        self, campaign_start: datetime, speed: float, wall_start: datetime | None = None
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        if campaign_start.tzinfo is None:
            raise ValueError("ScaledClock needs an aware datetime")
        self.campaign_start = campaign_start.astimezone(UTC)
        self.wall_start = wall_start or utc_now()
        self.speed = speed
        self._wall_start_monotonic = (
            time.monotonic() - (utc_now() - self.wall_start).total_seconds()
        )

    def restart(self) -> None:
        """Map ``campaign_start`` to this wall moment: campaign time starts again
        from it. For a rehearsal whose set-up (the sandbox, the daemon's parts)
        took wall time before anything was scheduled on the clock."""
        self.wall_start = utc_now()
        self._wall_start_monotonic = time.monotonic()

    def now(self) -> datetime:
        elapsed = time.monotonic() - self._wall_start_monotonic
        return self.campaign_start + timedelta(seconds=elapsed * self.speed)

    def to_wall(self, instant: datetime) -> datetime:
        offset = (instant - self.campaign_start).total_seconds() / self.speed
        return self.wall_start + timedelta(seconds=offset)

    def wall_seconds(self, campaign_seconds: float) -> float:
        return campaign_seconds / self.speed

    def __repr__(self) -> str:
        return f"ScaledClock(start={self.campaign_start.isoformat()}, speed={self.speed})"


SCALED_CLOCK_VARIABLE = "CAMPAIGN_SCALED_CLOCK"


def clock_from_environment(environ: Mapping[str, str]) -> Clock:
    """The system clock, unless ``CAMPAIGN_SCALED_CLOCK`` asks for a rehearsal clock.

    ``CAMPAIGN_SCALED_CLOCK=<campaign start>,<wall start>,<speed>`` (ISO 8601
    instants with offsets, speed in campaign seconds per wall second) makes a
    :class:`~scheduler.clock.ScaledClock` that agrees with any other process given
    the same three values: the SIGKILL soak runs real daemon processes on the
    same compressed campaign time as its sandbox this way.

    :raises ConfigError: when the value cannot be read.
    """
    value = environ.get(SCALED_CLOCK_VARIABLE, "").strip()
    if not value:
        return SystemClock()
    try:
        campaign_text, wall_text, speed_text = value.split(",")
        return ScaledClock(
            datetime.fromisoformat(campaign_text),
            float(speed_text),
            wall_start=datetime.fromisoformat(wall_text),
        )
    except ValueError as error:
        raise ConfigError(
            f"cannot read {SCALED_CLOCK_VARIABLE}={value!r}: {error}",
            where="environment",
            hint="write <campaign start>,<wall start>,<speed>, e.g. "
            "2020-10-24T06:00:00+00:00,2026-01-01T12:00:00+00:00,10000, or unset it",
        ) from None


def publishing_clock() -> Clock:
    """The clock that will publish: the system clock, or the one
    ``CAMPAIGN_SCALED_CLOCK`` describes. ``campaign check``, ``sync``, ``status``
    and ``preflight`` judge past times on it, as the daemon publishes on it.

    :raises ConfigError: when ``CAMPAIGN_SCALED_CLOCK`` cannot be read.
    """
    return clock_from_environment(os.environ)


def duration_words(seconds: float) -> str:
    """A span of time for people: ``45 s``, ``12 min``, ``3 h 5 min``, ``2 d 4 h``
    (the sign is dropped: say "ago" or "in" around it)."""
    seconds = abs(seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"
