"""Which of the live daemons goes first for a publication.

Every daemon loads every publication of its window, so with several daemons on
one database every job fired in each of them and all but one claim lost: the
losers' claims cost CPU (about 1.4x one daemon's for the same posts, on the
multi-daemon benchmark). Instead each account has a **preferred daemon**
among the live ones, chosen by rendezvous hashing (highest random weight:
every daemon computes the same answer from the same list of live daemons, and
a daemon joining or leaving moves only its share of accounts). The preferred
daemon's job fires at the post's time; the others stand by
(:mod:`scheduler.daemon.standby`): no job of their own, one read for all the
posts :data:`STANDBY_WALL_S` past their time and still queued, and a claim
only where the preferred daemon shows no sign of work, so they take over at
once when it died but cost almost nothing while it lives. Exactly once is
unchanged: it rests on the conditional claim, whoever makes it.

A daemon is live while it has not recorded a stop and its heartbeat is newer
than ``STALE_HEARTBEATS`` intervals (:mod:`scheduler.daemon.identity`).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from scheduler.storage.daemon_state import live_workers

# Wall seconds after a post's time before a standby daemon looks at it: long
# enough for the preferred daemon's claim to commit on a busy machine, short
# enough that a post whose preferred daemon died goes out within a second.
STANDBY_WALL_S = 0.5


def _weight(worker_id: str, account_label: str) -> bytes:
    return hashlib.blake2b(f"{worker_id}\n{account_label}".encode(), digest_size=8).digest()


def preferred_daemon(live: Iterable[str], account_label: str) -> str | None:
    """The worker id among ``live`` that goes first for ``account_label``'s posts
    (None when ``live`` is empty); the same on every daemon for the same list."""
    return max(live, key=lambda worker_id: _weight(worker_id, account_label), default=None)


class Preference:
    """This daemon's view of the live daemons; thread-safe.

    ``worker_id`` is this daemon's. Until :meth:`update` is called, or while it
    is the only live daemon, it is preferred for every account.
    """

    def __init__(self, worker_id: str) -> None:
        self.worker_id = worker_id
        self._live: tuple[str, ...] = (worker_id,)
        self._lock = threading.Lock()

    def update(self, live: Iterable[str]) -> bool:
        """Take the ids of the live daemons (this one is counted in whatever the
        list says). True when the set changed."""
        ids = tuple(sorted({*live, self.worker_id}))
        with self._lock:
            changed = ids != self._live
            self._live = ids
        return changed

    def refresh(
        self,
        sessions: sessionmaker[Session],
        now: datetime,
        silent_after: timedelta,
    ) -> bool:
        """Read the live daemons from the heartbeat rows at ``now`` (campaign time):
        those whose heartbeat is newer than ``silent_after`` (campaign time). True
        when the set changed (the window should be scheduled again).

        :raises StorageError: when the database cannot be read.
        """
        return self.update(live_workers(sessions, now - silent_after))

    def live(self) -> tuple[str, ...]:
        """The live daemons' worker ids, sorted."""
        with self._lock:
            return self._live

    def standby(self, account_label: str) -> bool:
        """True when another live daemon goes first for ``account_label``."""
        return preferred_daemon(self.live(), account_label) != self.worker_id
