"""The database saying no, in words a person can act on.

Every SQLAlchemy error leaving the storage layer goes through :func:`refusal`,
which tells apart the two refusals a running campaign meets and a person can
fix or wait out, from the rest:

- **lock contention** (:class:`~scheduler.errors.DatabaseBusy`): SQLite's
  "database is locked" once the busy timeout has passed, PostgreSQL's lock
  timeout (SQLSTATE 55P03) or a deadlock (40P01);
- **a lost connection** (:class:`~scheduler.errors.DatabaseUnreachable`): the
  server refused or closed the connection (SQLSTATE class 08, an administrator
  shutdown 57P01-57P03, or a client-side failure with no SQLSTATE).

SQLSTATE codes: PostgreSQL documentation, appendix A "PostgreSQL Error Codes".
The driver's own words stay in the log, never in the message.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from scheduler.errors import DatabaseBusy, DatabaseUnreachable, StorageError

logger = logging.getLogger(__name__)

# SQLite's messages for a write lock held past the busy timeout (sqlite3 module:
# SQLITE_BUSY is "database is locked", SQLITE_LOCKED "database table is locked").
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")
_POSTGRES_BUSY = {"55P03", "40P01"}
_POSTGRES_GONE_CLASSES = ("08", "57P0")


def driver_words(error: SQLAlchemyError) -> str:
    """The driver's own message, without SQLAlchemy's statement dump and link."""
    original = getattr(error, "orig", None)
    return str(original if original is not None else error).strip()


def _kind(error: SQLAlchemyError) -> str:
    original = getattr(error, "orig", None)
    words = driver_words(error).lower()
    state = getattr(original, "sqlstate", None)
    if any(text in words for text in _SQLITE_BUSY) or state in _POSTGRES_BUSY:
        return "busy"
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return "gone"
    if isinstance(state, str) and state.startswith(_POSTGRES_GONE_CLASSES):
        return "gone"
    if type(original).__module__.startswith("psycopg") and state is None:
        # psycopg raises OperationalError without a SQLSTATE when the socket
        # fails: refused, reset, or the server went away mid-query.
        return "gone" if type(original).__name__ == "OperationalError" else "other"
    return "other"


_BUSY = (
    "{where} is busy, another program (a daemon, `campaign sync`, the dashboard, a "
    "backup) held its write lock longer than this one waits. Nothing was changed; try "
    "again in a moment. If it keeps happening, look for a stuck program holding the "
    "database open"
)
_GONE = (
    "lost the connection to {where} (the server is restarting or stopped, or the "
    "network to it is down). Nothing was changed; check that the database server runs "
    "and is reachable (for PostgreSQL: `pg_isready`), then try again. A running daemon "
    "records what it published as soon as the database answers"
)


def busy(doing: str, where: str = "the database") -> DatabaseBusy:
    """Lock contention while ``doing`` on ``where``, in words a person can act on."""
    return DatabaseBusy(f"could not {doing}: " + _BUSY.format(where=where))


def unreachable(doing: str, where: str = "the database") -> DatabaseUnreachable:
    """A lost connection while ``doing`` on ``where``, in words a person can act on."""
    return DatabaseUnreachable(f"could not {doing}: " + _GONE.format(where=where))


def refusal(error: SQLAlchemyError, doing: str, where: str = "the database") -> StorageError:
    """The :class:`StorageError` to raise for ``error``, met while ``doing``
    (``"record the result"``) on ``where`` (a URL with the password hidden, or
    "the database"): :class:`DatabaseBusy`, :class:`DatabaseUnreachable`, or a
    plain :class:`StorageError` carrying the driver's words for anything else."""
    kind = _kind(error)
    logger.debug("the database refused to %s: %s", doing, driver_words(error))
    if kind == "busy":
        return busy(doing, where)
    if kind == "gone":
        return unreachable(doing, where)
    return StorageError(f"could not {doing}: {driver_words(error)}")
