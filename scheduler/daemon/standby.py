"""The publications this daemon stands by for: another live daemon goes first
for their account (:mod:`scheduler.daemon.preference`).

A standby publication gets no job of its own: a job fired and a read made for
every post the preferred daemon publishes cost the standby about as much CPU
as publishing it. Instead one sweep (:meth:`Standby.sweep`, every
:data:`SWEEP_WALL_S` wall seconds) looks only when a standby publication is
:data:`~scheduler.daemon.preference.STANDBY_WALL_S` past its time, and then
with one read for all of them: a publication no longer queued is dropped; one
whose account shows no claim for :data:`BUSY_WALL_S` (its preferred daemon
dead or stuck) is taken: its job runs now and claims as usual; the others
wait for the next sweep (the preferred daemon is at work on their account).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from scheduler.daemon.preference import STANDBY_WALL_S
from scheduler.daemon.worker import WorkerContext
from scheduler.errors import StorageError
from scheduler.storage.daemon_state import standby_looks

logger = logging.getLogger(__name__)

# How often the sweep runs (wall seconds): a post whose preferred daemon died goes
# out at most this long after due + STANDBY_WALL_S.
SWEEP_WALL_S = 0.2
# Wall seconds since the account's latest claim within which its preferred daemon
# counts as at work on it.
BUSY_WALL_S = 1.0


class Standby:
    """Standby publications in memory; thread-safe.

    ``take(publication_id, account_label)`` runs the publication's job now;
    ``drop(publication_id)`` forgets one that is no longer queued.
    """

    def __init__(
        self,
        context: WorkerContext,
        take: Callable[[int, str], None],
        drop: Callable[[int], None],
    ) -> None:
        self._context = context
        self._take = take
        self._drop = drop
        self._due: dict[int, tuple[datetime, str]] = {}
        self._lock = threading.Lock()

    def park(self, publication_id: int, account_label: str, due_at: datetime) -> None:
        """Stand by for ``publication_id``, due at ``due_at`` (campaign time)."""
        with self._lock:
            self._due[publication_id] = (due_at, account_label)

    def forget(self, publication_id: int) -> None:
        """Stand by for ``publication_id`` no more."""
        with self._lock:
            self._due.pop(publication_id, None)

    def ids(self) -> set[int]:
        with self._lock:
            return set(self._due)

    def sweep(self) -> None:
        """Look at the standby publications past due + STANDBY_WALL_S (module
        docstring). Never raises StorageError: the refresh loop reports outages."""
        context = self._context
        now = context.clock.now()
        late = now - context.campaign_duration(STANDBY_WALL_S)
        with self._lock:
            overdue = {pid: account for pid, (due, account) in self._due.items() if due <= late}
        if not overdue:
            return
        busy_since = now - context.campaign_duration(BUSY_WALL_S)
        try:
            looks = standby_looks(context.sessions, list(overdue), busy_since)
        except StorageError:
            return
        for publication_id, look in looks.items():
            if look == "busy":
                continue
            self.forget(publication_id)
            if look == "free":
                logger.info(
                    "publication %s: its preferred daemon has not claimed it; taking it",
                    publication_id,
                )
                self._take(publication_id, overdue[publication_id])
            else:
                self._drop(publication_id)
