"""The daemon's refresh loop: a thread that calls ``tick`` every ``interval``
wall seconds, or at once when woken, until stopped.

A database that refuses (a lock held too long, a lost connection) is said once
per outage rather than at every tick, and its return is said too: the loop
keeps ticking through the outage, since each tick is also when results the
database refused are recorded (:mod:`scheduler.daemon.results`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from scheduler.errors import StorageError

logger = logging.getLogger(__name__)


class RefreshLoop:
    """Runs ``tick()`` on a thread named ``campaign-refresh``; start, wake, stop."""

    def __init__(self, tick: Callable[[], None], interval_s: float) -> None:
        self._tick = tick
        self._interval = interval_s
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        # Wall time (POSIX seconds) of the last tick that completed; 0 before one.
        self.last_tick_wall = 0.0

    def start(self) -> None:
        """Start ticking (the first tick after ``interval_s``)."""
        self._stopping.clear()
        self._wake.clear()
        self._thread = threading.Thread(target=self._run, name="campaign-refresh", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Tick now rather than at the end of the interval."""
        self._wake.set()

    def stop(self, timeout_s: float) -> None:
        """Stop ticking; wait up to ``timeout_s`` wall seconds for a tick running."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout_s)

    def _run(self) -> None:
        interval = self._interval
        refused = ""
        while True:
            self._wake.wait(interval)
            self._wake.clear()
            if self._stopping.is_set():
                return
            try:
                self._tick()
            except StorageError as error:
                if str(error) != refused:
                    logger.error("%s; the daemon tries again every %.1f s", error, interval)
                refused = str(error)
                continue
            except Exception:
                logger.exception("refreshing the window failed; trying again in %.1f s", interval)
                continue
            self.last_tick_wall = time.time()
            if refused:
                logger.warning("the database answers again")
                refused = ""
