"""``campaign run`` as one service call: open the database, run the daemon until
told to stop, stop within a bounded time.

Signal handlers only set a flag (:class:`StopFlag`); the main thread waits on it
and the daemon's own threads do the work. On SIGTERM or SIGINT the daemon stops
firing jobs, waits up to ``shutdown_timeout_s`` for calls in flight (every
HTTP call has its own timeout, ``request_timeout_s``), and leaves any claim
still in flight for reconciliation when its lease expires: a restarted daemon
on the same host takes it over at once.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import FrameType

from sqlalchemy.orm import Session, sessionmaker

from scheduler.clock import SCALED_CLOCK_VARIABLE, Clock, clock_from_environment
from scheduler.config import CampaignConfig
from scheduler.daemon.accounts import build_publisher
from scheduler.daemon.crashpoints import CrashPoints
from scheduler.daemon.metrics import DaemonMetrics
from scheduler.daemon.runner import Daemon
from scheduler.platforms.keys import TokenKeeper
from scheduler.storage.database import describe_url, open_database
from scheduler.tokens.store import describe_writer

__all__ = ["SCALED_CLOCK_VARIABLE", "RunResult", "StopFlag", "clock_from_environment", "run_daemon"]

logger = logging.getLogger(__name__)


@dataclass
class StopFlag:
    """Set by a signal handler (or a test); says why the daemon should stop."""

    event: threading.Event = field(default_factory=threading.Event)
    reason: str = ""

    def set(self, reason: str) -> None:
        if not self.event.is_set():
            self.reason = reason
            self.event.set()

    def install(self) -> None:
        """Route SIGTERM and SIGINT here (call from the main thread)."""

        def handler(signal_number: int, _frame: FrameType | None) -> None:
            self.set(f"{signal.Signals(signal_number).name} received")

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)


@dataclass(frozen=True)
class RunResult:
    """How a run ended: the worker id, why it stopped, and how many calls were
    still in flight (left for reconciliation)."""

    worker_id: str
    reason: str
    left_in_flight: int


def run_daemon(
    config: CampaignConfig,
    database_url: str,
    *,
    environ: Mapping[str, str],
    stop: StopFlag,
    clock: Clock | None = None,
    worker_id: str | None = None,
    crash: CrashPoints | None = None,
    shutdown_timeout_s: float = 10.0,
    on_started: Callable[[Daemon], None] | None = None,
    metrics_port: int | None = None,
) -> RunResult:
    """Publish the queue at ``database_url`` until ``stop`` is set; with
    ``metrics_port``, serve the daemon's Prometheus metrics on 127.0.0.1 there
    (:mod:`scheduler.daemon.metrics`).

    :raises ConfigError: the metrics port cannot be bound.
    :raises SchemaError: the database is not at this program's schema.
    :raises StorageError: the database cannot be used.
    """
    clock = clock or clock_from_environment(environ)
    metrics = DaemonMetrics() if metrics_port is not None else None
    engine, sessions = open_database(database_url)
    writer = describe_writer(f"daemon {worker_id}" if worker_id else "daemon")
    keeper = session_keeper(sessions, environ, clock)
    try:
        daemon = Daemon(
            config=config,
            sessions=sessions,
            clock=clock,
            publisher_factory=lambda account: build_publisher(
                config, account, environ, clock, keeper, sessions=sessions, writer=writer
            ),
            worker_id=worker_id,
            crash=crash or CrashPoints.from_environment(dict(environ)),
            alerts_environ=environ,
        )
        if metrics is not None and metrics_port is not None:
            metrics.watch(daemon)
            metrics.serve(metrics_port)
        daemon.start()
        logger.info("publishing the queue of %s", describe_url(engine))
        if on_started is not None:
            on_started(daemon)
        while not stop.event.wait(1.0):
            pass
        left = daemon.stop(stop.reason or "stopped", timeout_s=shutdown_timeout_s)
        return RunResult(daemon.worker_id, stop.reason, left)
    finally:
        if metrics is not None:
            metrics.close()
        engine.dispose()


def session_keeper(
    sessions: sessionmaker[Session], environ: Mapping[str, str], clock: Clock
) -> TokenKeeper | None:
    """The token store, where platforms keep the sessions they open (so a restart
    does not open new ones), when a token key is set (CAMPAIGN_TOKEN_KEYS); else
    None, and sessions live as long as the daemon."""
    from scheduler.tokens.cipher import TOKEN_KEYS_ENV
    from scheduler.tokens.keeper import StoreKeeper
    from scheduler.tokens.store import TokenStore, describe_writer

    if not environ.get(TOKEN_KEYS_ENV, "").strip():
        return None
    store = TokenStore(sessions, environ, writer=describe_writer("campaign run"), clock=clock)
    return StoreKeeper(store)
