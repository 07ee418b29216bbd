"""Graph API rate limits: rolling call windows on the injectable clock.

Two windows, as Facebook runs them [platforms.md 2.4]:

- Page level (Business Use Case limits, calls made with a Page token): a
  rolling 24 hours; the real quota is 4,800 calls times the Page's engaged
  users, the sandbox defaults to 4,800 (one engaged user). Full -> code 32 with
  ``X-Business-Use-Case-Usage`` saying, in minutes, when access comes back.
- App level (Platform limits): a rolling hour; the real quota is 200 calls
  times the app's users, the sandbox defaults to 2,000. Full -> code 4, with
  ``X-App-Usage`` at 100 percent and no estimate (the real header has none).

Usage headers report the percentage of each window in use, so a client can see
a limit coming. The windows use the sandbox's clock, so a rehearsal that
compresses time keeps them consistent with the schedule.
"""

from __future__ import annotations

import json
import math
import threading
from collections import deque
from datetime import datetime, timedelta

from scheduler.clock import Clock
from scheduler.platforms.facebook.sandbox.errors import buc_header, throttled
from scheduler.platforms.sandbox_server import Response

PAGE_WINDOW = timedelta(hours=24)
APP_WINDOW = timedelta(hours=1)


class UsageMeter:
    """Counts Graph calls per Page and per app; thread-safe.

    ``page_calls_per_day`` and ``app_calls_per_hour`` are the quotas (calls per
    rolling window); a call refused for rate does not count.
    """

    def __init__(
        self, clock: Clock, page_calls_per_day: int = 4800, app_calls_per_hour: int = 2000
    ) -> None:
        if page_calls_per_day < 1 or app_calls_per_hour < 1:
            raise ValueError("quotas must be at least one call")
        self.clock = clock
        self.page_calls_per_day = page_calls_per_day
        self.app_calls_per_hour = app_calls_per_hour
        self._page_calls: dict[str, deque[datetime]] = {}
        self._app_calls: deque[datetime] = deque()
        self._lock = threading.Lock()

    def admit(self, page_id: str | None) -> Response | None:
        """Count one call (for ``page_id`` when it used a Page token) or, when a
        window is full, return the throttling error instead of counting it."""
        now = self.clock.now()
        with self._lock:
            self._prune(now)
            if page_id is not None:
                calls = self._page_calls.setdefault(page_id, deque())
                if len(calls) >= self.page_calls_per_day:
                    return throttled(32, page_id, _minutes_until(calls[0] + PAGE_WINDOW, now))
            if len(self._app_calls) >= self.app_calls_per_hour:
                return throttled(4, None, 0)
            self._app_calls.append(now)
            if page_id is not None:
                self._page_calls[page_id].append(now)
        return None

    def headers(self, page_id: str | None) -> dict[str, str]:
        """The usage headers for an answer; Page headers only for Page-token calls."""
        now = self.clock.now()
        with self._lock:
            self._prune(now)
            app_percent = _percent(len(self._app_calls), self.app_calls_per_hour)
            page_count = len(self._page_calls.get(page_id, ())) if page_id else 0
        headers = {"X-App-Usage": _usage(app_percent)}
        if page_id is not None:
            page_percent = _percent(page_count, self.page_calls_per_day)
            headers["X-Business-Use-Case-Usage"] = buc_header(page_id, page_percent, 0)
            headers["X-Page-Usage"] = _usage(page_percent)
        return headers

    def page_calls(self, page_id: str) -> int:
        """Calls counted for ``page_id`` in the current 24-hour window."""
        with self._lock:
            self._prune(self.clock.now())
            return len(self._page_calls.get(page_id, ()))

    def _prune(self, now: datetime) -> None:
        while self._app_calls and self._app_calls[0] <= now - APP_WINDOW:
            self._app_calls.popleft()
        for calls in self._page_calls.values():
            while calls and calls[0] <= now - PAGE_WINDOW:
                calls.popleft()


def _percent(count: int, quota: int) -> int:
    return min(100, math.ceil(count * 100 / quota))


def _usage(percent: int) -> str:
    return json.dumps(
        {"call_count": percent, "total_time": percent // 4, "total_cputime": percent // 4},
        separators=(",", ":"),
    )


def _minutes_until(instant: datetime, now: datetime) -> int:
    return max(1, math.ceil((instant - now).total_seconds() / 60))
