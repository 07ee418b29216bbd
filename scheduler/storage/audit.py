"""The audit trail: who did what to the queue, when (UTC) and why."""

from __future__ import annotations

import getpass
from datetime import datetime

from sqlalchemy.orm import Session

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
