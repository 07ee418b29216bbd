"""X rate limits for the sandbox: fixed windows on the injectable clock.

Each limit is a window of ``period_s`` campaign seconds that opens at the first
request after the previous one closed; its reset instant goes out as epoch
seconds in the ``x-rate-limit-reset`` (15-minute windows) or
``x-user-limit-24hour-reset`` / ``x-app-limit-24hour-reset`` headers
[platforms.md 1.2]. The clock is the one the daemon uses, so a rehearsal that
compresses time sees limits reset at the right campaign instants.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from scheduler.clock import Clock
from scheduler.platforms.x import rates

FIFTEEN_MINUTES_S = 15 * 60
DAY_S = 24 * 60 * 60


@dataclass(frozen=True)
class XLimits:
    """Requests allowed per window. Defaults are X's figures as the profile states
    them (:mod:`scheduler.platforms.x.rates`, platforms.md 1.2); ``create_user_24h``
    is the 24-hour user post cap (X reports it in ``x-user-limit-24hour-*``)."""

    create_15m: int = rates.CREATE_PER_USER_15M
    create_user_24h: int = rates.CREATE_PER_USER_24H
    create_app_24h: int = rates.CREATE_PER_APP_24H
    delete_15m: int = rates.DELETE_PER_USER_15M
    me_15m: int = rates.ME_PER_USER_15M
    timeline_15m: int = rates.TIMELINE_PER_USER_15M
    lookup_15m: int = rates.LOOKUP_PER_USER_15M
    media_upload_15m: int = rates.MEDIA_UPLOAD_PER_USER_15M
    media_chunk_15m: int = rates.MEDIA_CHUNK_PER_USER_15M
    media_status_15m: int = rates.MEDIA_STATUS_PER_USER_15M


@dataclass(frozen=True)
class WindowState:
    """One window after a request: its limit, what is left, and when it resets."""

    limit: int
    remaining: int
    reset_at: datetime
    allowed: bool

    @property
    def reset_epoch(self) -> str:
        return str(int(self.reset_at.timestamp()))


@dataclass
class _Window:
    reset_at: datetime
    used: int = 0


class RateMeter:
    """Counts requests per (limit name, subject) in fixed windows. Thread-safe."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._windows: dict[tuple[str, str], _Window] = {}
        self._lock = threading.Lock()

    def take(self, name: str, subject: str, limit: int, period_s: int) -> WindowState:
        """Count one request against the window, unless it is full.

        ``allowed`` is False when the window was already full (the request is not counted).
        """
        now = self._clock.now()
        with self._lock:
            window = self._windows.get((name, subject))
            if window is None or now >= window.reset_at:
                window = _Window(reset_at=now + timedelta(seconds=period_s))
                self._windows[(name, subject)] = window
            allowed = window.used < limit
            if allowed:
                window.used += 1
            return WindowState(limit, max(limit - window.used, 0), window.reset_at, allowed)

    def peek(self, name: str, subject: str, limit: int, period_s: int) -> WindowState:
        """The window's state without counting a request."""
        now = self._clock.now()
        with self._lock:
            window = self._windows.get((name, subject))
            if window is None or now >= window.reset_at:
                return WindowState(limit, limit, now + timedelta(seconds=period_s), True)
            return WindowState(limit, max(limit - window.used, 0), window.reset_at, True)

    def exhaust(self, name: str, subject: str, limit: int, period_s: int) -> WindowState:
        """Spend the rest of the window (for injected rate-limit faults)."""
        state = self.take(name, subject, limit, period_s)
        with self._lock:
            self._windows[(name, subject)].used = limit
        return WindowState(limit, 0, state.reset_at, False)
