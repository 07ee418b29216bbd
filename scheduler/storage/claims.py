"""The claim: how a worker takes a due publication, in one short transaction.

The claim is the heart of exactly-once publishing. One transaction:

1. locks the publication's account row (``account_states``), so claims for one
   account never race each other on any engine (PostgreSQL row lock; SQLite's
   ``BEGIN IMMEDIATE`` write lock);
2. reads the facts the limits need (state, due time, holds, the account's last
   post, its rate-limit wait, today's count) and asks the caller's
   :class:`ClaimPolicy` for a verdict: go, defer, or missed;
3. on "go", makes **one conditional UPDATE** of the publication
   (``pending``/``retrying`` and due and not on hold -> ``publishing`` with the
   worker id, lease expiry, claimed revision and content hash); exactly one
   worker can win it, whatever the number of daemons;
4. opens an attempt row and reads the post's content at the claimed revision, so
   what is published is exactly the claimed version, even if ``campaign sync``
   edits the post a moment later.

The facts and verdict the limits work with are in
:mod:`scheduler.storage.claim_policy`, the statements in
:mod:`scheduler.storage.claim_statements`, opening the attempt in
:mod:`scheduler.storage.attempts`; the moves after the claim are in
:mod:`scheduler.storage.settlements`. Every statement here is SQLAlchemy Core
on one connection (:mod:`scheduler.storage.writes`): the claim is on every
publication's path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, update
from sqlalchemy.orm import Session, sessionmaker

from scheduler.errors import StorageError
from scheduler.storage import claim_statements as statements
from scheduler.storage.attempts import Claim, PostChanged, open_attempt
from scheduler.storage.claim_policy import ClaimFacts, ClaimPolicy, Verdict
from scheduler.storage.models import QUEUED, Publication, PublicationState
from scheduler.storage.outbox import publication_event, record_event
from scheduler.storage.writes import write_transaction

# A publication that gives way tries again this many times within the window: the
# older one's claim takes milliseconds, so a short step keeps the newer one close
# to its time (in a sped-up rehearsal a wall second is hours of campaign time).
YIELD_STEPS = 20


@dataclass(frozen=True)
class ClaimResult:
    """What a claim did: ``claimed`` (then ``claim`` is set), ``not_due`` (``due_at``
    says when), ``deferred`` (to ``due_at``), ``missed``, ``held`` (``reason`` names
    the hold), or ``gone`` (no longer queued: published, cancelled, taken)."""

    status: str
    claim: Claim | None = None
    due_at: datetime | None = None
    reason: str = ""


def _active_hold(connection: Connection, account_label: str, now: datetime) -> str | None:
    scopes = ["campaign", f"account:{account_label}"]
    rows = connection.execute(statements.HOLDS, {"scopes": scopes, "now": now}).all()
    if not rows:
        return None
    scope, reason = sorted(rows)[0]
    return f"{scope} paused: {reason}"


def claim(
    sessions: sessionmaker[Session],
    publication_id: int,
    *,
    worker_id: str,
    now: datetime,
    lease_until: datetime,
    policy: ClaimPolicy,
    due_slack: timedelta = timedelta(0),
    yield_window: timedelta = timedelta(0),
) -> ClaimResult:
    """Claim ``publication_id`` for ``worker_id`` if it is due, allowed and not held.

    ``due_slack`` accepts a due time that far after ``now`` (clock rounding).
    ``yield_window``: on an account with a minimum spacing, a publication gives
    the free slot to an older one of the account that became due within this
    long before ``now`` (its job is firing too), and tries again after a
    twentieth of it; so posts waiting for a slot go in time order, not in a race.

    :raises StorageError: when the database refuses; nothing is claimed then.
    """
    for _ in range(3):
        try:
            with write_transaction(sessions) as connection:
                return _claim_once(
                    connection,
                    publication_id,
                    worker_id,
                    now,
                    lease_until,
                    policy,
                    due_slack,
                    yield_window,
                )
        except PostChanged:
            continue
    raise StorageError(f"publication {publication_id}: its post kept changing during the claim")


def _claim_once(
    connection: Connection,
    publication_id: int,
    worker_id: str,
    now: datetime,
    lease_until: datetime,
    policy: ClaimPolicy,
    due_slack: timedelta,
    yield_window: timedelta,
) -> ClaimResult:
    # The first statement writes: from here SQLite holds its write lock and
    # PostgreSQL the account's row lock, until commit.
    account = connection.execute(
        statements.LOCK_ACCOUNT, {"pid": publication_id, "now": now}
    ).first()
    publication = connection.execute(statements.PUBLICATION, {"pid": publication_id}).first()
    if publication is None or publication.state not in QUEUED:
        return ClaimResult("gone")
    account_label = publication.account_label
    if account is None:
        return ClaimResult("held", reason=f"account {account_label} has no state row")
    hold = _active_hold(connection, account_label, now)
    if hold is not None:
        return ClaimResult("held", reason=hold, due_at=publication.next_attempt_at)
    if publication.next_attempt_at > now + due_slack:
        return ClaimResult("not_due", due_at=publication.next_attempt_at)
    verdict = Verdict.go()
    if not publication.needs_reconcile:
        start, end = policy.day_bounds(account_label, now)
        today = connection.scalar(
            statements.POSTS_TODAY, {"label": account_label, "start": start, "end": end}
        )
        facts = ClaimFacts(
            publication_id=publication_id,
            account_label=account_label,
            state=PublicationState(publication.state),
            scheduled_at=publication.scheduled_at,
            due_at=publication.next_attempt_at,
            now=now,
            last_post_at=account.last_post_at,
            rate_limited_until=account.rate_limited_until,
            rate_limit_reason=account.rate_limit_reason,
            published_today=int(today or 0),
            requeued_at=publication.requeued_at,
        )
        verdict = policy.decide(facts)
        if verdict.action == "go" and yield_window and policy.spacing(account_label):
            older = connection.scalar(
                statements.OLDER_DUE,
                {
                    "account": account_label,
                    "now": now,
                    "since": now - yield_window,
                    "pid": publication_id,
                    "scheduled": publication.scheduled_at,
                },
            )
            if older is not None:
                verdict = Verdict.defer(
                    now + yield_window / YIELD_STEPS,
                    f"publication {older} of {account_label}, due before it, takes the slot first",
                )
    if verdict.action == "missed":
        _set_queued(
            connection, publication_id, now, state=PublicationState.MISSED, error=verdict.reason
        )
        missed = publication_event(
            "missed",
            f"missed:{publication_id}:{publication.next_attempt_at.isoformat()}",
            now,
            publication_id=publication_id,
            post_id=publication.post_id,
            account=account_label,
            platform=publication.platform,
            scheduled_at=publication.scheduled_at,
            reason=verdict.reason,
        )
        record_event(connection, missed)  # the alert, in the same transaction as the miss
        return ClaimResult("missed", reason=verdict.reason)
    if verdict.action == "defer":
        assert verdict.until is not None
        _set_queued(connection, publication_id, now, next_attempt_at=verdict.until)
        return ClaimResult("deferred", due_at=verdict.until, reason=verdict.reason)
    won = connection.execute(
        statements.CLAIM,
        {
            "pid": publication_id,
            "due_by": now + due_slack,
            "now": now,
            "worker": worker_id,
            "lease": lease_until,
        },
    ).first()
    if won is None:
        return ClaimResult("gone")
    if not publication.needs_reconcile:
        connection.execute(statements.TAKE_SLOT, {"account": account_label, "now": now})
    loaded = open_attempt(
        connection,
        publication_id,
        worker_id,
        now,
        previous_last_post_at=account.last_post_at,
        claimed_revision=won.claimed_revision,
    )
    return ClaimResult("claimed", claim=loaded)


def _set_queued(
    connection: Connection,
    publication_id: int,
    now: datetime,
    *,
    state: PublicationState | None = None,
    next_attempt_at: datetime | None = None,
    error: str | None = None,
) -> None:
    values: dict[str, object] = {"updated_at": now}
    if state is not None:
        values["state"] = state
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    if error is not None:
        values["last_error"] = error
    connection.execute(
        update(Publication)
        .where(Publication.id == publication_id, Publication.state.in_(QUEUED))
        .values(**values)
    )
