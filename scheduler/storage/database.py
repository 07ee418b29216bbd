"""Engines, sessions and the schema's version, tuned for two writers at once.

SQLite: WAL journal (readers never block the writer), a busy timeout so a
second writer waits instead of failing, and transactions that SQLAlchemy
begins itself. Every transaction starts with ``BEGIN IMMEDIATE`` (it takes the
write lock up front, so a read-then-write transaction can never fail half way
with "database is locked" or act on a stale read) unless the session was made
with :data:`READ_ONLY`, which begins a plain deferred transaction.

PostgreSQL: psycopg 3 at READ COMMITTED; the queries that need row locks take
them (``SELECT ... FOR UPDATE``).

The schema is versioned by Alembic. The migrations live in ``alembic/`` at the
top of the repository; building the package maps that folder to
``scheduler/storage/migrations`` (see pyproject.toml), so an installed
``campaign`` migrates itself (:func:`migrations_dir`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from scheduler.errors import SchemaError, StorageError
from scheduler.storage.refusals import refusal

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Where the migrations are: inside the package in a wheel; in the checkout's
# alembic/ for an editable install (the build never copies them in place).
PACKAGED_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
CHECKOUT_MIGRATIONS = Path(__file__).resolve().parents[2] / "alembic"

# Execution option for sessions that only read: on SQLite they begin a deferred
# transaction and do not take the write lock. Use as
# ``sessions(execution_options=READ_ONLY)``.
READ_ONLY: dict[str, Any] = {"campaign_read_only": True}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy emits BEGIN itself (see _sqlite_begin); the driver's legacy
    # mode would otherwise run SELECTs outside any transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL + NORMAL is durable across a process kill (SIGKILL); only an OS crash
    # can lose the last transactions.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    if connection.get_execution_options().get("campaign_read_only"):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def normalise_url(url: str) -> str:
    """``postgresql://`` becomes ``postgresql+psycopg://`` (psycopg 3); others unchanged."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def make_engine(url: str, **options: Any) -> Engine:
    """An Engine for ``url`` with the transaction rules above on SQLite.

    :raises StorageError: when the URL cannot be understood or its driver is missing.
    """
    try:
        engine = create_engine(normalise_url(url), **options)
    except (SQLAlchemyError, ImportError, ValueError) as error:
        raise StorageError(f"cannot use the database URL {url!r}: {error}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit (they are read after the commit)."""
    return sessionmaker(engine, expire_on_commit=False)


def describe_url(engine: Engine) -> str:
    """The engine's URL with any password hidden, for messages."""
    return engine.url.render_as_string(hide_password=True)


@functools.cache
def migrations_dir() -> Path:
    """The folder of the Alembic migrations (``env.py``, ``versions/``): the copy
    inside an installed package, else the ``alembic/`` folder of the checkout the
    package runs from.

    :raises StorageError: when neither holds them (a broken installation).
    """
    for candidate in (PACKAGED_MIGRATIONS, CHECKOUT_MIGRATIONS):
        if (candidate / "env.py").is_file() and (candidate / "versions").is_dir():
            return candidate
    raise StorageError(
        f"the database migrations are missing: neither {PACKAGED_MIGRATIONS} nor "
        f"{CHECKOUT_MIGRATIONS} holds them; reinstall campaign-scheduler"
    )


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the program's migrations, run through ``connection``.

    :raises StorageError: when the migrations are missing (:func:`migrations_dir`).
    """
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["connection"] = connection
    return config


@functools.cache
def head_revision() -> str:
    """The schema revision this program's models correspond to (Alembic head)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships a migration
        raise StorageError("the package ships no database migration")
    return head


@functools.cache
def _known_revisions() -> frozenset[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return frozenset(revision.revision for revision in script.walk_revisions())


def sqlite_file(engine: Engine) -> Path | None:
    """The file of a SQLite database; None for another engine or one in memory."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:") or engine.url.query.get("mode") == "memory":
        return None
    return Path(database)


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision, or None when it was never migrated (or,
    for SQLite, its file does not exist: connecting would create it empty).

    :raises StorageError: when the database cannot be reached.
    """
    path = sqlite_file(engine)
    if path is not None and not path.exists():
        return None
    try:
        with engine.connect().execution_options(**READ_ONLY) as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as error:
        raise refusal(error, "read the schema revision", describe_url(engine)) from None


def check_schema(engine: Engine) -> None:
    """Refuse a database this program cannot use as is.

    :raises SchemaError: when the database has no schema, an older one, or one
        newer than this program (the message names ``campaign db upgrade``).
    :raises StorageError: when the database cannot be reached.
    """
    found = current_revision(engine)
    expected = head_revision()
    if found != expected:
        raise SchemaError(found, expected, describe_url(engine))


def _migrate(url: str, revision: str, *, up: bool) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(connection)
            if up:
                command.upgrade(config, revision)
            else:
                command.downgrade(config, revision)
    except SQLAlchemyError as error:
        raise StorageError(f"migrating {describe_url(engine)} failed: {error}") from None
    finally:
        engine.dispose()


def upgrade_database(url: str, revision: str = "head") -> None:
    """Create or upgrade the schema at ``url`` to ``revision`` (default: this program's).

    Safe to run again: an up-to-date database is left as is.

    :raises SchemaError: when the database is newer than this program.
    :raises StorageError: when the database cannot be reached or migrated.
    """
    engine = make_engine(url)
    try:
        path = sqlite_file(engine)
        if path is not None and not path.parent.is_dir():
            raise StorageError(
                f"cannot create the database {path}: the folder {path.parent} does not "
                "exist; create it, or give another --database-url"
            )
        found = current_revision(engine)
    finally:
        engine.dispose()
    if found is not None and found not in _known_revisions():
        raise SchemaError(found, head_revision(), describe_url(engine))
    _migrate(url, revision, up=True)


def downgrade_database(url: str, revision: str = "base") -> None:
    """Take the schema at ``url`` back to ``revision`` (``base``: drop every table).

    :raises StorageError: when the database cannot be reached or migrated.
    """
    _migrate(url, revision, up=False)


def open_database(url: str, *, check: bool = True) -> tuple[Engine, sessionmaker[Session]]:
    """An engine and session factory for ``url``, after checking the schema.

    The caller disposes of the engine (``engine.dispose()``) when done.

    :raises SchemaError: when ``check`` and the schema is missing, older or newer.
    :raises StorageError: when the database cannot be reached.
    """
    engine = make_engine(url)
    if check:
        try:
            check_schema(engine)
        except StorageError:
            engine.dispose()
            raise
    return engine, make_session_factory(engine)


@contextmanager
def reading(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session for reads only (no write lock on SQLite); closed afterwards."""
    with sessions(execution_options=READ_ONLY) as session:
        yield session


@contextmanager
def writing(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session in one transaction, committed at the end, rolled back on error.

    SQLAlchemy errors become :class:`StorageError` (no SQLAlchemy exception
    leaves the storage layer).
    """
    try:
        with sessions.begin() as session:
            yield session
    except SQLAlchemyError as error:
        raise refusal(error, "save the change") from None
