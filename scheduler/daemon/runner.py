"""The daemon: APScheduler date jobs over a window of upcoming publications.

One :class:`Daemon` per process (tests may run several). It keeps in memory
only a **window** of upcoming work: at most ``max_window`` queued publications
due within ``publishing.window_h``, each a date-triggered APScheduler job at its
wall time (``clock.to_wall``), so a post goes out within milliseconds of its
time rather than on a polling tick, and start-up time and memory do not grow
with the queue or the history.

Every job has ``misfire_grace_time=None`` (run however late: the worker decides
what "too late" means, from ``late_grace_min``) and ``coalesce=True``, set
explicitly because APScheduler's default grace of one second silently drops
late jobs. Job functions take plain ids. Each account has its own thread pool,
so one slow or rate-limited account never delays another.

A refresh loop (:meth:`Daemon.tick`, every ``publishing.refresh_s`` wall
seconds) picks up what changed: a cheap signature query notices sync's new,
moved and cancelled publications and reloads the window; holds (pause/resume)
park and release jobs; claims whose holder died are taken over and
reconciled; a heartbeat row says the daemon is alive.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from sqlalchemy.orm import Session, sessionmaker

from scheduler.clock import Clock, log_time
from scheduler.config import CampaignConfig
from scheduler.daemon.crashpoints import CrashPoints
from scheduler.daemon.limits import AccountLimits
from scheduler.daemon.publishers import PublisherFactory, PublisherPool
from scheduler.daemon.recovery import Recovery, process_exists
from scheduler.daemon.worker import JobOutcome, Observer, WorkerContext, publish
from scheduler.errors import CampaignError, ConfigError
from scheduler.storage import daemon_state
from scheduler.storage.daemon_state import WindowItem

logger = logging.getLogger(__name__)

# Due this long ago (wall seconds) when first seen counts as "found late".
FOUND_LATE_WALL_S = 1.0
HEARTBEAT_WALL_S = 10.0
# A heartbeat older than this many intervals means the daemon is gone.
STALE_HEARTBEATS = 3
# Reload the window at least this often (wall seconds), whatever the signature says.
FULL_RELOAD_WALL_S = 300.0

_RUNNING: dict[str, Daemon] = {}
_RUNNING_LOCK = threading.Lock()


def run_publication_job(daemon_key: str, publication_id: int) -> None:
    """APScheduler job: publish ``publication_id`` with the daemon ``daemon_key``."""
    daemon = _RUNNING.get(daemon_key)
    if daemon is not None:
        daemon.run_job(publication_id)


def recover_claim_job(daemon_key: str, publication_id: int) -> None:
    """APScheduler job: take over the abandoned claim on ``publication_id``."""
    daemon = _RUNNING.get(daemon_key)
    if daemon is not None:
        daemon.recovery.run(publication_id)


def running_worker_ids() -> set[str]:
    """Worker ids of the daemons running in this process."""
    with _RUNNING_LOCK:
        return {daemon.worker_id for daemon in _RUNNING.values()}


def new_worker_id() -> str:
    """``host:pid:random``: unique per daemon, and says where it ran."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class _Window:
    # publication id -> (job id, due time in the database, time the job fires)
    jobs: dict[int, tuple[str, datetime, datetime]] = field(default_factory=dict)
    accounts: dict[int, str] = field(default_factory=dict)
    in_flight: set[int] = field(default_factory=set)
    parked: set[int] = field(default_factory=set)
    horizon: datetime | None = None
    truncated: bool = False
    signature: tuple[int, datetime | None] | None = None
    holds: dict[str, str] = field(default_factory=dict)


class Daemon:
    """Publishes the queue of one database. Thread-safe; start, tick, stop.

    ``publisher_factory`` builds an account's publisher (the platform registry in
    production, a MemoryPublisher in tests). ``grace`` overrides the late grace
    (see :class:`~scheduler.daemon.limits.AccountLimits`). ``lease_wall_s``
    overrides ``publishing.lease_s``. ``observer`` hears "claimed"/"settled".
    ``threads_per_account`` is how many of an account's posts may be in flight at once.
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
    ) -> None:
        self.config = config
        self.sessions = sessions
        self.clock = clock
        self.worker_id = worker_id or new_worker_id()
        self.key = uuid.uuid4().hex
        self.max_window = max_window
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
        )
        self.recovery = Recovery(
            self.context, self._submit_recovery, running_worker_ids, self._requeued
        )
        # Two threads an account: a second post due at the same instant need not wait
        # for the first one's create call. More only contend for the interpreter lock
        # and the connection pool: with 40 accounts, 2,000 posts due at once and 50 ms
        # creates, one daemon on PostgreSQL published 58 posts/s with 4 threads an
        # account and 73 with 2 (python -m bench multi; docs/performance.md).
        executors: dict[str, ThreadPoolExecutor] = {"default": ThreadPoolExecutor(4)}
        for account in config.accounts:
            executors[f"account:{account.label}"] = ThreadPoolExecutor(threads_per_account)
        self._scheduler = BackgroundScheduler(
            executors=executors, timezone=UTC, job_defaults={"misfire_grace_time": None}
        )
        self._scheduler.add_listener(
            self._on_job_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES
        )
        self._lock = threading.RLock()
        self._window = _Window()
        self._sequence = 0
        self._last_heartbeat = 0.0
        self._last_full_reload = 0.0
        self._wall = time.monotonic
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._refresher: threading.Thread | None = None
        self.started = False

    # -- life cycle -----------------------------------------------------------------

    def start(self) -> None:
        """Register, load the window, start firing jobs and the refresh loop
        (a background thread ticking every ``publishing.refresh_s`` wall seconds).
        Returns at once.

        :raises StorageError: when the database cannot be used.
        """
        now = self.clock.now()
        self._refuse_a_namesake(now)
        daemon_state.register_worker(
            self.sessions, self.worker_id, socket.gethostname(), os.getpid(), now
        )
        daemon_state.ensure_accounts(self.sessions, [a.label for a in self.config.accounts], now)
        self.warm_up()
        with _RUNNING_LOCK:
            _RUNNING[self.key] = self
        self._scheduler.start()
        try:
            self.recovery.inherit()
            self.started = True
            self._last_heartbeat = self._wall()
            self.tick(force_reload=True)
        except BaseException:
            # No job thread may outlive a failed start: the caller disposes of
            # the engine next, and a thread still using it would leak connections.
            self.started = False
            self._scheduler.shutdown(wait=True)
            with _RUNNING_LOCK:
                _RUNNING.pop(self.key, None)
            raise
        self._stopping.clear()
        self._wake.clear()
        self._refresher = threading.Thread(
            target=self._refresh_loop, name="campaign-refresh", daemon=True
        )
        self._refresher.start()
        logger.info(
            "daemon %s started: %d publication(s) in the window up to %s",
            self.worker_id,
            len(self._window.jobs),
            self._window.horizon,
        )

    def _refuse_a_namesake(self, now: datetime) -> None:
        """Two live daemons must never share a worker id (each would think the
        other's claims its own)."""
        existing = daemon_state.worker(self.sessions, self.worker_id)
        if existing is None or existing.stopped_at is not None:
            return
        me = (socket.gethostname(), os.getpid())
        silent = now - existing.heartbeat_at > self.context.campaign_duration(
            HEARTBEAT_WALL_S * STALE_HEARTBEATS
        )
        gone = existing.hostname == me[0] and not process_exists(existing.pid)
        if (existing.hostname, existing.pid) == me or silent or gone:
            return
        raise ConfigError(
            f"a daemon named {self.worker_id} is running on {existing.hostname} "
            f"(pid {existing.pid}, last heartbeat {existing.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC)",
            where="--worker-id",
            hint="give this daemon another --worker-id, or leave it out for a unique one",
        )

    def warm_up(self) -> None:
        """Build every account's publisher now (imports, sessions), so the first post
        of each account is not late. An account that cannot be built (credentials
        missing) is paused now, so ``campaign status`` shows why at once rather
        than at its first post; its posts stay queued until ``campaign resume``."""
        for account in self.config.accounts:
            try:
                self.context.publishers.get(account.label)
            except CampaignError as error:
                reason = (
                    f"{account.label} cannot publish: {error}. Its posts stay queued. Fix "
                    "the credentials, check them with `campaign accounts check`, then run "
                    f"`campaign resume --account {account.label}`"
                )
                logger.error("ACCOUNT PAUSED: %s", reason)
                daemon_state.pause_account(
                    self.sessions, account.label, reason, self.worker_id, self.clock.now()
                )

    def stop(self, reason: str, timeout_s: float = 10.0) -> int:
        """Stop firing jobs, wait up to ``timeout_s`` wall seconds for calls in
        flight, record why the daemon stopped. Returns how many calls were still in
        flight (their claims are left for reconciliation by lease expiry)."""
        if not self.started:
            return 0
        self.started = False
        self._stopping.set()
        self._wake.set()
        if self._refresher is not None:
            self._refresher.join(timeout=timeout_s)
        self._scheduler.pause()
        deadline = self._wall() + timeout_s
        while self._in_flight_count() and self._wall() < deadline:
            threading.Event().wait(0.05)
        left = self._in_flight_count()
        # Nothing in flight: wait for the threads so none holds a connection when
        # the engine is disposed. Calls still in flight are not waited for.
        self._scheduler.shutdown(wait=not left)
        with _RUNNING_LOCK:
            _RUNNING.pop(self.key, None)
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

    def _refresh_loop(self) -> None:
        interval = self.config.publishing.refresh_s
        while True:
            self._wake.wait(interval)
            self._wake.clear()
            if self._stopping.is_set():
                return
            try:
                self.tick()
            except Exception:
                logger.exception("refreshing the window failed; trying again in %.1f s", interval)

    # -- the refresh loop ---------------------------------------------------------------

    def tick(self, *, force_reload: bool = False) -> None:
        """One refresh: heartbeat, holds, window changes, abandoned claims.

        :raises StorageError: when the database cannot be read.
        """
        now = self.clock.now()
        wall = self._wall()
        if wall - self._last_heartbeat >= HEARTBEAT_WALL_S:
            daemon_state.heartbeat(self.sessions, self.worker_id, now)
            self._last_heartbeat = wall
        holds = daemon_state.active_holds(self.sessions, now)
        window = self._window
        reload = force_reload or holds != window.holds
        if wall - self._last_full_reload >= FULL_RELOAD_WALL_S:
            reload = True
        if not reload and window.horizon is not None:
            running_out = (
                window.horizon <= now + self._window_span() / 2
                if not window.truncated
                else len(window.jobs) < self.max_window // 2
            )
            reload = (
                running_out
                or daemon_state.window_signature(self.sessions, window.horizon) != window.signature
            )
        if reload:
            # Posts found late at start or when a pause lifts missed their moment
            # while nothing ran: they are spaced out. Posts merely behind a busy
            # window (or synced with a past time) go at once.
            lifted = any(scope not in holds for scope in window.holds)
            self._reload(now, holds, spaced=force_reload or lifted)
            self._last_full_reload = wall
        self.recovery.scan(now)

    def _window_span(self) -> timedelta:
        return timedelta(hours=self.config.publishing.window_h)

    def _reload(self, now: datetime, holds: dict[str, str], *, spaced: bool) -> None:
        horizon = now + self._window_span()
        items = daemon_state.load_window(self.sessions, horizon, self.max_window)
        truncated = len(items) >= self.max_window
        if truncated:
            # The window ends at its last item, inclusive: posts beyond it (even at
            # the same instant) are loaded when the window has drained to half.
            horizon = items[-1].due_at
        signature = daemon_state.window_signature(self.sessions, horizon)
        with self._lock:
            window = self._window
            window.horizon, window.truncated, window.signature = horizon, truncated, signature
            window.holds = holds
            wanted = {item.publication_id: item for item in items}
            for publication_id in list(window.jobs):
                if publication_id not in wanted and publication_id not in window.in_flight:
                    self._unschedule(publication_id)
            window.parked = set()
            late: list[WindowItem] = []
            for item in items:
                if item.publication_id in window.in_flight:
                    continue
                if self._held(item.account_label, holds):
                    self._unschedule(item.publication_id)
                    window.parked.add(item.publication_id)
                    continue
                current = window.jobs.get(item.publication_id)
                if current is not None and current[1] == item.due_at:
                    continue
                if self._found_late(item.due_at, now):
                    late.append(item)
                else:
                    self._schedule(item.publication_id, item.account_label, item.due_at)
            self._schedule_catch_up(late, now, spaced=spaced)

    def _held(self, account_label: str, holds: dict[str, str]) -> bool:
        return "campaign" in holds or f"account:{account_label}" in holds

    def _found_late(self, due_at: datetime, now: datetime) -> bool:
        return (now - due_at) > self.context.campaign_duration(FOUND_LATE_WALL_S)

    def _schedule_catch_up(self, late: list[WindowItem], now: datetime, *, spaced: bool) -> None:
        """Overdue posts, in time order. Within the grace and ``spaced``: about
        ``catch_up_spacing_s`` apart per account; otherwise at once (beyond the
        grace, the claim marks them missed)."""
        grace = self.context.limits.grace
        spacing = timedelta(seconds=self.config.publishing.catch_up_spacing_s)
        slots: dict[str, int] = {}
        for item in sorted(late):
            if not spaced or now - item.due_at > grace:
                self._schedule(item.publication_id, item.account_label, item.due_at, now)
                continue
            slot = slots.get(item.account_label, 0)
            slots[item.account_label] = slot + 1
            when = now + spacing * slot
            logger.info(
                "publication %s was due at %s; sending it late, at %s",
                item.publication_id,
                log_time(item.due_at),
                log_time(when),
            )
            self._schedule(item.publication_id, item.account_label, item.due_at, when)

    # -- jobs -------------------------------------------------------------------------------

    def _schedule(
        self,
        publication_id: int,
        account_label: str,
        due_at: datetime,
        fire_at: datetime | None = None,
    ) -> None:
        """A date job for ``publication_id`` (due at ``due_at``) firing at ``fire_at``
        (default: when due), both campaign time."""
        fire_at = fire_at or due_at
        with self._lock:
            self._unschedule(publication_id)
            self._sequence += 1
            job_id = f"publication-{publication_id}-{self._sequence}"
            self._window.jobs[publication_id] = (job_id, due_at, fire_at)
            self._window.accounts[publication_id] = account_label
        executor = f"account:{account_label}"
        if executor not in self._scheduler._executors:  # an account config.yaml lost
            executor = "default"
        self._scheduler.add_job(
            run_publication_job,
            trigger=DateTrigger(run_date=self.clock.to_wall(fire_at), timezone=UTC),
            args=[self.key, publication_id],
            id=job_id,
            executor=executor,
            misfire_grace_time=None,
            coalesce=True,
            max_instances=1,
            replace_existing=True,
        )

    def _unschedule(self, publication_id: int) -> None:
        with self._lock:
            entry = self._window.jobs.pop(publication_id, None)
            self._window.accounts.pop(publication_id, None)
        if entry is not None:
            with contextlib.suppress(JobLookupError):  # it has fired already
                self._scheduler.remove_job(entry[0])

    def run_job(self, publication_id: int) -> None:
        """Run one publication's job and schedule what comes next."""
        with self._lock:
            if not self.started:
                return
            self._window.in_flight.add(publication_id)
            account = self._window.accounts.get(publication_id, "")
        outcome: JobOutcome
        try:
            outcome = publish(self.context, publication_id)
        except Exception:
            logger.exception(
                "publication %s: the job failed; it stays queued and is tried again",
                publication_id,
            )
            retry = self.clock.now() + self.context.campaign_duration(5.0)
            outcome = JobOutcome("again", retry)
        finally:
            with self._lock:
                self._window.in_flight.discard(publication_id)
        self._after(publication_id, account, outcome)

    def _after(self, publication_id: int, account: str, outcome: JobOutcome) -> None:
        with self._lock:
            if not self.started:
                return
            window = self._window
            due = outcome.due_at
            in_window = due is not None and (window.horizon is None or due <= window.horizon)
            if outcome.kind == "again" and due is not None and in_window:
                self._schedule(publication_id, account, due)
                return
            if outcome.kind == "held":
                window.parked.add(publication_id)
            window.jobs.pop(publication_id, None)
            window.accounts.pop(publication_id, None)
            if window.truncated and len(window.jobs) < self.max_window // 2:
                self._wake.set()  # load the next part of the window now, not at the next tick

    def _submit_recovery(self, publication_id: int) -> None:
        self._scheduler.add_job(
            recover_claim_job,
            args=[self.key, publication_id],
            id=f"recover-{publication_id}-{uuid.uuid4().hex[:6]}",
            executor="default",
            misfire_grace_time=None,
            coalesce=True,
            max_instances=1,
        )

    def _requeued(self, publication_id: int, account_label: str) -> None:
        with self._lock:
            if self.started:
                self._schedule(publication_id, account_label, self.clock.now())

    def _on_job_event(self, event: JobEvent) -> None:
        logger.error("scheduler event %s for job %s", event.code, event.job_id)

    def _in_flight_count(self) -> int:
        with self._lock:
            return len(self._window.in_flight) + self.recovery.in_progress()

    # -- introspection (status, tests) ----------------------------------------------------

    def scheduled(self) -> dict[int, datetime]:
        """Publication id -> campaign time its job fires, for the window in memory."""
        with self._lock:
            return {pid: due for pid, (_, due, _) in self._window.jobs.items()}

    def parked(self) -> set[int]:
        """Publications waiting for a hold to lift."""
        with self._lock:
            return set(self._window.parked)
