"""The token store's rows: each account's lock and its sealed tokens.

Only ciphertext passes through here; keys and values belong to
:mod:`scheduler.tokens`.

**One writer per account.** Before it calls the platform, a process takes the
lease on the account's ``token_locks`` row with one conditional UPDATE (the
row is free, or its lease has run out) in a short transaction. It does not
hold a database lock during the platform call: on SQLite that would be the
database's only write lock, and every daemon's publishing would wait for the
HTTP call. On PostgreSQL the UPDATE locks the row until commit, so a second
process trying at the same instant re-reads it after the first commits and
finds it taken; on SQLite ``BEGIN IMMEDIATE`` makes writers take turns. A
holder that dies loses the lock when its lease ends.

**Never an older token over a newer one.** ``version`` goes up by one with
every committed change of the account's tokens; a write names the version it
read and changes nothing, raising :class:`~scheduler.errors.TokenConflict`,
when another write came first (a holder whose lease ran out during a slow
call, while another process took over).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, case, delete, insert, null, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from scheduler.errors import TokenConflict
from scheduler.storage.audit import record_audit
from scheduler.storage.database import writing
from scheduler.storage.models import StoredToken, TokenLock
from scheduler.storage.writes import read_connection, write_transaction


@dataclass(frozen=True)
class SealedToken:
    """One stored token as the database holds it: ``ciphertext`` is sealed;
    ``expires_at`` and ``written_at`` are aware UTC (``expires_at`` None: the
    platform gave no expiry); ``written_by`` names the daemon or command."""

    account_label: str
    kind: str
    ciphertext: str
    expires_at: datetime | None
    written_by: str
    written_at: datetime


@dataclass(frozen=True)
class Lease:
    """The lock on one account's tokens, held by ``holder`` until ``expires_at``
    (aware UTC); ``version`` is the version of the tokens read under it."""

    account_label: str
    holder: str
    expires_at: datetime
    version: int


@dataclass(frozen=True)
class LockState:
    """Who holds an account's lock (``holder`` None: nobody) and until when."""

    holder: str | None
    lease_expires_at: datetime | None
    version: int

    def free_at(self, now: datetime) -> bool:
        """True when nobody holds the lock at ``now`` (or the holder's lease ran out)."""
        return self.holder is None or self.lease_expires_at is None or self.lease_expires_at <= now


_TOKEN_COLUMNS = (
    StoredToken.account_label,
    StoredToken.kind,
    StoredToken.ciphertext,
    StoredToken.expires_at,
    StoredToken.written_by,
    StoredToken.written_at,
)


def _sealed(connection: Connection, account_label: str | None = None) -> list[SealedToken]:
    query = select(*_TOKEN_COLUMNS).order_by(StoredToken.account_label, StoredToken.kind)
    if account_label is not None:
        query = query.where(StoredToken.account_label == account_label)
    return [SealedToken(*row) for row in connection.execute(query)]


def _lock_state(connection: Connection, account_label: str) -> LockState | None:
    row = connection.execute(
        select(TokenLock.holder, TokenLock.lease_expires_at, TokenLock.version).where(
            TokenLock.account_label == account_label
        )
    ).one_or_none()
    return None if row is None else LockState(*row)


def lock_state(sessions: sessionmaker[Session], account_label: str) -> LockState | None:
    """The lock on ``account_label``'s tokens, or None when it never had any.

    A read only: the cheap way to wait for a busy lock.

    :raises StorageError: when the database cannot be read.
    """
    with read_connection(sessions) as connection:
        return _lock_state(connection, account_label)


def try_lock(
    sessions: sessionmaker[Session],
    account_label: str,
    holder: str,
    now: datetime,
    lease_until: datetime,
) -> tuple[Lease, list[SealedToken]] | LockState:
    """Take the lock on ``account_label``'s tokens for ``holder`` until ``lease_until``
    and read them, in one transaction.

    Returns the lease and the account's tokens (by kind, in order) when the lock
    was free at ``now`` (aware UTC) or its lease had run out; otherwise the
    state of the lock, and nothing changes.

    :raises StorageError: when the database refuses.
    """
    with write_transaction(sessions) as connection:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        connection.execute(
            dialect.insert(TokenLock)
            .values(account_label=account_label, version=0, updated_at=now)
            .on_conflict_do_nothing()
        )
        won = connection.execute(
            update(TokenLock)
            .where(
                TokenLock.account_label == account_label,
                or_(
                    TokenLock.holder.is_(None),
                    TokenLock.lease_expires_at.is_(None),
                    TokenLock.lease_expires_at <= now,
                ),
            )
            .values(holder=holder, lease_expires_at=lease_until, updated_at=now)
        ).rowcount
        state = _lock_state(connection, account_label)
        assert state is not None  # inserted above
        if not won:
            return state
        lease = Lease(account_label, holder, lease_until, state.version)
        return lease, _sealed(connection, account_label)


def _releasing(lease: Lease) -> dict[str, object]:
    """SET values that free the lock only while ``lease`` still holds it."""
    mine = and_(TokenLock.holder == lease.holder, TokenLock.lease_expires_at == lease.expires_at)
    return {
        "holder": case((mine, null()), else_=TokenLock.holder),
        "lease_expires_at": case((mine, null()), else_=TokenLock.lease_expires_at),
    }


def commit_changes(
    sessions: sessionmaker[Session],
    lease: Lease,
    changes: Mapping[str, SealedToken | None],
    now: datetime,
) -> int:
    """Store ``changes`` (kind -> new sealed token, or None to delete that kind) and
    free the lock, in one transaction, if the tokens are still at the version read
    under ``lease``. Returns the new version.

    :raises TokenConflict: when another write came first (nothing is written).
    :raises StorageError: when the database refuses.
    """
    account = lease.account_label
    with write_transaction(sessions) as connection:
        won = connection.execute(
            update(TokenLock)
            .where(TokenLock.account_label == account, TokenLock.version == lease.version)
            .values(version=TokenLock.version + 1, updated_at=now, **_releasing(lease))
        ).rowcount
        if not won:
            state = _lock_state(connection, account)
            raise TokenConflict(account, lease.version, state.version if state else None)
        for kind, token in changes.items():
            connection.execute(
                delete(StoredToken).where(
                    StoredToken.account_label == account, StoredToken.kind == kind
                )
            )
            if token is not None:
                connection.execute(
                    insert(StoredToken).values(
                        account_label=account,
                        kind=kind,
                        ciphertext=token.ciphertext,
                        expires_at=token.expires_at,
                        written_by=token.written_by,
                        written_at=token.written_at,
                    )
                )
    return lease.version + 1


def release(sessions: sessionmaker[Session], lease: Lease, now: datetime) -> None:
    """Free the lock without changing the tokens, unless another holder took it
    over after ``lease`` ran out.

    :raises StorageError: when the database refuses.
    """
    with write_transaction(sessions) as connection:
        connection.execute(
            update(TokenLock)
            .where(TokenLock.account_label == lease.account_label)
            .values(**_releasing(lease))
        )


def read_tokens(
    sessions: sessionmaker[Session], account_label: str
) -> tuple[int, list[SealedToken]]:
    """(version, tokens) of ``account_label`` as last committed, without the lock;
    version 0 and no tokens when none was ever stored.

    :raises StorageError: when the database cannot be read.
    """
    with read_connection(sessions) as connection:
        state = _lock_state(connection, account_label)
        return (state.version if state else 0), _sealed(connection, account_label)


def another_token(sessions: sessionmaker[Session], account_label: str) -> SealedToken | None:
    """One stored token of an account other than ``account_label``, or None: what
    tells whether a key is this database's before a first token is stored.

    :raises StorageError: when the database cannot be read.
    """
    with read_connection(sessions) as connection:
        row = connection.execute(
            select(*_TOKEN_COLUMNS).where(StoredToken.account_label != account_label).limit(1)
        ).one_or_none()
    return None if row is None else SealedToken(*row)


def all_tokens(sessions: sessionmaker[Session]) -> list[SealedToken]:
    """Every stored token, by account label then kind.

    :raises StorageError: when the database cannot be read.
    """
    with read_connection(sessions) as connection:
        return _sealed(connection)


def forget_tokens(
    sessions: sessionmaker[Session],
    account_label: str,
    kinds: Sequence[str],
    *,
    actor: str,
    reason: str,
    now: datetime,
) -> list[str]:
    """Delete ``account_label``'s tokens of ``kinds`` (empty: every kind), needing
    no key, and record it in the audit trail. Returns the kinds deleted, in order.

    The version goes up, so a process renewing them at this moment stores nothing.

    :raises StorageError: when the database refuses.
    """
    with writing(sessions) as session:
        query = select(StoredToken.kind).where(StoredToken.account_label == account_label)
        if kinds:
            query = query.where(StoredToken.kind.in_(kinds))
        found = sorted(session.scalars(query))
        if not found:
            return []
        session.execute(
            delete(StoredToken).where(
                StoredToken.account_label == account_label, StoredToken.kind.in_(found)
            )
        )
        session.execute(
            update(TokenLock)
            .where(TokenLock.account_label == account_label)
            .values(version=TokenLock.version + 1, updated_at=now)
        )
        detail = "deleted the stored " + ", ".join(found) + " token(s)"
        record_audit(
            session, "forget-tokens", f"account:{account_label}", reason, actor, now, detail
        )
    return found
