"""Each outbox event's deliveries: one per target that hears it, each with its
own retries.

:func:`fan_out` gives each new event (:mod:`scheduler.storage.outbox`) a
delivery per target that wants it; a sender claims due deliveries with a lease
(:func:`claim_deliveries`), sends, then records the result. A sender that dies
between sending and recording loses its lease and the delivery is sent again,
carrying the same ``event_id``, so a receiver can recognise the repeat. Without
crashes, one event gives one message per target.

Only the name of the environment variable holding a target's URL is stored,
never the URL, and errors arrive here already redacted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from scheduler.alert_settings import AlertTarget
from scheduler.storage.database import reading
from scheduler.storage.models import AlertDelivery, AlertEvent
from scheduler.storage.outbox import StoredEvent, insert_ignoring, stored_event
from scheduler.storage.writes import read_connection, write_transaction

PENDING, SENT, FAILED = "pending", "sent", "failed"


@dataclass(frozen=True)
class DueDelivery:
    """A delivery this sender holds: its event, the target's variable name, and
    the tries made so far (before this one)."""

    delivery_id: int
    target: str
    tries: int
    event: StoredEvent


@dataclass(frozen=True)
class TargetBacklog:
    """What is waiting for one target: ``pending`` deliveries (the oldest event's
    time, aware UTC), ``failed`` ones (given up), the last error (redacted) and
    when the target last took a message."""

    target: str
    pending: int
    failed: int
    oldest_pending_at: datetime | None
    last_error: str | None
    last_sent_at: datetime | None


def fan_out(
    sessions: sessionmaker[Session], targets: Sequence[AlertTarget], now: datetime, limit: int = 200
) -> int:
    """Give up to ``limit`` new events a pending delivery per target that hears
    them, due at ``now``. Safe when several daemons do it at once. Returns how
    many events were handled.

    :raises StorageError: when the database refuses.
    """
    with write_transaction(sessions) as connection:
        rows = connection.execute(
            select(AlertEvent.id, AlertEvent.kind)
            .where(AlertEvent.fanned_out.is_(False))
            .order_by(AlertEvent.id)
            .limit(limit)
        ).all()
        if not rows:
            return 0
        deliveries = [
            {
                "event_row_id": row_id,
                "target": target.url_env,
                "state": PENDING,
                "tries": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for row_id, kind in rows
            for target in targets
            if target.hears(kind)
        ]
        if deliveries:
            insert_ignoring(connection, AlertDelivery, deliveries)
        connection.execute(
            update(AlertEvent)
            .where(AlertEvent.id.in_([row_id for row_id, _ in rows]))
            .values(fanned_out=True)
        )
    return len(rows)


def claim_deliveries(
    sessions: sessionmaker[Session],
    worker_id: str,
    now: datetime,
    lease_until: datetime,
    *,
    targets: Sequence[str],
    limit: int = 20,
) -> list[DueDelivery]:
    """Take up to ``limit`` pending deliveries due by ``now`` to ``targets`` that
    nobody holds (or whose holder's lease ran out), oldest event first, each
    with one conditional UPDATE so two senders never hold the same one.

    :raises StorageError: when the database refuses.
    """
    if not targets:
        return []
    free = or_(AlertDelivery.lease_expires_at.is_(None), AlertDelivery.lease_expires_at <= now)
    due = and_(
        AlertDelivery.state == PENDING,
        AlertDelivery.next_attempt_at <= now,
        AlertDelivery.target.in_(list(targets)),
        free,
    )
    with write_transaction(sessions) as connection:
        candidates = (
            connection.execute(
                select(AlertDelivery.id)
                .where(due)
                .order_by(AlertDelivery.event_row_id)
                .limit(limit)
            )
            .scalars()
            .all()
        )
        won: list[int] = []
        for delivery_id in candidates:
            result = connection.execute(
                update(AlertDelivery)
                .where(AlertDelivery.id == delivery_id, due)
                .values(claimed_by=worker_id, lease_expires_at=lease_until)
            )
            if result.rowcount:
                won.append(delivery_id)
        if not won:
            return []
        rows = connection.execute(
            select(
                AlertDelivery.id,
                AlertDelivery.target,
                AlertDelivery.tries,
                AlertEvent.event_id,
                AlertEvent.kind,
                AlertEvent.dedupe_key,
                AlertEvent.occurred_at,
                AlertEvent.facts,
            )
            .join(AlertEvent, AlertEvent.id == AlertDelivery.event_row_id)
            .where(AlertDelivery.id.in_(won))
            .order_by(AlertDelivery.event_row_id, AlertDelivery.id)
        ).all()
    return [DueDelivery(row.id, row.target, row.tries, stored_event(row)) for row in rows]


def _held(delivery_id: int, worker_id: str) -> Any:
    return and_(
        AlertDelivery.id == delivery_id,
        AlertDelivery.state == PENDING,
        AlertDelivery.claimed_by == worker_id,
    )


def delivery_sent(
    sessions: sessionmaker[Session], delivery_id: int, worker_id: str, now: datetime
) -> bool:
    """Record that the target took the message. False when this sender no longer
    held the delivery (nothing is changed then).

    :raises StorageError: when the database refuses.
    """
    with write_transaction(sessions) as connection:
        result = connection.execute(
            update(AlertDelivery)
            .where(_held(delivery_id, worker_id))
            .values(
                state=SENT,
                tries=AlertDelivery.tries + 1,
                sent_at=now,
                last_tried_at=now,
                claimed_by=None,
                lease_expires_at=None,
            )
        )
    return bool(result.rowcount)


def delivery_failed(
    sessions: sessionmaker[Session],
    delivery_id: int,
    worker_id: str,
    now: datetime,
    error: str,
    retry_at: datetime | None,
) -> bool:
    """Record a failed try: due again at ``retry_at``, or given up (``failed``)
    when it is None. ``error`` must already be redacted. False when this sender
    no longer held the delivery.

    :raises StorageError: when the database refuses.
    """
    values: dict[str, Any] = {
        "tries": AlertDelivery.tries + 1,
        "last_error": error[:2000],
        "last_tried_at": now,
        "claimed_by": None,
        "lease_expires_at": None,
    }
    if retry_at is None:
        values["state"] = FAILED
    else:
        values["next_attempt_at"] = retry_at
    with write_transaction(sessions) as connection:
        result = connection.execute(
            update(AlertDelivery).where(_held(delivery_id, worker_id)).values(**values)
        )
    return bool(result.rowcount)


def target_backlog(sessions: sessionmaker[Session]) -> list[TargetBacklog]:
    """Per target that ever had a delivery: pending and failed counts, the oldest
    pending event's time, the latest error and the latest success, by name.

    :raises StorageError: when the database cannot be read.
    """
    with reading(sessions) as session:
        counts = session.execute(
            select(
                AlertDelivery.target,
                func.sum(case((AlertDelivery.state == PENDING, 1), else_=0)),
                func.sum(case((AlertDelivery.state == FAILED, 1), else_=0)),
                func.max(AlertDelivery.sent_at),
            ).group_by(AlertDelivery.target)
        ).all()
        oldest = dict(
            session.execute(
                select(AlertDelivery.target, func.min(AlertEvent.occurred_at))
                .join(AlertEvent, AlertEvent.id == AlertDelivery.event_row_id)
                .where(AlertDelivery.state == PENDING)
                .group_by(AlertDelivery.target)
            ).all()
        )
        backlog = []
        for target, pending, failed, last_sent in counts:
            error = session.scalar(
                select(AlertDelivery.last_error)
                .where(AlertDelivery.target == target, AlertDelivery.last_error.is_not(None))
                .order_by(AlertDelivery.last_tried_at.desc())
                .limit(1)
            )
            waiting, given_up = int(pending or 0), int(failed or 0)
            backlog.append(
                TargetBacklog(target, waiting, given_up, oldest.get(target), error, last_sent)
            )
    return sorted(backlog, key=lambda item: item.target)


def work_waiting(
    sessions: sessionmaker[Session], now: datetime, targets: Sequence[str]
) -> tuple[bool, bool]:
    """(events to fan out?, deliveries to ``targets`` due by ``now`` and free?), read
    without a write lock, so an idle sender costs the publishing path nothing.

    :raises StorageError: when the database cannot be read.
    """
    free = or_(AlertDelivery.lease_expires_at.is_(None), AlertDelivery.lease_expires_at <= now)
    with read_connection(sessions) as connection:
        new = connection.scalar(
            select(AlertEvent.id).where(AlertEvent.fanned_out.is_(False)).limit(1)
        )
        due = None
        if targets:
            due = connection.scalar(
                select(AlertDelivery.id)
                .where(
                    AlertDelivery.state == PENDING,
                    AlertDelivery.next_attempt_at <= now,
                    AlertDelivery.target.in_(list(targets)),
                    free,
                )
                .limit(1)
            )
    return new is not None, due is not None
