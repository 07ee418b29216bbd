"""The daemon's APScheduler: a thread pool per account, the listener that logs
what APScheduler itself gives up on, and the standby sweep
(:mod:`scheduler.daemon.standby`). The window (:mod:`scheduler.daemon.window`)
adds one date job per publication.
"""

from __future__ import annotations

import logging
from datetime import UTC

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from scheduler.daemon.jobs import standby_sweep_job
from scheduler.daemon.standby import SWEEP_WALL_S
from scheduler.daemon.worker import WorkerContext

logger = logging.getLogger(__name__)


def build_scheduler(
    context: WorkerContext, daemon_key: str, threads_per_account: int
) -> BackgroundScheduler:
    """A scheduler (not started) with a ``default`` pool of 4 threads (rescues, the
    sweep) and ``threads_per_account`` threads for each account's posts; jobs run
    however late (``misfire_grace_time=None``: the worker decides what is too late)."""
    # Two threads an account: a second post due at the same instant need not wait
    # for the first one's create call. More only contend for the interpreter lock
    # and the connection pool: with 40 accounts, 2,000 posts due at once and 50 ms
    # creates, one daemon on PostgreSQL published 58 posts/s with 4 threads an
    # account and 73 with 2 (python -m bench multi; docs/performance.md).
    executors: dict[str, ThreadPoolExecutor] = {"default": ThreadPoolExecutor(4)}
    for account in context.config.accounts:
        executors[f"account:{account.label}"] = ThreadPoolExecutor(threads_per_account)
    scheduler = BackgroundScheduler(
        executors=executors, timezone=UTC, job_defaults={"misfire_grace_time": None}
    )
    scheduler.add_listener(
        _on_job_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES
    )
    scheduler.add_job(
        standby_sweep_job,
        "interval",
        seconds=SWEEP_WALL_S,
        args=[daemon_key],
        id="standby-sweep",
        executor="default",
        coalesce=True,
        max_instances=1,
    )
    return scheduler


def _on_job_event(event: JobEvent) -> None:
    logger.error("scheduler event %s for job %s", event.code, event.job_id)
