"""Short write transactions for the daemon's hot path, on SQLAlchemy Core.

Each publication costs the daemon three small transactions (claim, "create
sending", result), so they skip the ORM session and run on a plain
connection. On SQLite, which has one writer at a time, the daemon's threads
also take turns on a lock in this process before ``BEGIN IMMEDIATE``: a
thread waiting on a lock wakes the moment it is free, where one waiting in
SQLite's busy handler sleeps in steps of up to 100 ms (a crowd of posts due
at the same instant would otherwise go out hundreds of milliseconds late).
Other processes still wait through the busy timeout. PostgreSQL needs no such
lock: its row locks let claims for different accounts run side by side.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from scheduler.errors import StorageError
from scheduler.storage.database import READ_ONLY
from scheduler.storage.refusals import refusal

_LOCKS: WeakKeyDictionary[Engine, threading.Lock] = WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()


def engine_of(sessions: sessionmaker[Session]) -> Engine:
    """The engine a session factory is bound to.

    :raises StorageError: when it is bound to none (a programming error).
    """
    bind = sessions.kw.get("bind")
    if not isinstance(bind, Engine):
        raise StorageError("the session factory is not bound to an engine")
    return bind


def _lock(engine: Engine) -> contextlib.AbstractContextManager[object]:
    if engine.dialect.name != "sqlite":
        return contextlib.nullcontext()
    with _LOCKS_GUARD:
        lock = _LOCKS.get(engine)
        if lock is None:
            lock = _LOCKS[engine] = threading.Lock()
    return lock


@contextmanager
def write_transaction(sessions: sessionmaker[Session]) -> Iterator[Connection]:
    """A connection in one transaction (``BEGIN IMMEDIATE`` on SQLite), committed at
    the end and rolled back on error.

    :raises StorageError: when the database refuses (no SQLAlchemy error escapes).
    """
    engine = engine_of(sessions)
    with _lock(engine):
        try:
            with engine.begin() as connection:
                yield connection
        except SQLAlchemyError as error:
            raise refusal(error, "save the change") from None


@contextmanager
def read_connection(sessions: sessionmaker[Session]) -> Iterator[Connection]:
    """A connection for reads only (no write lock on SQLite).

    :raises StorageError: when the database cannot be read.
    """
    engine = engine_of(sessions)
    try:
        with engine.connect().execution_options(**READ_ONLY) as connection:
            yield connection
    except SQLAlchemyError as error:
        raise refusal(error, "read the database") from None
