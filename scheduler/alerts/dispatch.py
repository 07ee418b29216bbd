"""Getting the outbox's events to their targets: fan out, claim, send, record.

:class:`Dispatcher` does one pass (:meth:`Dispatcher.run_once`); the daemon runs
it on a thread of its own (:class:`AlertThread`) so a slow or dead target never
holds up publishing, and ``campaign watch`` runs it once. A failed try is tried
again after a backoff (``alerts.retry_base_s`` doubling up to
``alerts.retry_max_s``, wall seconds, with jitter); a delivery still failing
``alerts.give_up_after_h`` after its event is marked failed, and
``campaign status`` shows the target's backlog and last error either way.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from scheduler.alerts.messages import Message, render
from scheduler.alerts.send import send
from scheduler.alerts.targets import ResolvedTarget, resolve_targets
from scheduler.clock import Clock, log_time
from scheduler.config import CampaignConfig
from scheduler.storage import deliveries

logger = logging.getLogger(__name__)

# How long a sender holds a delivery (wall seconds): longer than any one send
# (Apprise's HTTP and SMTP timeouts are well under a minute).
LEASE_WALL_S = 120.0

Sender = Callable[[ResolvedTarget, Message], "str | None"]


class Dispatcher:
    """Sends the outbox of one database to the targets of ``config.alerts``.

    ``environ`` holds the targets' URLs (each target's ``url_env``); ``send`` is
    :func:`scheduler.alerts.send.send` (a test may give another sender).
    """

    def __init__(
        self,
        config: CampaignConfig,
        sessions: sessionmaker[Session],
        clock: Clock,
        environ: Mapping[str, str],
        worker_id: str,
        *,
        sender: Sender = send,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.sessions = sessions
        self.clock = clock
        self.worker_id = worker_id
        self.targets = resolve_targets(config.alerts, environ)
        self._by_name = {target.name: target for target in self.targets}
        self._send = sender
        self._rng = rng or random.Random()

    def _campaign(self, wall_seconds: float) -> timedelta:
        return timedelta(seconds=wall_seconds / self.clock.wall_seconds(1.0))

    def run_once(self, limit: int = 50) -> int:
        """Fan out new events, then send up to ``limit`` due deliveries; returns
        how many were tried.

        :raises StorageError: when the database cannot be used.
        """
        now = self.clock.now()
        settings = self.config.alerts
        new, due_now = deliveries.work_waiting(self.sessions, now, list(self._by_name))
        if new:
            while deliveries.fan_out(self.sessions, settings.targets, now):
                pass
        elif not due_now:
            return 0
        due = deliveries.claim_deliveries(
            self.sessions,
            self.worker_id,
            now,
            now + self._campaign(LEASE_WALL_S),
            targets=list(self._by_name),
            limit=limit,
        )
        for delivery in due:
            self._deliver(delivery)
        return len(due)

    def flush(self, deadline_wall_s: float = 10.0) -> int:
        """Send until nothing is due (or ``deadline_wall_s`` of wall time is spent);
        returns how many deliveries were tried."""

        end = time.monotonic() + deadline_wall_s
        tried = 0
        while time.monotonic() < end:
            handled = self.run_once()
            tried += handled
            if not handled:
                break
        return tried

    def _deliver(self, delivery: deliveries.DueDelivery) -> None:
        target = self._by_name[delivery.target]
        event = delivery.event
        try:
            error = self._send(target, render(event, self.config))
        except Exception as problem:  # a sender must not stop the others
            error = f"{target.name}: {type(problem).__name__}"
            logger.exception("sending alert %s to %s failed", event.event_id, target.name)
        now = self.clock.now()
        if error is None:
            if deliveries.delivery_sent(self.sessions, delivery.delivery_id, self.worker_id, now):
                logger.info("alert %s (%s) sent to %s", event.event_id, event.kind, target.name)
            return
        settings = self.config.alerts
        tries = delivery.tries + 1
        retry_at: datetime | None = now + self._campaign(self._backoff(tries))
        if now - event.occurred_at >= timedelta(hours=settings.give_up_after_h):
            retry_at = None
        deliveries.delivery_failed(
            self.sessions, delivery.delivery_id, self.worker_id, now, error, retry_at
        )
        logger.warning(
            "alert %s (%s) to %s failed (try %d): %s; %s",
            event.event_id,
            event.kind,
            target.name,
            tries,
            error,
            f"trying again at {log_time(retry_at)}" if retry_at else "given up",
        )

    def _backoff(self, tries: int) -> float:
        settings = self.config.alerts
        delay = min(settings.retry_max_s, settings.retry_base_s * 2 ** max(0, tries - 1))
        return float(delay / 2 + self._rng.uniform(0, delay / 2))


class AlertThread:
    """Runs ``before_each`` (the watcher: it may ask a platform about a token,
    which must never hold up the daemon's refresh) and then a :class:`Dispatcher`
    every ``interval_wall_s`` (or at once after :meth:`wake`) on a thread of its
    own, until :meth:`stop`."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        interval_wall_s: float = 1.0,
        before_each: Callable[[], object] | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.interval_wall_s = interval_wall_s
        self.before_each = before_each
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start sending in the background. Returns at once."""
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="campaign-alerts", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look at the outbox now rather than at the next interval."""
        self._wake.set()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop after the pass under way, then send what is due for at most
        ``timeout_s`` wall seconds (events recorded just before the stop)."""
        if self._thread is None:
            return
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=timeout_s)
        self._thread = None
        try:
            self.dispatcher.flush(deadline_wall_s=timeout_s)
        except Exception:
            logger.exception("sending the last alerts at stop failed; they stay in the outbox")

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                if self.before_each is not None:
                    self.before_each()
                self.dispatcher.run_once()
            except Exception:
                logger.exception(
                    "sending alerts failed; trying again in %.1f s", self.interval_wall_s
                )
            self._wake.wait(self.interval_wall_s)
            self._wake.clear()
