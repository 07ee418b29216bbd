"""The alerts' outbox: events written in the transaction of the change they report.

At least once: :func:`record_event` runs inside the transaction of the change
(a publication failing, an account pausing), so an event exists exactly when
its change was committed; an event's key names the change, so recording it
twice (two daemons, a retried transaction) keeps one event. Getting each event
to its targets is :mod:`scheduler.storage.deliveries`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from scheduler.storage.models import AlertEvent
from scheduler.storage.writes import read_connection, write_transaction


@dataclass(frozen=True)
class NewEvent:
    """An event to record. ``key`` names the change in words (two records of the
    same change are one event); ``facts`` hold only JSON values (times as ISO
    8601 UTC text); ``occurred_at`` is aware UTC."""

    kind: str
    key: str
    occurred_at: datetime
    facts: dict[str, Any]


@dataclass(frozen=True)
class StoredEvent:
    """An event as recorded: ``event_id`` is the id every message carries."""

    event_id: str
    kind: str
    key: str
    occurred_at: datetime
    facts: dict[str, Any]


def insert_ignoring(connection: Connection, table: Any, values: list[dict[str, Any]]) -> int:
    """Insert ``values``, skipping rows that clash with a unique key; returns how
    many rows went in (counted by RETURNING: a driver's rowcount is not reliable
    for INSERT ... ON CONFLICT DO NOTHING)."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(values).on_conflict_do_nothing()
    return len(connection.execute(statement.returning(table.id)).all())


def record_event(connection: Connection, event: NewEvent) -> bool:
    """Add ``event`` in the caller's transaction unless its key is already there.

    Returns True when this call added it.
    """
    row = {
        "event_id": uuid.uuid4().hex,
        "dedupe_key": event.key[:300],
        "kind": event.kind,
        "occurred_at": event.occurred_at,
        "facts": event.facts,
        "fanned_out": False,
    }
    return insert_ignoring(connection, AlertEvent, [row]) == 1


def record_events(sessions: sessionmaker[Session], events: Iterable[NewEvent]) -> int:
    """Record ``events`` in one transaction of their own; returns how many were new.

    :raises StorageError: when the database refuses.
    """
    with write_transaction(sessions) as connection:
        return sum(record_event(connection, event) for event in events)


def has_event(sessions: sessionmaker[Session], key: str) -> bool:
    """True when an event with ``key`` was recorded."""
    with read_connection(sessions) as connection:
        found = connection.scalar(select(AlertEvent.id).where(AlertEvent.dedupe_key == key))
    return found is not None


def stored_event(row: Any) -> StoredEvent:
    return StoredEvent(row.event_id, row.kind, row.dedupe_key, row.occurred_at, dict(row.facts))


def recorded_events(sessions: sessionmaker[Session]) -> list[StoredEvent]:
    """Every event recorded, oldest first (the rehearsal's report; tests).

    :raises StorageError: when the database cannot be read.
    """
    with read_connection(sessions) as connection:
        rows = connection.execute(
            select(
                AlertEvent.event_id,
                AlertEvent.kind,
                AlertEvent.dedupe_key,
                AlertEvent.occurred_at,
                AlertEvent.facts,
            ).order_by(AlertEvent.id)
        ).all()
    return [stored_event(row) for row in rows]


def publication_event(
    kind: str,
    key: str,
    now: datetime,
    *,
    publication_id: int,
    post_id: str,
    account: str,
    platform: str,
    scheduled_at: datetime,
    reason: str | None,
    **more: Any,
) -> NewEvent:
    """An event about one publication (``failed``, ``missed``, ``needs_review``,
    ``rate_limited``): the facts every such message names. ``more`` adds facts
    (JSON values only)."""
    facts: dict[str, Any] = {
        "publication_id": publication_id,
        "post_id": post_id,
        "account": account,
        "platform": platform,
        "scheduled_at": scheduled_at.isoformat(),
        "reason": reason,
        **more,
    }
    return NewEvent(kind, key, now, facts)


def hold_event(
    kind: str, scope: str, since: datetime, now: datetime, reason: str, actor: str
) -> NewEvent:
    """A pause placed or lifted: ``kind`` is ``paused`` or ``resumed``; ``scope`` is
    ``campaign`` or ``account:<label>``; ``since`` (aware UTC) is when the pause
    began, which names it, so two records of one pause are one event."""
    facts = {"reason": reason, "actor": actor}
    whose = "campaign"
    if scope.startswith("account:"):
        whose = facts["account"] = scope.split(":", 1)[1]
    name = f"{'campaign' if whose == 'campaign' else 'account'}_{kind}"
    key = f"{name}:{whose}:{since.isoformat()}"
    if kind == "resumed":
        key += f":{now.isoformat()}"
    return NewEvent(name, key, now, facts)


def account_paused_event(label: str, reason: str, actor: str, since: datetime) -> NewEvent:
    """The ``account_paused`` event of the pause of ``label`` placed at ``since``."""
    return hold_event("paused", f"account:{label}", since, since, reason, actor)
