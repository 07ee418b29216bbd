"""Pauses: a campaign-wide hold or one account's, in the ``holds`` table.

Every daemon reads the holds before it claims a publication; a pause never
changes a publication's state, so queued work stays queued.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.errors import ConfigError, InvalidTransition
from scheduler.storage.audit import current_actor, record_audit
from scheduler.storage.database import writing
from scheduler.storage.models import Hold
from scheduler.storage.outbox import hold_event, record_event

CAMPAIGN_SCOPE = "campaign"


def account_scope(account: str | None) -> str:
    """The ``holds.scope`` of a pause: ``campaign`` or ``account:<label>``."""
    return f"account:{account}" if account else CAMPAIGN_SCOPE


def pause(
    sessions: sessionmaker[Session],
    *,
    reason: str,
    now: datetime,
    account: str | None = None,
    actor: str | None = None,
) -> Hold:
    """Hold the whole campaign (or one account) until :func:`resume`.

    Pausing again replaces the reason. Every daemon checks the ``holds`` table
    before it claims a publication. The ``campaign_paused`` or
    ``account_paused`` alert is recorded with it (once per pause).

    :raises ConfigError: an empty reason.
    """
    if not reason.strip():
        raise ConfigError("`campaign pause` needs a reason", where="--reason")
    scope = account_scope(account)
    who = actor or current_actor()
    with writing(sessions) as session:
        hold = session.get(Hold, scope)
        if hold is None:
            hold = Hold(scope=scope, reason=reason, actor=who, since=now, until=None)
            session.add(hold)
        else:
            hold.reason, hold.actor = reason, who
        record_audit(session, "pause", scope, reason, who, now, None)
        session.flush()
        record_event(
            session.connection(), hold_event("paused", scope, hold.since, now, reason, who)
        )
    return hold


def resume(
    sessions: sessionmaker[Session],
    *,
    now: datetime,
    account: str | None = None,
    reason: str = "",
    actor: str | None = None,
) -> Hold:
    """Lift the pause of the campaign (or one account); returns the hold removed.
    The ``campaign_resumed`` or ``account_resumed`` alert is recorded with it.

    :raises InvalidTransition: that scope is not paused.
    """
    scope = account_scope(account)
    who = actor or current_actor()
    with writing(sessions) as session:
        hold = session.get(Hold, scope)
        if hold is None:
            paused = "the campaign" if account is None else f"account {account}"
            raise InvalidTransition(
                paused, "not paused", "resumed", hint="`campaign status` shows what is paused"
            )
        session.delete(hold)
        record_audit(
            session,
            "resume",
            scope,
            reason or "resumed",
            who,
            now,
            f"paused since {hold.since.isoformat()}",
        )
        event = hold_event("resumed", scope, hold.since, now, reason or "resumed", who)
        record_event(session.connection(), event)
    return hold


def active_holds(session: Session, now: datetime) -> list[Hold]:
    """Pauses in force at ``now`` (aware UTC), campaign-wide first."""
    holds = session.scalars(select(Hold).order_by(Hold.scope != CAMPAIGN_SCOPE, Hold.scope))
    return [hold for hold in holds if hold.until is None or hold.until > now]


def hold_for(session: Session, account: str, now: datetime) -> Hold | None:
    """The pause that stops ``account`` at ``now`` (campaign-wide first), or None."""
    for hold in active_holds(session, now):
        if hold.scope in (CAMPAIGN_SCOPE, account_scope(account)):
            return hold
    return None
