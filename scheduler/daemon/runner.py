"""The daemon: a window of upcoming publications as APScheduler date jobs.

One :class:`Daemon` per process (tests may run several). It keeps in memory
only a **window** of upcoming work (:mod:`scheduler.daemon.window`), so a post
goes out within milliseconds of its time and start-up time and memory do not
grow with the queue or the history. Job functions take plain ids
(:mod:`scheduler.daemon.jobs`). Each account has its own thread pool, so one
slow or rate-limited account never delays another.

A refresh loop (:meth:`Daemon.tick`, every ``publishing.refresh_s`` wall
seconds) picks up what changed: a cheap signature query notices sync's new,
moved and cancelled publications and reloads the window; holds (pause/resume)
park and release jobs; claims whose holder died are taken over and
reconciled; a heartbeat row says the daemon is alive.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from scheduler.alerts.service import DaemonAlerts
from scheduler.clock import Clock
from scheduler.config import CampaignConfig
from scheduler.daemon import jobs
from scheduler.daemon.alerting import daemon_alerts
from scheduler.daemon.clockwatch import ClockJumpWatch
from scheduler.daemon.crashpoints import CrashPoints
from scheduler.daemon.identity import (
    HEARTBEAT_WALL_S,
    STALE_HEARTBEATS,
    new_worker_id,
    refuse_a_namesake,
)
from scheduler.daemon.limits import AccountLimits
from scheduler.daemon.preference import Preference
from scheduler.daemon.publishers import PublisherFactory, PublisherPool
from scheduler.daemon.recovery import Recovery
from scheduler.daemon.refresh import RefreshLoop
from scheduler.daemon.results import DatabaseFaults
from scheduler.daemon.skew_holds import SkewHolds
from scheduler.daemon.video_lead import VideoLead
from scheduler.daemon.warmup import warm_up
from scheduler.daemon.window import JobWindow
from scheduler.daemon.worker import JobOutcome, Observer, WorkerContext, publish
from scheduler.errors import StorageError
from scheduler.storage import daemon_state

logger = logging.getLogger(__name__)

# Reload the window at least this often (wall seconds), whatever the signature says.
FULL_RELOAD_WALL_S = 300.0


class Daemon:
    """Publishes the queue of one database. Thread-safe; start, tick, stop.

    ``publisher_factory`` builds an account's publisher (the platform registry in
    production, a MemoryPublisher in tests). ``grace`` overrides the late grace
    (see :class:`~scheduler.daemon.limits.AccountLimits`). ``lease_wall_s``
    overrides ``publishing.lease_s``. ``observer`` hears "claimed"/"settled".
    ``threads_per_account`` is how many of an account's posts may be in flight at once.
    ``alerts_environ`` holds the alert targets' URLs: given, the daemon raises and
    sends alerts (:mod:`scheduler.alerts`); None, it only records them (tests).
    ``monotonic`` is the clock the refresh loop's timers run on (seconds,
    :func:`time.monotonic`); the daemon compares it with ``clock`` to notice the
    host sleeping or its clock being set (:mod:`scheduler.daemon.clockwatch`).
    ``database_faults`` refuses the records of results on purpose (the fault plan's
    ``db.record`` faults; :mod:`scheduler.daemon.results`).
    """

    def __init__(
        self,
        *,
        config: CampaignConfig,
        sessions: sessionmaker[Session],
        clock: Clock,
        publisher_factory: PublisherFactory,
        worker_id: str | None = None,
        grace: timedelta | None = None,
        max_window: int = 1000,
        threads_per_account: int = 2,
        lease_wall_s: float | None = None,
        crash: CrashPoints | None = None,
        observer: Observer | None = None,
        rng: random.Random | None = None,
        alerts_environ: Mapping[str, str] | None = None,
        alerts_interval_wall_s: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        database_faults: DatabaseFaults | None = None,
    ) -> None:
        self.config = config
        self.sessions = sessions
        self.clock = clock
        self.worker_id = worker_id or new_worker_id()
        self.key = uuid.uuid4().hex
        self.context = WorkerContext(
            sessions=sessions,
            config=config,
            clock=clock,
            worker_id=self.worker_id,
            limits=AccountLimits(config, grace),
            publishers=PublisherPool(config, publisher_factory),
            crash=crash or CrashPoints(),
            rng=rng or random.Random(),
            lease_wall_s=lease_wall_s,
            observer=observer,
            database_faults=database_faults,
        )
        self.alerts: DaemonAlerts | None = None
        if alerts_environ is not None:
            self.alerts = daemon_alerts(self.context, alerts_environ, alerts_interval_wall_s)
        self.preference = Preference(self.worker_id)
        self.window = JobWindow(
            self.context, self.key, max_window, threads_per_account, self.preference
        )
        self.videos = VideoLead(self.context, config.publishing.video_lead_min)  # jobs ask it
        self.recovery = Recovery(
            self.context, self.window.submit_recovery, jobs.running_worker_ids, self._requeued
        )
        self._last_heartbeat = 0.0
        self._last_full_reload = 0.0
        self._wall = monotonic
        self.clock_watch = ClockJumpWatch(clock, monotonic)
        self.skew_holds = SkewHolds(self.context)
        self.refresher = RefreshLoop(self.tick, config.publishing.refresh_s)
        self.started = False

    # -- life cycle -----------------------------------------------------------------

    def start(self) -> None:
        """Register, load the window, start firing jobs and the refresh loop
        (a background thread ticking every ``publishing.refresh_s`` wall seconds).
        Returns at once.

        :raises StorageError: when the database cannot be used.
        """
        now = self.clock.now()
        refuse_a_namesake(self.sessions, self.worker_id, now, self.context.campaign_duration)
        daemon_state.register_worker(
            self.sessions, self.worker_id, socket.gethostname(), os.getpid(), now
        )
        daemon_state.ensure_accounts(self.sessions, [a.label for a in self.config.accounts], now)
        self.warm_up()
        jobs.register(self.key, self)
        self.window.scheduler.start()
        self.clock_watch = ClockJumpWatch(self.clock, self._wall)
        try:
            self.recovery.inherit()
            self.started = True
            self._last_heartbeat = self._wall()
            self.tick(force_reload=True)
        except BaseException:
            # No job thread may outlive a failed start: the caller disposes of
            # the engine next, and a thread still using it would leak connections.
            self.started = False
            self.window.scheduler.shutdown(wait=True)
            jobs.unregister(self.key)
            raise
        self.refresher.start()
        if self.alerts is not None:
            self.alerts.start()
        logger.info(
            "daemon %s started: %d publication(s) in the window up to %s",
            self.worker_id,
            len(self.window.jobs),
            self.window.horizon,
        )

    def warm_up(self) -> None:
        """Build the publishers (:func:`~scheduler.daemon.warmup.warm_up`); say a clock off."""
        warm_up(self.context)
        self.skew_holds.say_at_start()

    def stop(self, reason: str, timeout_s: float = 10.0) -> int:
        """Stop firing jobs, wait up to ``timeout_s`` wall seconds for calls in
        flight, record why the daemon stopped. Returns how many calls were still in
        flight (their claims are left for reconciliation by lease expiry)."""
        if not self.started:
            return 0
        self.started = False
        self.refresher.stop(timeout_s)
        self.window.scheduler.pause()
        deadline = self._wall() + timeout_s
        while self._in_flight_count() and self._wall() < deadline:
            threading.Event().wait(0.05)
        left = self._in_flight_count()
        if self.alerts is not None:
            # After the calls in flight: the alerts their settlements raised go out too.
            self.alerts.stop(max(1.0, deadline - self._wall()))
        # Nothing in flight: wait for the threads so none holds a connection when
        # the engine is disposed. Calls still in flight are not waited for.
        self.window.scheduler.shutdown(wait=not left)
        jobs.unregister(self.key)
        self.context.results.flush_before_stop()
        try:
            daemon_state.stop_worker(self.sessions, self.worker_id, self.clock.now(), reason)
        finally:
            if not left:
                self.context.publishers.close()
        if left:
            logger.warning(
                "stopped with %d call(s) in flight; their claims are left for "
                "reconciliation when their lease expires",
                left,
            )
        logger.info("daemon %s stopped: %s", self.worker_id, reason)
        return left

    # -- the refresh loop ---------------------------------------------------------------

    def tick(self, *, force_reload: bool = False) -> None:
        """One refresh: clock jumps, results waiting, heartbeat, live daemons, holds,
        window changes, abandoned claims. :raises StorageError: the database says no."""
        if self.clock_watch.check() is not None:
            # The jobs' timers ran on the monotonic clock through the jump: put every
            # one back on the wall clock. Posts due meanwhile are found late (spaced
            # out within the grace, missed beyond it); later ones fire at their time.
            self.window.forget()
            force_reload = True
        if self.context.results.recorded_late():
            force_reload = True  # a result recorded late may queue a retry
        now = self.clock.now()
        wall = self._wall()
        if wall - self._last_heartbeat >= HEARTBEAT_WALL_S:
            daemon_state.heartbeat(self.sessions, self.worker_id, now)
            self._last_heartbeat = wall
        silent = self.context.campaign_duration(HEARTBEAT_WALL_S * STALE_HEARTBEATS)
        if self.preference.refresh(self.sessions, now, silent):
            self.window.forget()  # the accounts this daemon goes first for changed
            force_reload = True
        self.skew_holds.recheck(now)
        holds = daemon_state.active_holds(self.sessions, now)
        reload = (
            force_reload
            or wall - self._last_full_reload >= FULL_RELOAD_WALL_S
            or self.window.stale(now, holds)
        )
        if reload:
            # Found late at start or as a pause lifts: spaced out; merely behind: at once.
            lifted = any(scope not in holds for scope in self.window.holds)
            self.window.reload(now, holds, spaced=force_reload or lifted)
            self._last_full_reload = wall
        self.recovery.scan(now)
        self.videos.scan(now)

    # -- jobs -------------------------------------------------------------------------------

    def run_job(self, publication_id: int) -> None:
        """Run one publication's job and schedule what comes next."""
        with self.window.lock:
            if not self.started:
                return
            account = self.window.begin(publication_id)
        outcome: JobOutcome
        try:
            outcome = publish(self.context, publication_id)
        except Exception as error:
            logger.error(  # the database saying no needs its words, not a traceback
                "publication %s: the job failed (%s); it stays queued and is tried again",
                publication_id,
                error,
                exc_info=not isinstance(error, StorageError),
            )
            retry = self.clock.now() + self.context.campaign_duration(5.0)
            outcome = JobOutcome("again", retry)
        finally:
            self.window.end(publication_id)
        with self.window.lock:
            if self.started and self.window.after(publication_id, account, outcome):
                self.refresher.wake()  # load the next part of the window now, not at the next tick

    def _requeued(self, publication_id: int, account_label: str) -> None:
        with self.window.lock:
            if self.started:
                self.window.schedule(publication_id, account_label, self.clock.now())

    def _in_flight_count(self) -> int:
        with self.window.lock:
            return len(self.window.in_flight) + self.recovery.in_progress()

    # -- introspection (status, tests) ----------------------------------------------------

    def scheduled(self) -> dict[int, datetime]:
        """Publication id -> the campaign time it is due, for the window in memory."""
        return self.window.scheduled()

    def parked(self) -> set[int]:
        """Publications waiting for a hold to lift."""
        with self.window.lock:
            return set(self.window.parked)
