"""The daemon's own holds on an account, which it lifts by itself: while this
host's clock is too far off a platform's (the state ``clock skew``).

Such a hold is an ordinary ``holds`` row (so every daemon parks the account's
posts, and ``campaign status`` and the dashboard show it) whose ``actor`` names
the state. :func:`held_by` finds them, :func:`lift` removes one (with the
``account_resumed`` alert), :func:`miss_past` ends the posts that waited beyond
the late grace.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from scheduler.storage.models import QUEUED, Hold, Publication, PublicationState
from scheduler.storage.outbox import hold_event, publication_event, record_event
from scheduler.storage.writes import read_connection, write_transaction

_ACCOUNT = "account:"

# The actor of a hold the daemon places while this host's clock is too far off a
# platform's, the state of the account meanwhile, and how its reason begins.
CLOCK_SKEW = "clock skew"


def hold_state(reason: str) -> str:
    """``clock skew`` for the daemon's clock-skew hold (its reason begins so),
    else ``paused``."""
    return CLOCK_SKEW if reason.startswith(CLOCK_SKEW) else "paused"


def held_by(sessions: sessionmaker[Session], actor: str) -> dict[str, datetime]:
    """Account label -> since when (aware UTC) it is held by ``actor``.

    :raises StorageError: when the database cannot be read.
    """
    with read_connection(sessions) as connection:
        rows = connection.execute(select(Hold.scope, Hold.since).where(Hold.actor == actor)).all()
    return {
        scope.removeprefix(_ACCOUNT): since for scope, since in rows if scope.startswith(_ACCOUNT)
    }


def lift(sessions: sessionmaker[Session], label: str, actor: str, now: datetime, why: str) -> bool:
    """Remove ``actor``'s hold on account ``label``, recording the
    ``account_resumed`` alert; False when no such hold is there (a person
    resumed it, or another daemon lifted it first).

    :raises StorageError: when the database refuses.
    """
    scope = f"{_ACCOUNT}{label}"
    with write_transaction(sessions) as connection:
        since = connection.scalar(
            delete(Hold).where(Hold.scope == scope, Hold.actor == actor).returning(Hold.since)
        )
        if since is None:
            return False
        record_event(connection, hold_event("resumed", scope, since, now, why, actor))
        return True


def miss_past(
    sessions: sessionmaker[Session], label: str, before: datetime, reason: str, now: datetime
) -> list[int]:
    """Mark missed, with ``reason``, every queued publication of ``label`` due
    before ``before`` (aware UTC), each with its ``missed`` alert; returns their ids.

    :raises StorageError: when the database refuses.
    """
    with write_transaction(sessions) as connection:
        rows = connection.execute(
            update(Publication)
            .where(
                Publication.account_label == label,
                Publication.state.in_(QUEUED),
                Publication.scheduled_at < before,
            )
            .values(state=PublicationState.MISSED, last_error=reason, updated_at=now)
            .returning(
                Publication.id, Publication.post_id, Publication.platform, Publication.scheduled_at
            )
        ).all()
        for publication_id, post_id, platform, scheduled_at in rows:
            event = publication_event(
                "missed",
                f"missed:{publication_id}:{scheduled_at.isoformat()}",
                now,
                publication_id=publication_id,
                post_id=post_id,
                account=label,
                platform=platform,
                scheduled_at=scheduled_at,
                reason=reason,
            )
            record_event(connection, event)
    return [row[0] for row in rows]
