"""How far this host's clock is from a platform's, measured from the ``Date``
header of the platform's answers.

Every HTTP answer carries the server's time in ``Date`` (RFC 9110 6.6.1, one-
second resolution). Compared with the wall clock (never a rehearsal's campaign
clock) at the middle of the exchange, it says how far off this host's clock is,
to within about a second plus half the round trip. X refuses an OAuth 1.0a
request whose ``oauth_timestamp`` is too far from its own time with 401, the
same answer as for bad credentials (RFC 5849 3.3 leaves the window to the
server; X's is a few minutes, its sandbox stand-in's five): with the measured
skew, the daemon can tell a host clock that is off from a refused credential.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime

# Beyond this many seconds of measured skew, a platform's 401 is put down to the
# host's clock rather than to the credentials (the threshold: a host a
# minute off is wrong however generous the platform's window is).
SKEW_LIMIT_S = 60.0

SKEW_FIX = (
    "set the host's clock right and keep it so: turn on time synchronisation "
    "(`timedatectl set-ntp true`, or chrony or ntpd), then check with "
    "`campaign accounts check`"
)


def skew_words(seconds: float, platform: str) -> str:
    """``this host's clock is 95 s ahead of x's`` (or ``behind``)."""
    direction = "ahead of" if seconds > 0 else "behind"
    return f"this host's clock is {abs(seconds):.0f} s {direction} {platform}'s"


class SkewMeter:
    """The latest measured skew against one platform; thread-safe.

    ``seconds`` is this host's wall clock minus the platform's (positive: this
    host is ahead), None until an answer with a readable ``Date`` came back.
    """

    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self._wall = wall
        self._lock = threading.Lock()
        self.seconds: float | None = None

    def now(self) -> float:
        """The wall clock (POSIX seconds) the measures are taken against."""
        return self._wall()

    def observe(self, date_header: str | None, sent_at: float, received_at: float) -> None:
        """Note the ``Date`` of an answer to a request sent at ``sent_at`` and
        answered at ``received_at`` (POSIX seconds of :meth:`now`); an absent or
        unreadable header changes nothing."""
        if not date_header:
            return
        try:
            server = parsedate_to_datetime(date_header).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return
        # Date is truncated to the second: the server's instant is, on average,
        # half a second after the one it wrote.
        skew = (sent_at + received_at) / 2 - (server + 0.5)
        with self._lock:
            self.seconds = skew

    def off_by(self) -> float | None:
        """The measured skew when it is beyond :data:`SKEW_LIMIT_S`, else None."""
        with self._lock:
            seconds = self.seconds
        return seconds if seconds is not None and abs(seconds) > SKEW_LIMIT_S else None


class MeasuredClock:
    """What every publisher says of the platform's clock (a base of
    :class:`~scheduler.platforms.base.Publisher`). ``clock_skew`` is set by
    publishers whose transport measures the platform's ``Date`` headers."""

    clock_skew: SkewMeter | None = None
    # True where the platform refuses a request signed with a timestamp too far
    # from its clock, answering 401 as for bad credentials (X's OAuth 1.0a): there
    # a 401 while the clock is off is put down to the clock.
    refuses_skewed_requests = False

    def skew_behind_refusal(self) -> float | None:
        """The measured skew when it is beyond :data:`SKEW_LIMIT_S` and this
        platform refuses requests that far off; else None."""
        skew = self.clock_skew_s()
        if not self.refuses_skewed_requests or skew is None or abs(skew) <= SKEW_LIMIT_S:
            return None
        return skew

    def clock_skew_s(self) -> float | None:
        """This host's wall clock minus the platform's, in seconds (positive: this
        host is ahead), from the latest answer's ``Date`` header; None when
        nothing was measured yet or the publisher does not measure (the memory
        platform)."""
        return self.clock_skew.seconds if self.clock_skew is not None else None

    def check_clock(self) -> float | None:
        """Measure the skew again (:meth:`clock_skew_s`) with a request that costs
        no rate limit, where the platform allows one; None when nothing could be
        measured. Never raises. The default measures nothing new."""
        return self.clock_skew_s()
