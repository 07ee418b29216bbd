"""The alerts as the entry points use them: a daemon's share of the work,
``campaign watch`` and ``campaign alerts test``.

- :class:`DaemonAlerts`: what a daemon runs: the watcher from its refresh loop
  (digest, token expiry, silent peers) and the dispatcher on a thread of its own.
- :func:`watch_once`: one pass of ``campaign watch``: "no live daemon" while
  posts are due, the digest and token check when no daemon is alive to raise
  them, then whatever waits in the outbox is sent.
- :func:`send_test`: a test message to every target, straight away.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from scheduler.alerts.dispatch import AlertThread, Dispatcher, Sender
from scheduler.alerts.expiry import Verify
from scheduler.alerts.messages import render
from scheduler.alerts.send import send
from scheduler.alerts.targets import resolve_targets
from scheduler.alerts.watch import DaemonCheck, Watcher, no_daemon_check
from scheduler.clock import Clock
from scheduler.config import CampaignConfig
from scheduler.storage.deliveries import target_backlog
from scheduler.storage.outbox import StoredEvent, record_events

logger = logging.getLogger(__name__)


class DaemonAlerts:
    """A daemon's alerts, on a thread of their own: every ``interval_wall_s`` (and
    at once after :meth:`wake`) the watcher raises what is due on the campaign
    clock, then the dispatcher sends what waits in the outbox."""

    def __init__(
        self,
        config: CampaignConfig,
        sessions: sessionmaker[Session],
        clock: Clock,
        environ: Mapping[str, str],
        worker_id: str,
        *,
        stale_after: timedelta,
        verify: Verify | None = None,
        sender: Sender = send,
        interval_wall_s: float = 1.0,
    ) -> None:
        self.clock = clock
        self.watcher = Watcher(config, sessions, worker_id, stale_after, verify)
        self.dispatcher = Dispatcher(config, sessions, clock, environ, worker_id, sender=sender)
        self.thread = AlertThread(self.dispatcher, interval_wall_s, self.check)
        for target in self.dispatcher.targets:
            if target.problem:
                logger.warning("alert target %s cannot be used: %s", target.name, target.problem)

    def start(self) -> None:
        """Start sending in the background."""
        self.thread.start()

    def check(self) -> int:
        """Raise what is due now (campaign clock); returns how many new events.

        :raises StorageError: when the database cannot be used.
        """
        return self.watcher.check(self.clock.now())

    def wake(self) -> None:
        """Look at the outbox now (a change may have recorded an event)."""
        self.thread.wake()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop sending, after one last bounded pass over what is due."""
        self.thread.stop(timeout_s)


@dataclass(frozen=True)
class WatchResult:
    """One ``campaign watch`` pass: the daemon check, new events, tries to send."""

    check: DaemonCheck
    raised: int
    tried: int


def watch_once(
    config: CampaignConfig,
    sessions: sessionmaker[Session],
    clock: Clock,
    environ: Mapping[str, str],
    *,
    stale_after: timedelta,
    verify: Verify | None = None,
    sender: Sender = send,
) -> WatchResult:
    """One pass of ``campaign watch`` (module docstring).

    :raises StorageError: when the database cannot be used.
    """
    now = clock.now()
    worker_id = f"watch:{socket.gethostname()}:{os.getpid()}"
    check, event = no_daemon_check(config, sessions, now, stale_after)
    raised = record_events(sessions, [event]) if event else 0
    check = replace(check, raised=bool(raised))
    if not check.alive:
        raised += Watcher(config, sessions, worker_id, stale_after, verify).check(now)
    dispatcher = Dispatcher(config, sessions, clock, environ, worker_id, sender=sender)
    tried = dispatcher.flush()
    return WatchResult(check, raised, tried)


@dataclass(frozen=True)
class TestResult:
    """What one target did with the test message: ``error`` None when it took it."""

    target: str
    events: tuple[str, ...]
    error: str | None = field(default=None)


def send_test(
    config: CampaignConfig, environ: Mapping[str, str], actor: str, now: datetime
) -> list[TestResult]:
    """Send a test message to every target now (not through the outbox), each
    with a fresh event id; one result per target, in config.yaml's order."""
    results = []
    for target in resolve_targets(config.alerts, environ):
        event = StoredEvent(
            uuid.uuid4().hex, "test", "test", now, {"actor": actor, "target": target.name}
        )
        error = send(target, render(event, config))
        results.append(TestResult(target.name, target.target.events, error))
    return results


def backlog_lines(sessions: sessionmaker[Session]) -> list[str]:
    """``campaign status``'s lines about alert targets that do not take messages.

    :raises StorageError: when the database cannot be read.
    """
    lines = []
    for backlog in target_backlog(sessions):
        if not backlog.pending and not backlog.failed:
            continue
        if backlog.failed or backlog.last_error:
            lines.append(
                f"alerts to {backlog.target}: {backlog.pending} waiting, {backlog.failed} given "
                f"up; last error: {backlog.last_error}"
            )
    return lines
