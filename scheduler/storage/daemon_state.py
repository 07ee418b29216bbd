"""The daemon's reads and bookkeeping: its window of upcoming work, holds,
heartbeats and the per-account rows.

Every query here is shaped for a large queue: the window reads come straight
off the ``(state, next_attempt_at)`` index in order, one state at a time, so
their cost follows the size of the window, never the size of the queue or the
history.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from scheduler.storage.database import reading, writing
from scheduler.storage.models import (
    QUEUED,
    AccountState,
    Hold,
    Post,
    Publication,
    PublicationState,
    Worker,
)
from scheduler.storage.outbox import account_paused_event, record_event
from scheduler.storage.writes import write_transaction


@dataclass(frozen=True, order=True)
class WindowItem:
    """A queued publication: due at ``due_at`` (``next_attempt_at``, aware UTC)."""

    due_at: datetime
    publication_id: int
    account_label: str
    state: PublicationState


def load_window(sessions: sessionmaker[Session], horizon: datetime, limit: int) -> list[WindowItem]:
    """The first ``limit`` queued publications due before ``horizon``, earliest first.

    Includes overdue ones (due in the past).
    """
    with reading(sessions) as session:
        per_state: list[list[WindowItem]] = []
        for state in QUEUED:
            rows = session.execute(
                select(Publication.next_attempt_at, Publication.id, Publication.account_label)
                .where(Publication.state == state, Publication.next_attempt_at < horizon)
                .order_by(Publication.next_attempt_at)
                .limit(limit)
            ).all()
            per_state.append([WindowItem(due, pid, label, state) for due, pid, label in rows])
    return list(heapq.merge(*per_state))[:limit]


def videos_due(
    sessions: sessionmaker[Session], now: datetime, until: datetime
) -> list[tuple[int, str, str, dict[str, str]]]:
    """Queued publications of video posts due after ``now`` and by ``until`` (aware
    UTC), earliest first, as (publication id, account label, platform, the post's
    ``video``: ``{path, title, alt}``)."""
    with reading(sessions) as session:
        rows = session.execute(
            select(Publication.id, Publication.account_label, Publication.platform, Post.video)
            .join(Post, Post.id == Publication.post_id)
            .where(
                Publication.state.in_(QUEUED),
                Publication.next_attempt_at > now,
                Publication.next_attempt_at <= until,
                Post.video.is_not(None),
            )
            .order_by(Publication.next_attempt_at)
            .limit(100)
        ).all()
    return [(pid, label, platform, dict(video)) for pid, label, platform, video in rows if video]


def window_signature(
    sessions: sessionmaker[Session], horizon: datetime
) -> tuple[int, datetime | None]:
    """(count, latest ``updated_at``) of queued publications due by ``horizon`` (inclusive).

    Changes whenever sync adds, moves or cancels one inside the window, so the
    daemon reloads its window only when something moved.
    """
    with reading(sessions) as session:
        count, latest = session.execute(
            select(func.count(), func.max(Publication.updated_at)).where(
                Publication.state.in_(QUEUED), Publication.next_attempt_at <= horizon
            )
        ).one()
    return int(count), latest


def active_holds(sessions: sessionmaker[Session], now: datetime) -> dict[str, str]:
    """Scope (``campaign`` or ``account:<label>``) -> reason, for holds active at ``now``."""
    with reading(sessions) as session:
        rows = session.execute(
            select(Hold.scope, Hold.reason).where(or_(Hold.until.is_(None), Hold.until > now))
        ).all()
    return {scope: reason for scope, reason in rows}


def pause_account(
    sessions: sessionmaker[Session], label: str, reason: str, actor: str, now: datetime
) -> bool:
    """Pause account ``label`` (a hold on ``account:<label>``) unless a hold is
    already there: the first pause's reason stands. Returns True when this call
    placed the hold, and then records the ``account_paused`` alert with it.
    ``now`` is aware UTC."""
    hold = {"scope": f"account:{label}", "reason": reason, "actor": actor, "since": now}
    with write_transaction(sessions) as connection:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        result = connection.execute(dialect.insert(Hold).values(hold).on_conflict_do_nothing())
        if not result.rowcount:
            return False
        record_event(connection, account_paused_event(label, reason, actor, now))
        return True


def ensure_accounts(sessions: sessionmaker[Session], labels: Iterable[str], now: datetime) -> None:
    """Create the ``account_states`` row of every label that has none.

    Safe when several daemons start at once (insert-or-ignore).
    """
    rows = [{"label": label, "updated_at": now} for label in labels]
    if not rows:
        return
    with writing(sessions) as session:
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            session.execute(postgresql.insert(AccountState).values(rows).on_conflict_do_nothing())
        else:
            session.execute(sqlite.insert(AccountState).values(rows).on_conflict_do_nothing())


def register_worker(
    sessions: sessionmaker[Session], worker_id: str, hostname: str, pid: int, now: datetime
) -> None:
    """Record a starting daemon (its heartbeat row)."""
    with writing(sessions) as session:
        session.merge(
            Worker(
                id=worker_id,
                hostname=hostname,
                pid=pid,
                started_at=now,
                heartbeat_at=now,
                stopped_at=None,
                stop_reason=None,
            )
        )


def worker(sessions: sessionmaker[Session], worker_id: str) -> Worker | None:
    """The heartbeat row of ``worker_id``, or None."""
    with reading(sessions) as session:
        return session.get(Worker, worker_id)


def heartbeat(sessions: sessionmaker[Session], worker_id: str, now: datetime) -> None:
    """Say the daemon is alive at ``now``."""
    with writing(sessions) as session:
        session.execute(
            update(Worker)
            .where(Worker.id == worker_id)
            .values(heartbeat_at=now)
            .execution_options(synchronize_session=False)
        )


def live_workers(sessions: sessionmaker[Session], since: datetime) -> list[str]:
    """Worker ids of the daemons that recorded no stop and a heartbeat after
    ``since`` (aware UTC), sorted."""
    with reading(sessions) as session:
        rows = session.scalars(
            select(Worker.id)
            .where(Worker.stopped_at.is_(None), Worker.heartbeat_at > since)
            .order_by(Worker.id)
        )
        return list(rows)


def standby_looks(
    sessions: sessionmaker[Session], publication_ids: list[int], busy_since: datetime
) -> dict[int, str]:
    """What a standby daemon finds for each of ``publication_ids`` (one read, no
    lock): ``gone`` when it is no longer queued (or deleted), ``busy`` when its
    account's latest claim came after ``busy_since`` (aware UTC: its preferred
    daemon is at work on it), else ``free``."""
    with reading(sessions) as session:
        rows = session.execute(
            select(Publication.id, Publication.state, AccountState.last_post_at)
            .join(AccountState, AccountState.label == Publication.account_label, isouter=True)
            .where(Publication.id.in_(publication_ids))
        ).all()
    looks = dict.fromkeys(publication_ids, "gone")
    for publication_id, state, last_post_at in rows:
        if state in QUEUED:
            busy = last_post_at is not None and last_post_at > busy_since
            looks[publication_id] = "busy" if busy else "free"
    return looks


def stop_worker(
    sessions: sessionmaker[Session], worker_id: str, now: datetime, reason: str
) -> None:
    """Record why and when the daemon stopped."""
    with writing(sessions) as session:
        session.execute(
            update(Worker)
            .where(Worker.id == worker_id)
            .values(heartbeat_at=now, stopped_at=now, stop_reason=reason)
            .execution_options(synchronize_session=False)
        )


def account_states(sessions: sessionmaker[Session]) -> dict[str, AccountState]:
    """Every account's shared publishing state, by label."""
    with reading(sessions) as session:
        return {row.label: row for row in session.scalars(select(AccountState))}
