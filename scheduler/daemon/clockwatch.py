"""Noticing the host's wall clock jump: a sleep, a paused VM, a clock set by hand.

APScheduler waits for its next job on the monotonic clock (``threading.Event``
timeouts), and the monotonic clock does not count the time a host spends
suspended. A daemon that waits 45 minutes for a 09:00 post and whose laptop
sleeps for 45 minutes of that wait would send the post at 09:45. Nothing in
APScheduler notices the wall clock moving without the monotonic clock, so the
daemon's refresh loop compares the two at each tick (:class:`ClockJumpWatch`)
and, on a jump, reschedules its window from the wall clock again.

A backward step needs no rescue to stay safe: a job that fires early finds its
publication not yet due at the claim, which asks the clock, and is put back for
its time. The watch still logs it and reschedules, so the job fires on time
rather than a step too soon and once more.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from scheduler.clock import Clock, duration_words, log_time

logger = logging.getLogger(__name__)

# Wall seconds the wall clock may drift from the monotonic one between two ticks
# before it counts as a jump. NTP slews the clock by at most 500 ppm (0.5 ms a
# second), and a tick delayed by a busy machine delays both clocks alike, so two
# seconds is far above any honest drift and well below any sleep worth noticing.
JUMP_THRESHOLD_WALL_S = 2.0


@dataclass(frozen=True)
class ClockJump:
    """The wall clock moved ``seconds`` (wall seconds; positive forward, negative
    backward) more than the monotonic clock between ``before`` and ``after``
    (campaign time, aware UTC)."""

    seconds: float
    before: datetime
    after: datetime

    def words(self) -> str:
        """``forward 45 min`` or ``back 12 s``, for the log."""
        direction = "forward" if self.seconds > 0 else "back"
        return f"{direction} {duration_words(round(self.seconds))}"


class ClockJumpWatch:
    """Compares the progress of ``clock`` (converted to wall seconds) with the
    ``monotonic`` clock (seconds; :func:`time.monotonic` by default, injected in
    tests) between calls to :meth:`check`. Not thread-safe: one caller (the
    daemon's refresh loop)."""

    def __init__(
        self,
        clock: Clock,
        monotonic: Callable[[], float] = time.monotonic,
        threshold_wall_s: float = JUMP_THRESHOLD_WALL_S,
    ) -> None:
        self._clock = clock
        self._monotonic = monotonic
        self._threshold = threshold_wall_s
        self._last_now = clock.now()
        self._last_monotonic = monotonic()

    def check(self) -> ClockJump | None:
        """The jump since the last call (logged as a warning), or None when the two
        clocks kept step within the threshold."""
        now, monotonic = self._clock.now(), self._monotonic()
        wall_elapsed = self._clock.wall_seconds((now - self._last_now).total_seconds())
        drift = wall_elapsed - (monotonic - self._last_monotonic)
        before = self._last_now
        self._last_now, self._last_monotonic = now, monotonic
        # A clock that did not move at all is a test's frozen clock, not a host
        # whose wall clock stopped: a real one never stands still for seconds.
        if now == before or abs(drift) < self._threshold:
            return None
        jump = ClockJump(drift, before, now)
        cause = (
            "the host slept or was paused, or its clock was set"
            if drift > 0
            else "its clock was set back"
        )
        logger.warning(
            "the host's clock jumped %s (from %s to %s): %s; rescheduling the window "
            "from the new time (posts due meanwhile follow the late grace, none goes "
            "out early)",
            jump.words(),
            log_time(before),
            log_time(now),
            cause,
        )
        return jump
