"""The job functions APScheduler calls, and the daemons of this process they reach.

A job holds plain ids only (the daemon's key and a publication id), never a
daemon object: a job that fires after its daemon stopped finds no daemon and
does nothing. Several daemons may run in one process (tests, rehearsals), each
under its own key.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

from scheduler.daemon.recovery import Recovery


class RunningDaemon(Protocol):
    """What a job needs of a daemon: its worker id, its publish job, its recovery,
    its window (whose standby publications a sweep looks at)."""

    worker_id: str
    recovery: Recovery
    window: Any

    def run_job(self, publication_id: int) -> None:
        """Publish ``publication_id`` and schedule what comes next."""
        ...


_RUNNING: dict[str, RunningDaemon] = {}
_RUNNING_LOCK = threading.Lock()


def register(key: str, daemon: RunningDaemon) -> None:
    """Make ``daemon`` reachable by the jobs that carry ``key``."""
    with _RUNNING_LOCK:
        _RUNNING[key] = daemon


def unregister(key: str) -> None:
    """Jobs carrying ``key`` find no daemon any more (and do nothing)."""
    with _RUNNING_LOCK:
        _RUNNING.pop(key, None)


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


def standby_sweep_job(daemon_key: str) -> None:
    """APScheduler job: look at the publications the daemon ``daemon_key`` stands by for."""
    daemon = _RUNNING.get(daemon_key)
    if daemon is not None:
        daemon.window.standby.sweep()


def running_worker_ids() -> set[str]:
    """Worker ids of the daemons running in this process."""
    with _RUNNING_LOCK:
        return {daemon.worker_id for daemon in _RUNNING.values()}
