"""What happens to a claimed publication after the claim, each move in one short
transaction conditional on the worker still holding the claim.

:func:`mark_create_sending` records, before the create call, that a post may
exist from then on (so a crash is reconciled, never retried blindly);
:func:`settle` records how the attempt ended. A worker whose lease was taken
over changes nothing: the new holder reconciles instead.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Update, and_, bindparam, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from scheduler.errors import PublishError
from scheduler.storage.attempts import Claim
from scheduler.storage.models import AccountState, Attempt, Hold, Publication, PublicationState
from scheduler.storage.outbox import NewEvent, record_event
from scheduler.storage.writes import write_transaction


@dataclass(frozen=True)
class Settlement:
    """How an attempt ended and what the publication becomes.

    ``state`` is the publication's new state and ``outcome`` the attempt's
    (``published``, ``reconciled`` or a PublishError outcome). With ``reconcile_at``
    the publication stays ``publishing`` with ``needs_reconcile`` and a lease
    ending then: a create may have been applied and the lookup must be tried again.
    ``posted`` False gives the account's spacing slot back. ``rate_limited_until``
    makes every publication of the account wait; ``hold_reason`` pauses the account.
    ``events`` are alerts recorded with the settlement, in its transaction;
    ``hold_event`` only when this settlement's pause is the one that stands.
    ``hold_actor`` names who holds the account (default: the worker); the
    daemon's own holds that lift by themselves name themselves (``clock skew``).
    ``cost_usd`` is what the platform is estimated to bill for the attempt (US
    dollars; None: not estimated).
    """

    state: PublicationState
    outcome: str
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    http_status: int | None = None
    platform_code: str | None = None
    platform_message: str | None = None
    platform_post_id: str | None = None
    platform_url: str | None = None
    reconcile_at: datetime | None = None
    posted: bool = False
    rate_limited_until: datetime | None = None
    rate_limit_reason: str | None = None
    hold_reason: str | None = None
    events: tuple[NewEvent, ...] = ()
    hold_event: NewEvent | None = None
    hold_actor: str | None = None
    cost_usd: float | None = None

    def citing(self, error: PublishError | None, message: str | None = None) -> Settlement:
        """This settlement carrying ``error``'s HTTP status, platform code and message
        (or just ``message`` when there is no error), for the attempt's history."""
        if error is None:
            return dataclasses.replace(self, platform_message=message)
        return dataclasses.replace(
            self,
            http_status=error.http_status,
            platform_code=error.platform_code,
            platform_message=error.platform_message,
        )


# Statements built once per shape (building costs more than running them):
# parameters ``:pid`` and ``:worker`` name the claim, ``:v_<column>`` the values.
_HOLDING = and_(
    Publication.id == bindparam("pid"),
    Publication.state == PublicationState.PUBLISHING,
    Publication.claimed_by == bindparam("worker"),
)
_CLOSE_ATTEMPT = (
    update(Attempt)
    .where(Attempt.id == bindparam("attempt"))
    .values(
        ended_at=bindparam("v_ended_at"),
        outcome=bindparam("v_outcome"),
        http_status=bindparam("v_http_status"),
        platform_code=bindparam("v_platform_code"),
        platform_message=bindparam("v_platform_message"),
        cost_usd=bindparam("v_cost_usd"),
    )
)


@functools.lru_cache(maxsize=64)
def _held_update(columns: tuple[str, ...]) -> Update:
    return (
        update(Publication)
        .where(_HOLDING)
        .values({column: bindparam(f"v_{column}") for column in columns})
    )


def _update_where_held(connection: Connection, claim: Claim, values: dict[str, object]) -> bool:
    parameters = {f"v_{column}": value for column, value in values.items()}
    parameters.update(pid=claim.publication_id, worker=claim.worker_id)
    result = connection.execute(_held_update(tuple(sorted(values))), parameters)
    return bool(result.rowcount)


def _update_held(sessions: sessionmaker[Session], claim: Claim, values: dict[str, object]) -> bool:
    with write_transaction(sessions) as connection:
        return _update_where_held(connection, claim, values)


def mark_create_sending(
    sessions: sessionmaker[Session], claim: Claim, now: datetime, lease_until: datetime
) -> bool:
    """Record, before the create call, that a post may exist from now on.

    Renews the lease. Returns False when this worker no longer holds the claim:
    then it must not call create.

    :raises StorageError: when the database refuses.
    """
    values = {"needs_reconcile": True, "lease_expires_at": lease_until, "updated_at": now}
    return _update_held(sessions, claim, values)


def renew_lease(
    sessions: sessionmaker[Session], claim: Claim, now: datetime, lease_until: datetime
) -> bool:
    """Extend the claim's lease; False when this worker no longer holds it.

    :raises StorageError: when the database refuses.
    """
    return _update_held(sessions, claim, {"lease_expires_at": lease_until, "updated_at": now})


def settle(
    sessions: sessionmaker[Session], claim: Claim, now: datetime, settlement: Settlement
) -> bool:
    """Close the attempt and move the publication as ``settlement`` says.

    Returns False (and changes nothing) when this worker no longer holds the
    claim: whoever took it over reconciles instead.

    :raises StorageError: when the database refuses.
    """
    values: dict[str, object] = {
        "state": settlement.state,
        "updated_at": now,
        "last_error": settlement.last_error,
    }
    if settlement.state == PublicationState.PUBLISHED:
        values.update(
            platform_post_id=settlement.platform_post_id,
            platform_url=settlement.platform_url,
            published_at=now,
            published_hash=claim.content_hash,
            needs_reconcile=False,
        )
    if settlement.reconcile_at is not None:
        # Held by nobody until then; whoever takes it over looks for the post first.
        values.update(
            needs_reconcile=True, lease_expires_at=settlement.reconcile_at, claimed_by=None
        )
    else:
        values.update(claimed_by=None, lease_expires_at=None)
        if settlement.state != PublicationState.PUBLISHED:
            values["needs_reconcile"] = False
    if settlement.next_attempt_at is not None:
        values["next_attempt_at"] = settlement.next_attempt_at
    with write_transaction(sessions) as connection:
        if not _update_where_held(connection, claim, values):
            return False
        _close_attempt(connection, claim, now, settlement, settlement.platform_message)
        _account_effects(connection, claim, now, settlement)
        for event in settlement.events:
            record_event(connection, event)
        return True


def _close_attempt(
    connection: Connection,
    claim: Claim,
    now: datetime,
    settlement: Settlement,
    platform_message: str | None,
) -> None:
    connection.execute(
        _CLOSE_ATTEMPT,
        {
            "attempt": claim.attempt_id,
            "v_ended_at": now,
            "v_outcome": settlement.outcome,
            "v_http_status": settlement.http_status,
            "v_platform_code": settlement.platform_code,
            "v_platform_message": platform_message,
            "v_cost_usd": settlement.cost_usd,
        },
    )


def _account_effects(
    connection: Connection, claim: Claim, now: datetime, settlement: Settlement
) -> None:
    label = claim.account_label
    if not settlement.posted and not claim.needs_reconcile:
        # Nothing went out: give the spacing slot back, unless a later claim took it.
        connection.execute(
            update(AccountState)
            .where(AccountState.label == label, AccountState.last_post_at == claim.claimed_at)
            .values(last_post_at=claim.previous_last_post_at)
        )
    if settlement.rate_limited_until is not None:
        connection.execute(
            update(AccountState)
            .where(
                AccountState.label == label,
                or_(
                    AccountState.rate_limited_until.is_(None),
                    AccountState.rate_limited_until < settlement.rate_limited_until,
                ),
            )
            .values(
                rate_limited_until=settlement.rate_limited_until,
                rate_limit_reason=settlement.rate_limit_reason,
                updated_at=now,
            )
        )
    if settlement.hold_reason is not None:
        hold = {
            "scope": f"account:{label}",
            "reason": settlement.hold_reason,
            "actor": settlement.hold_actor or claim.worker_id,
            "since": now,
            "until": None,
        }
        # Two workers of one account may fail at once: the first pause stands.
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        placed = connection.execute(dialect.insert(Hold).values(hold).on_conflict_do_nothing())
        if placed.rowcount and settlement.hold_event is not None:
            record_event(connection, settlement.hold_event)


def record_attempt_only(
    sessions: sessionmaker[Session], claim: Claim, now: datetime, settlement: Settlement
) -> None:
    """Write how this worker's attempt ended into its own attempt row, and nothing
    else: for a result recorded after the claim passed to another worker (the
    database refused it meanwhile), whose reconciliation decides the publication.

    :raises StorageError: when the database refuses.
    """
    note = settlement.platform_url or settlement.platform_message or settlement.last_error
    message = "recorded after another daemon took the claim over"
    with write_transaction(sessions) as connection:
        _close_attempt(
            connection, claim, now, settlement, f"{message}: {note}" if note else message
        )
