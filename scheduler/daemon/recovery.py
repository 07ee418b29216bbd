"""Finding and rescuing claims whose daemon is gone.

A claim is abandoned when its lease has expired, or at once when its holder was
a daemon on this host whose process no longer exists (a restart after SIGKILL
need not wait for the lease). Rescues run as jobs on the daemon's default pool,
because a rescue may call the platform to reconcile.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import datetime

from scheduler.daemon.worker import WorkerContext, publish_claimed
from scheduler.storage.leases import (
    HeldClaim,
    claims_held_by_others,
    take_over,
    worker_processes,
)

logger = logging.getLogger(__name__)


def process_exists(pid: int) -> bool:
    """True when a process with ``pid`` exists on this host (ours or another user's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def abandoned_because(
    held: HeldClaim,
    now: datetime,
    running_here: set[str],
    process: tuple[str, int] | None = None,
) -> str | None:
    """Why ``held`` may be taken over at ``now``, or None while its holder may be alive.

    ``running_here`` holds the worker ids of daemons alive in this process;
    ``process`` is the holder's (hostname, pid) from its heartbeat row.
    """
    if held.lease_expires_at is None or held.lease_expires_at <= now:
        if held.claimed_by is None:
            return "a create call may have been applied; time to look for the post again"
        return f"the lease of {held.claimed_by} expired at {held.lease_expires_at}"
    if held.claimed_by is None or process is None:
        return None
    host, pid = process
    if host != socket.gethostname():
        return None
    if pid == os.getpid():
        if held.claimed_by not in running_here:
            return f"the daemon {held.claimed_by} in this process has stopped"
        return None
    if not process_exists(pid):
        return f"the daemon {held.claimed_by} is gone (process {pid} no longer exists)"
    return None


class Recovery:
    """Scans for abandoned claims and rescues each once.

    ``submit(publication_id)`` runs :meth:`run` later on a pool thread;
    ``requeue(publication_id, account_label)`` hands a claim that is queued again
    back to the runner; ``running_here()`` gives the worker ids alive in this process.
    """

    def __init__(
        self,
        context: WorkerContext,
        submit: Callable[[int], None],
        running_here: Callable[[], set[str]],
        requeue: Callable[[int, str], None] | None = None,
    ) -> None:
        self._context = context
        self._submit = submit
        self._running_here = running_here
        self.requeue = requeue
        self._pending: dict[int, tuple[HeldClaim, str]] = {}
        self._lock = threading.Lock()

    def in_progress(self) -> int:
        """Rescues submitted and not finished."""
        with self._lock:
            return len(self._pending)

    def scan(self, now: datetime) -> int:
        """Submit a rescue for every abandoned claim; returns how many were submitted.

        :raises StorageError: when the database cannot be read.
        """
        context = self._context
        running = self._running_here()
        held_claims = claims_held_by_others(context.sessions, context.worker_id)
        processes = worker_processes(
            context.sessions, {held.claimed_by for held in held_claims if held.claimed_by}
        )
        submitted = 0
        for held in held_claims:
            why = abandoned_because(held, now, running, processes.get(held.claimed_by or ""))
            if why is None:
                continue
            submitted += self._submit_once(held, why)
        return submitted

    def inherit(self) -> int:
        """At start: rescue claims left under this daemon's own worker id by an
        earlier daemon of the same name (it has claimed nothing yet itself)."""
        why = f"an earlier daemon named {self._context.worker_id} stopped while holding it"
        held_claims = claims_held_by_others(
            self._context.sessions, self._context.worker_id, mine=True
        )
        return sum(self._submit_once(held, why) for held in held_claims)

    def _submit_once(self, held: HeldClaim, why: str) -> int:
        with self._lock:
            if held.publication_id in self._pending:
                return 0
            self._pending[held.publication_id] = (held, why)
        self._submit(held.publication_id)
        return 1

    def run(self, publication_id: int) -> None:
        """Take the claim over; requeue it, fail it, or reconcile it."""
        with self._lock:
            entry = self._pending.get(publication_id)
        if entry is None:
            return
        held, why = entry
        context = self._context
        try:
            now = context.clock.now()
            result = take_over(
                context.sessions,
                held,
                worker_id=context.worker_id,
                now=now,
                lease_until=context.lease_until(now),
                max_attempts=context.config.publishing.max_attempts,
                why=why,
            )
            if result.status == "reconcile":
                assert result.claim is not None
                logger.warning(
                    "publication %s: %s; looking for the post on the platform",
                    publication_id,
                    why,
                )
                publish_claimed(context, result.claim)
            elif result.status in ("requeued", "failed"):
                logger.warning(
                    "publication %s %s: %s", publication_id, result.status, result.reason
                )
                if result.status == "requeued" and self.requeue is not None:
                    self.requeue(publication_id, held.account_label)
        except Exception:
            logger.exception(
                "publication %s: rescuing its claim failed; will try again", publication_id
            )
        finally:
            with self._lock:
                self._pending.pop(publication_id, None)
