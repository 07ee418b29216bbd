"""Named crash points: a test hook that kills the daemon with SIGKILL on purpose.

The crash tests and the soak benchmark set ``CAMPAIGN_CRASH_AT`` in a daemon's
environment to prove that a kill at the worst moment loses and duplicates
nothing::

    CAMPAIGN_CRASH_AT=after_create_sent        # the first time the point is reached
    CAMPAIGN_CRASH_AT=after_media_upload:3     # the third time

The points, in the order a publication passes them:

=======================  =====================================================
``after_claim``          the claim is committed; nothing sent yet
``after_media_upload``   media uploaded (invisible); no create call yet
``after_create_sent``    the create request is on its way (killed while in
                         flight, ``CAMPAIGN_CRASH_DELAY_S`` after sending,
                         default 0.05 s, or at once when the answer comes first)
``before_result_recorded``  the platform answered; the result is not stored
=======================  =====================================================

Unset (always, in production), every hook is a no-op.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

logger = logging.getLogger(__name__)

POINTS = ("after_claim", "after_media_upload", "after_create_sent", "before_result_recorded")
ENVIRONMENT_VARIABLE = "CAMPAIGN_CRASH_AT"
DELAY_VARIABLE = "CAMPAIGN_CRASH_DELAY_S"


def _kill_now(point: str) -> None:
    logger.warning("crash point %s reached: killing this process with SIGKILL (test hook)", point)
    for handler in logging.getLogger().handlers:
        handler.flush()
    os.kill(os.getpid(), signal.SIGKILL)


class CrashPoints:
    """Counts passes through each point and kills the process at the armed one.

    ``spec`` is the value of ``CAMPAIGN_CRASH_AT`` (``point`` or ``point:n``).

    :raises ValueError: for an unknown point or a count below 1.
    """

    def __init__(self, spec: str | None = None, delay_s: float = 0.05) -> None:
        self.point: str | None = None
        self.at_pass = 1
        self.delay_s = delay_s
        self._passes = 0
        self._lock = threading.Lock()
        if spec:
            name, _, count = spec.partition(":")
            if name not in POINTS:
                raise ValueError(f"unknown crash point {name!r}; known: {', '.join(POINTS)}")
            self.point = name
            self.at_pass = int(count) if count else 1
            if self.at_pass < 1:
                raise ValueError("the crash pass count starts at 1")

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> CrashPoints:
        """The hook as ``CAMPAIGN_CRASH_AT`` / ``CAMPAIGN_CRASH_DELAY_S`` set it."""
        environ = dict(os.environ) if environ is None else environ
        return cls(environ.get(ENVIRONMENT_VARIABLE), float(environ.get(DELAY_VARIABLE, "0.05")))

    def _armed(self, point: str) -> bool:
        if self.point != point:
            return False
        with self._lock:
            self._passes += 1
            return self._passes == self.at_pass

    def reached(self, point: str) -> None:
        """Kill the process if ``point`` is the armed point and this is the armed pass."""
        if self._armed(point):
            _kill_now(point)

    @contextmanager
    def in_flight(self, point: str) -> Iterator[None]:
        """Around a platform call: when armed, kill ``delay_s`` after the call starts,
        or as soon as it ends if that comes first (never after the result is stored)."""
        if not self._armed(point):
            yield
            return
        timer = threading.Timer(self.delay_s, _kill_now, args=(point,))
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            _kill_now(point)
