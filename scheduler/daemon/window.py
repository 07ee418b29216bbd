"""The daemon's window: upcoming publications in memory, each a date job.

The window holds at most ``max_window`` queued publications due within
``publishing.window_h``, each an APScheduler job firing at its wall time
(``clock.to_wall``), so a post goes out within milliseconds of its time rather
than on a polling tick. Every job has ``misfire_grace_time=None`` (run however
late: the worker decides what "too late" means, from ``late_grace_min``) and
``coalesce=True``, set explicitly because APScheduler's default grace of one
second silently drops late jobs. Posts of an account on hold are parked (no
job) until the hold lifts; posts found late are spaced out
(``catch_up_spacing_s``). The daemon (:mod:`scheduler.daemon.runner`) decides
when to reload it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from datetime import UTC, datetime, timedelta

from apscheduler.jobstores.base import JobLookupError
from apscheduler.triggers.date import DateTrigger

from scheduler.clock import log_time
from scheduler.daemon.jobs import recover_claim_job, run_publication_job
from scheduler.daemon.preference import Preference
from scheduler.daemon.standby import Standby
from scheduler.daemon.timers import build_scheduler
from scheduler.daemon.worker import JobOutcome, WorkerContext
from scheduler.storage import daemon_state
from scheduler.storage.daemon_state import WindowItem

logger = logging.getLogger(__name__)

# Due this long ago (wall seconds) when first seen counts as "found late".
FOUND_LATE_WALL_S = 1.0


class JobWindow:
    """The jobs of one daemon over its window; thread-safe under ``lock``.

    ``scheduler`` is the daemon's APScheduler, with a ``default`` pool (rescues)
    and a pool of ``threads_per_account`` threads for each account's posts.
    ``jobs`` maps a publication id to (job id, due time in the database, time the
    job fires), all campaign time (aware UTC); ``in_flight`` are the publications
    whose job is running, ``parked`` those waiting for a hold to lift.
    ``horizon`` is the last due time loaded, ``truncated`` says the window was
    cut at ``max_window`` publications, ``signature`` and ``holds`` are what the
    database said at the last reload. ``standby`` holds the publications another
    live daemon goes first for (``preference``), without a job of their own
    (:mod:`scheduler.daemon.standby`).
    """

    def __init__(
        self,
        context: WorkerContext,
        daemon_key: str,
        max_window: int,
        threads_per_account: int,
        preference: Preference | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.preference = preference or Preference(context.worker_id)
        self.standby = Standby(context, self._take_over, self._gone)
        self.max_window = max_window
        self.jobs: dict[int, tuple[str, datetime, datetime]] = {}
        self.accounts: dict[int, str] = {}
        self.in_flight: set[int] = set()
        self.parked: set[int] = set()
        self.horizon: datetime | None = None
        self.truncated = False
        self.signature: tuple[int, datetime | None] | None = None
        self.holds: dict[str, str] = {}
        self.scheduler = build_scheduler(context, daemon_key, threads_per_account)
        self._context = context
        self._key = daemon_key
        self._sequence = 0

    def span(self) -> timedelta:
        """How far ahead the window reaches (``publishing.window_h``)."""
        return timedelta(hours=self._context.config.publishing.window_h)

    def stale(self, now: datetime, holds: dict[str, str]) -> bool:
        """True when the window should be reloaded: the holds changed, it is
        running out, or the database's signature of it changed (sync's new,
        moved and cancelled publications).

        :raises StorageError: when the database cannot be read.
        """
        if holds != self.holds:
            return True
        if self.horizon is None:
            return False
        running_out = (
            self.horizon <= now + self.span() / 2
            if not self.truncated
            else len(self.jobs) < self.max_window // 2
        )
        return running_out or (
            daemon_state.window_signature(self._context.sessions, self.horizon) != self.signature
        )

    def reload(self, now: datetime, holds: dict[str, str], *, spaced: bool) -> None:
        """Load the window from the database and bring the jobs in line with it.

        ``spaced``: posts found late are spaced out (see :meth:`_schedule_catch_up`).

        :raises StorageError: when the database cannot be read.
        """
        sessions = self._context.sessions
        horizon = now + self.span()
        items = daemon_state.load_window(sessions, horizon, self.max_window)
        truncated = len(items) >= self.max_window
        if truncated:
            # The window ends at its last item, inclusive: posts beyond it (even at
            # the same instant) are loaded when the window has drained to half.
            horizon = items[-1].due_at
        signature = daemon_state.window_signature(sessions, horizon)
        with self.lock:
            self.horizon, self.truncated, self.signature = horizon, truncated, signature
            self.holds = holds
            wanted = {item.publication_id: item for item in items}
            for publication_id in list(self.jobs):
                if publication_id not in wanted and publication_id not in self.in_flight:
                    self.unschedule(publication_id)
            self.parked = set()
            late: list[WindowItem] = []
            for item in items:
                if item.publication_id in self.in_flight:
                    continue
                if self._held(item.account_label, holds):
                    self.unschedule(item.publication_id)
                    self.parked.add(item.publication_id)
                    continue
                current = self.jobs.get(item.publication_id)
                if current is not None and current[1] == item.due_at:
                    continue
                if self._found_late(item.due_at, now):
                    late.append(item)
                else:
                    self.schedule(item.publication_id, item.account_label, item.due_at)
            self._schedule_catch_up(late, now, spaced=spaced)

    def _held(self, account_label: str, holds: dict[str, str]) -> bool:
        return "campaign" in holds or f"account:{account_label}" in holds

    def _found_late(self, due_at: datetime, now: datetime) -> bool:
        return (now - due_at) > self._context.campaign_duration(FOUND_LATE_WALL_S)

    def _schedule_catch_up(self, late: list[WindowItem], now: datetime, *, spaced: bool) -> None:
        """Overdue posts, in time order. Within the grace and ``spaced``: about
        ``catch_up_spacing_s`` apart per account; otherwise at once (beyond the
        grace, the claim marks them missed)."""
        grace = self._context.limits.grace
        spacing = timedelta(seconds=self._context.config.publishing.catch_up_spacing_s)
        slots: dict[str, int] = {}
        for item in sorted(late):
            if not spaced or now - item.due_at > grace:
                self.schedule(item.publication_id, item.account_label, item.due_at, now)
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
            self.schedule(item.publication_id, item.account_label, item.due_at, when)

    def schedule(
        self,
        publication_id: int,
        account_label: str,
        due_at: datetime,
        fire_at: datetime | None = None,
    ) -> None:
        """A date job for ``publication_id`` (due at ``due_at``) firing at ``fire_at``
        (default: when due), both campaign time, on the account's thread pool; or,
        when another live daemon goes first for the account, stand by for it."""
        fire_at = fire_at or due_at
        standby = self.preference.standby(account_label)
        with self.lock:
            self.unschedule(publication_id)
            self._sequence += 1
            job_id = f"publication-{publication_id}-{self._sequence}"
            self.jobs[publication_id] = (job_id, due_at, fire_at)
            self.accounts[publication_id] = account_label
            if standby:
                self.standby.park(publication_id, account_label, fire_at)
                return
        self._add_job(publication_id, account_label, job_id, fire_at)

    def _add_job(
        self, publication_id: int, account_label: str, job_id: str, fire_at: datetime
    ) -> None:
        executor = f"account:{account_label}"
        if executor not in self.scheduler._executors:  # an account config.yaml lost
            executor = "default"
        self.scheduler.add_job(
            run_publication_job,
            trigger=DateTrigger(run_date=self._context.clock.to_wall(fire_at), timezone=UTC),
            args=[self._key, publication_id],
            id=job_id,
            executor=executor,
            misfire_grace_time=None,
            coalesce=True,
            max_instances=1,
            replace_existing=True,
        )

    def unschedule(self, publication_id: int) -> None:
        """Remove the job of ``publication_id``, if it has one."""
        with self.lock:
            entry = self.jobs.pop(publication_id, None)
            self.accounts.pop(publication_id, None)
            self.standby.forget(publication_id)
        if entry is not None:
            with contextlib.suppress(JobLookupError):  # it has fired already
                self.scheduler.remove_job(entry[0])

    def _take_over(self, publication_id: int, account_label: str) -> None:
        # The standby sweep found its preferred daemon idle on the account: fire now.
        with self.lock:
            entry = self.jobs.get(publication_id)
            if entry is None or publication_id in self.in_flight:
                return
            self.jobs[publication_id] = (entry[0], entry[1], self._context.clock.now())
        self._add_job(publication_id, account_label, entry[0], self._context.clock.now())

    def _gone(self, publication_id: int) -> None:
        with self.lock:
            self.jobs.pop(publication_id, None)
            self.accounts.pop(publication_id, None)

    def forget(self) -> None:
        """Remove every job not running, so the next :meth:`reload` schedules the
        whole window again from the clock's current time (after a clock jump)."""
        with self.lock:
            for publication_id in list(self.jobs):
                if publication_id not in self.in_flight:
                    self.unschedule(publication_id)

    def submit_recovery(self, publication_id: int) -> None:
        """A job on the default pool, now, rescuing the abandoned claim on ``publication_id``."""
        self.scheduler.add_job(
            recover_claim_job,
            args=[self._key, publication_id],
            id=f"recover-{publication_id}-{uuid.uuid4().hex[:6]}",
            executor="default",
            misfire_grace_time=None,
            coalesce=True,
            max_instances=1,
        )

    def begin(self, publication_id: int) -> str:
        """Mark the job of ``publication_id`` running; returns its account label."""
        with self.lock:
            self.in_flight.add(publication_id)
            return self.accounts.get(publication_id, "")

    def end(self, publication_id: int) -> None:
        """The job of ``publication_id`` has returned."""
        with self.lock:
            self.in_flight.discard(publication_id)

    def after(self, publication_id: int, account: str, outcome: JobOutcome) -> bool:
        """Schedule what comes after a job: again when due within the window,
        parked when held, else dropped. True when a cut window has drained to
        half and should load its next part now rather than at the next tick."""
        with self.lock:
            due = outcome.due_at
            in_window = due is not None and (self.horizon is None or due <= self.horizon)
            if outcome.kind == "again" and due is not None and in_window:
                self.schedule(publication_id, account, due)
                return False
            if outcome.kind == "held":
                self.parked.add(publication_id)
            self.jobs.pop(publication_id, None)
            self.accounts.pop(publication_id, None)
            self.standby.forget(publication_id)
            return self.truncated and len(self.jobs) < self.max_window // 2

    def scheduled(self) -> dict[int, datetime]:
        """Publication id -> the campaign time it is due, for the window in memory."""
        with self.lock:
            return {pid: due for pid, (_, due, _) in self.jobs.items()}
