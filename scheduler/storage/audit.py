"""The audit trail: who did what to the queue and to the stored tokens, when
(UTC) and why."""

from __future__ import annotations

import getpass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from scheduler.storage.database import writing
from scheduler.storage.models import AuditEntry


def current_actor() -> str:
    """Who is acting: the operating system's user name, or ``unknown``."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def record_audit(
    session: Session,
    action: str,
    target: str,
    reason: str,
    actor: str,
    now: datetime,
    detail: str | None,
) -> None:
    """Add one :class:`AuditEntry` to ``session`` (committed with the change it records)."""
    session.add(
        AuditEntry(at=now, actor=actor, action=action, target=target, reason=reason, detail=detail)
    )


def record_token_audit(
    sessions: sessionmaker[Session],
    action: str,
    account_label: str,
    *,
    actor: str,
    reason: str,
    detail: str,
    now: datetime,
) -> None:
    """Record an operator action on ``account_label``'s stored tokens in the audit
    trail (target ``account:<label>``).

    :raises StorageError: when the database refuses.
    """
    with writing(sessions) as session:
        record_audit(session, action, f"account:{account_label}", reason, actor, now, detail)
