"""Dashboard sign-ins, kept in the database so that they can be ended.

The browser's cookie carries only a random session id (256 bits); this table
holds what it stands for: who signed in, with which operator token, until
when. Signing out ends the row, and so does a change of operator token (see
:func:`end_sessions_of_other_tokens`): a copied cookie is worth nothing once
its session has ended. Only the id's SHA-256 is stored.

Times are aware UTC and come from the caller (the dashboard passes the wall
clock, never a rehearsal's campaign clock).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, or_, update
from sqlalchemy.orm import Session, sessionmaker

from scheduler.storage.database import reading, writing
from scheduler.storage.models import DashboardSession

SESSION_ID_BYTES = 32
# Ended and expired rows are kept this long (who signed in when), then deleted.
KEEP_ENDED = timedelta(days=30)
ID_MAX_CHARS = 100  # a real id is 43 characters; anything much longer is not one


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "replace")).hexdigest()


def open_session(
    sessions: sessionmaker[Session],
    *,
    operator: str,
    token_fingerprint: str,
    client: str,
    now: datetime,
    lifetime: timedelta,
) -> str:
    """Record a sign-in by ``operator`` from ``client`` lasting ``lifetime``; returns
    the new session id for the cookie (URL-safe text).

    :raises StorageError: the database refused the row.
    """
    session_id = secrets.token_urlsafe(SESSION_ID_BYTES)
    with writing(sessions) as session:
        session.add(
            DashboardSession(
                id_hash=_hash(session_id),
                operator=operator[:200],
                token_fingerprint=token_fingerprint,
                client=client[:100],
                created_at=now,
                expires_at=now + lifetime,
            )
        )
    return session_id


def signed_in_operator(
    sessions: sessionmaker[Session], session_id: str, token_fingerprint: str, now: datetime
) -> str | None:
    """Who the session ``session_id`` is signed in as, or None when it is unknown,
    ended, expired, or was opened with another operator token."""
    if not session_id or len(session_id) > ID_MAX_CHARS:
        return None
    with reading(sessions) as session:
        row = session.get(DashboardSession, _hash(session_id))
        if (
            row is None
            or row.ended_at is not None
            or row.expires_at <= now
            or not secrets.compare_digest(row.token_fingerprint, token_fingerprint)
        ):
            return None
        return row.operator


def end_session(
    sessions: sessionmaker[Session], session_id: str, now: datetime, reason: str = "signed out"
) -> bool:
    """End the session ``session_id``; False when there was no open one.

    :raises StorageError: the database refused the change.
    """
    if not session_id or len(session_id) > ID_MAX_CHARS:
        return False
    with writing(sessions) as session:
        result = session.execute(
            update(DashboardSession)
            .where(
                DashboardSession.id_hash == _hash(session_id), DashboardSession.ended_at.is_(None)
            )
            .values(ended_at=now, end_reason=reason)
        )
    return bool(getattr(result, "rowcount", 0))


def end_sessions_of_other_tokens(
    sessions: sessionmaker[Session], token_fingerprint: str | None, now: datetime
) -> int:
    """End every open session opened with another operator token than the one
    ``token_fingerprint`` names (None: no token, so every open session), and delete
    rows that ended or expired more than :data:`KEEP_ENDED` ago. Returns how many
    sessions were ended.

    :raises StorageError: the database refused the change.
    """
    with writing(sessions) as session:
        other: ColumnElement[bool] = DashboardSession.ended_at.is_(None)
        if token_fingerprint is not None:
            other = other & (DashboardSession.token_fingerprint != token_fingerprint)
        result = session.execute(
            update(DashboardSession)
            .where(other)
            .values(ended_at=now, end_reason="the operator token changed")
        )
        cutoff = now - KEEP_ENDED
        session.execute(
            delete(DashboardSession).where(
                or_(DashboardSession.ended_at < cutoff, DashboardSession.expires_at < cutoff)
            )
        )
    return int(getattr(result, "rowcount", 0) or 0)
