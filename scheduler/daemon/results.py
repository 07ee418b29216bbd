"""Recording how an attempt ended, and keeping the results the database refused.

When the database refuses the write that records a result (SQLite's write lock
held past the busy timeout, a PostgreSQL restart), the post may already be
live: forgetting the result would leave the publication ``publishing`` until
its lease expired and another daemon reconciled it. :class:`Results` keeps
such a result in memory instead and records it at each refresh of the daemon
(every ``publishing.refresh_s`` wall seconds) until the database answers, with
the same conditional update as at first: only while the claim is still this
daemon's. When another daemon has taken the claim over meanwhile, only this
daemon's attempt row gets the outcome, and the new holder's reconciliation
decides the publication.

:class:`DatabaseFaults` refuses records on purpose, for rehearsals and tests:
the fault plan's ``db.record:locked:seconds=S`` makes the database "locked"
for ``S`` wall seconds from the first record it meets, and
``db.record:disconnected:seconds=S`` makes it unreachable.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from scheduler.errors import StorageError
from scheduler.platforms.faults import Fault
from scheduler.sandbox.faults import RECORD_ENDPOINT
from scheduler.storage.attempts import Claim
from scheduler.storage.refusals import busy, unreachable
from scheduler.storage.settlements import Settlement, record_attempt_only, settle

logger = logging.getLogger(__name__)


class FaultSource(Protocol):
    """What hands faults out (a :class:`~scheduler.sandbox.faults.FaultPlan`)."""

    def take(self, endpoint: str, account: str | None) -> Fault | None:
        """The fault to apply now, or None; consumes one use of it."""
        ...


class DatabaseFaults:
    """Refuses the daemon's records on purpose while a ``db.record`` fault lasts.
    ``monotonic`` is the wall clock the fault's ``seconds`` run on."""

    def __init__(
        self, plan: FaultSource | None, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._plan = plan
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._until = 0.0
        self._kind = ""

    def check(self, account_label: str) -> None:
        """Return when the database may be written.

        :raises DatabaseBusy: during a ``locked`` fault.
        :raises DatabaseUnreachable: during a ``disconnected`` fault.
        """
        if self._plan is None:
            return
        with self._lock:
            if self._monotonic() >= self._until:
                fault = self._plan.take(RECORD_ENDPOINT, account_label)
                if fault is None:
                    return
                self._until = self._monotonic() + fault.delay_s
                self._kind = fault.kind
            kind = self._kind
        if kind == "disconnected":
            raise unreachable("record the result")
        raise busy("record the result")


@dataclass(frozen=True)
class Stranded:
    """A result the database refused: the claim, when it was decided (campaign
    time, aware UTC), how it ended, and the refusal's words."""

    held: Claim
    decided_at: datetime
    settlement: Settlement
    refusal: str


class Results:
    """Records results; keeps and retries those the database refused. Thread-safe.

    ``on_recorded(settlement)`` runs after each settlement recorded (the alert
    sender's wake-up); ``on_settled(claim, decided_at, settlement)`` after each
    attempt recorded, whether or not the claim was still this daemon's (metrics).
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        faults: DatabaseFaults | None = None,
        on_recorded: Callable[[Settlement], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self.faults = faults or DatabaseFaults(None)
        self.on_recorded = on_recorded
        self.on_settled: Callable[[Claim, datetime, Settlement], None] | None = None
        self._stranded: dict[int, Stranded] = {}
        self._lock = threading.Lock()

    def record(self, held: Claim, now: datetime, settlement: Settlement) -> bool | None:
        """Record ``settlement`` for ``held`` at ``now``: True when recorded, False
        when the claim is no longer this worker's (nothing changed), None when
        the database refused and the result is kept for :meth:`flush`."""
        try:
            recorded = self._settle(held, now, settlement)
        except StorageError as error:
            with self._lock:
                self._stranded[held.publication_id] = Stranded(held, now, settlement, str(error))
            logger.error(
                "publication %s: the result (%s) is kept in memory and recorded as soon "
                "as the database answers: %s",
                held.publication_id,
                settlement.outcome,
                error,
            )
            return None
        return recorded

    def _settle(self, held: Claim, now: datetime, settlement: Settlement) -> bool:
        self.faults.check(held.account_label)
        recorded = settle(self._sessions, held, now, settlement)
        if recorded and self.on_recorded is not None:
            self.on_recorded(settlement)
        if self.on_settled is not None:
            self.on_settled(held, now, settlement)
        return recorded

    def stranded(self) -> dict[int, Stranded]:
        """Publication id -> the result waiting for the database."""
        with self._lock:
            return dict(self._stranded)

    def flush(self) -> int:
        """Record every result waiting for the database, in the order they were
        decided; stops at the first refusal (the database is still saying no).
        Returns how many are still waiting. Never raises StorageError."""
        waiting = sorted(self.stranded().values(), key=lambda item: item.decided_at)
        for item in waiting:
            held = item.held
            try:
                if self._settle(held, item.decided_at, item.settlement):
                    logger.warning(
                        "publication %s: the database answers again; its result (%s) is recorded",
                        held.publication_id,
                        item.settlement.outcome,
                    )
                else:
                    record_attempt_only(self._sessions, held, item.decided_at, item.settlement)
                    logger.error(
                        "publication %s: another daemon took the claim over while the "
                        "database refused its result (%s); the attempt is recorded and "
                        "the new holder's reconciliation decides",
                        held.publication_id,
                        item.settlement.outcome,
                    )
            except StorageError:
                break
            with self._lock:
                self._stranded.pop(held.publication_id, None)
        with self._lock:
            return len(self._stranded)

    def recorded_late(self) -> bool:
        """:meth:`flush`; True when it recorded at least one result."""
        waiting = len(self.stranded())
        return bool(waiting) and self.flush() < waiting

    def flush_before_stop(self) -> None:
        """A last :meth:`flush` as the daemon stops; what is still refused is logged
        (its publications are reconciled once their lease expires)."""
        left = self.flush()
        if left:
            logger.error(
                "stopping with %d result(s) the database refused to record: their "
                "publications stay publishing until their lease expires, then a daemon "
                "looks for the posts on the platform",
                left,
            )
