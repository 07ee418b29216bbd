"""Claims whose holder is gone: find them and take them over.

A daemon that dies (SIGKILL, power cut) leaves its publications in
``publishing``. Another daemon, or the same one restarted, takes such a claim
over once its lease has expired (or at once when the holder was a process on
this host that no longer exists), with one conditional UPDATE that names the
old holder and lease, so two rescuers cannot both win.

What happens next depends on ``needs_reconcile``, which the worker sets just
before the create call:

- not set: no create call was made, nothing can be on the platform; the crashed
  try is closed and the publication is queued again (or failed after too many
  tries);
- set: a post may exist; the new holder must look for it before anything else
  (the caller gets a :class:`~scheduler.storage.attempts.Claim` to reconcile).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from scheduler.storage.attempts import Claim, counted_tries, open_attempt
from scheduler.storage.database import reading
from scheduler.storage.models import AccountState, Attempt, Publication, PublicationState, Worker
from scheduler.storage.outbox import publication_event, record_event
from scheduler.storage.writes import write_transaction


@dataclass(frozen=True)
class HeldClaim:
    """A publication in ``publishing`` held by another worker (or by nobody)."""

    publication_id: int
    account_label: str
    claimed_by: str | None
    lease_expires_at: datetime | None
    needs_reconcile: bool


@dataclass(frozen=True)
class TakeOver:
    """``requeued`` (due again at once), ``failed`` (too many tries), ``reconcile``
    (``claim`` is set: look for the post first) or ``lost`` (someone else took it)."""

    status: str
    claim: Claim | None = None
    reason: str = ""


def claims_held_by_others(
    sessions: sessionmaker[Session], worker_id: str, *, mine: bool = False
) -> list[HeldClaim]:
    """Every publication in ``publishing`` not held by ``worker_id`` (with ``mine``:
    only those held by ``worker_id``, left by an earlier daemon of that name).

    Few rows at any time (one per in-flight call), found through the
    ``(state, next_attempt_at)`` index.
    """
    holder = (
        Publication.claimed_by == worker_id
        if mine
        else Publication.claimed_by.is_distinct_from(worker_id)
    )
    with reading(sessions) as session:
        rows = session.execute(
            select(
                Publication.id,
                Publication.account_label,
                Publication.claimed_by,
                Publication.lease_expires_at,
                Publication.needs_reconcile,
            ).where(Publication.state == PublicationState.PUBLISHING, holder)
        ).all()
    return [HeldClaim(*row) for row in rows]


def worker_processes(
    sessions: sessionmaker[Session], worker_ids: set[str]
) -> dict[str, tuple[str, int]]:
    """Worker id -> (hostname, pid) of the daemons that registered those ids."""
    if not worker_ids:
        return {}
    with reading(sessions) as session:
        rows = session.execute(
            select(Worker.id, Worker.hostname, Worker.pid).where(Worker.id.in_(worker_ids))
        ).all()
    return {worker_id: (hostname, pid) for worker_id, hostname, pid in rows}


def take_over(
    sessions: sessionmaker[Session],
    held: HeldClaim,
    *,
    worker_id: str,
    now: datetime,
    lease_until: datetime,
    max_attempts: int,
    why: str,
) -> TakeOver:
    """Take ``held`` over for ``worker_id``; ``why`` says what happened to the holder.

    :raises StorageError: when the database refuses.
    """
    with write_transaction(sessions) as connection:
        won = connection.execute(
            update(Publication)
            .where(
                Publication.id == held.publication_id,
                Publication.state == PublicationState.PUBLISHING,
                Publication.claimed_by.is_not_distinct_from(held.claimed_by),
                Publication.lease_expires_at.is_not_distinct_from(held.lease_expires_at),
            )
            .values(claimed_by=worker_id, lease_expires_at=lease_until, updated_at=now)
        )
        if not won.rowcount:
            return TakeOver("lost")
        connection.execute(
            update(Attempt)
            .where(Attempt.publication_id == held.publication_id, Attempt.ended_at.is_(None))
            .values(ended_at=now, outcome="crashed", platform_message=why)
        )
        if held.needs_reconcile:
            claim = open_attempt(
                connection,
                held.publication_id,
                worker_id,
                now,
                previous_last_post_at=None,
                new_claim=False,
            )
            return TakeOver("reconcile", claim=claim, reason=why)
        return _requeue(connection, held, now, max_attempts, why)


def _requeue(
    connection: Connection, held: HeldClaim, now: datetime, max_attempts: int, why: str
) -> TakeOver:
    row = connection.execute(
        select(
            Publication.attempt_count,
            Publication.post_id,
            Publication.platform,
            Publication.scheduled_at,
        ).where(Publication.id == held.publication_id)
    ).one()
    tries = counted_tries(connection, held.publication_id, int(row.attempt_count or 0))
    failed = tries >= max_attempts
    reason = f"{why}; no create call had been sent, so nothing can be on the platform"
    if failed:
        reason = f"gave up after {tries} tries; the last: {reason}"
    connection.execute(
        update(Publication)
        .where(Publication.id == held.publication_id)
        .values(
            state=PublicationState.FAILED if failed else PublicationState.RETRYING,
            next_attempt_at=now,
            claimed_by=None,
            lease_expires_at=None,
            last_error=reason,
            updated_at=now,
        )
    )
    if failed:
        event = publication_event(
            "failed",
            f"failed:{held.publication_id}:{now.isoformat()}",
            now,
            publication_id=held.publication_id,
            post_id=row.post_id,
            account=held.account_label,
            platform=row.platform,
            scheduled_at=row.scheduled_at,
            reason=reason,
        )
        record_event(connection, event)
    # Give the spacing slot back unless another claim of the account is in flight.
    others = (
        select(Publication.id)
        .where(
            Publication.account_label == held.account_label,
            Publication.state == PublicationState.PUBLISHING,
        )
        .exists()
    )
    latest = (
        select(func.max(Publication.published_at))
        .where(Publication.account_label == held.account_label)
        .scalar_subquery()
    )
    connection.execute(
        update(AccountState)
        .where(AccountState.label == held.account_label, ~others)
        .values(last_post_at=latest)
    )
    return TakeOver("failed" if failed else "requeued", reason=reason)
