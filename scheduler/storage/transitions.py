"""The state-machine moves the daemon makes, each in one short transaction.

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

The moves after the claim are in :mod:`scheduler.storage.settlements`. Every
statement here is SQLAlchemy Core on one connection
(:mod:`scheduler.storage.writes`): the claim is on every publication's path.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, sessionmaker

from scheduler.errors import StorageError
from scheduler.storage.models import (
    AccountState,
    Attempt,
    Hold,
    Post,
    Publication,
    PublicationState,
)
from scheduler.storage.writes import read_connection, write_transaction

QUEUED = (PublicationState.PENDING, PublicationState.RETRYING)
# Attempt outcomes that use up one of ``publishing.max_attempts`` tries; rate
# limits and auth pauses wait instead and do not count.
COUNTED_OUTCOMES = ("transient", "crashed", "unknown")


@dataclass(frozen=True)
class ClaimFacts:
    """What the limits decide on; every datetime is aware UTC.

    ``due_at`` is ``next_attempt_at``; ``published_today`` counts the account's
    posts (published or in flight) in the local day that holds ``now``;
    ``requeued_at`` is when an operator last queued it again, if ever.
    """

    publication_id: int
    account_label: str
    state: PublicationState
    scheduled_at: datetime
    due_at: datetime
    now: datetime
    last_post_at: datetime | None
    rate_limited_until: datetime | None
    rate_limit_reason: str | None
    published_today: int
    requeued_at: datetime | None = None


@dataclass(frozen=True)
class Verdict:
    """``go``; ``defer`` until ``until`` (UTC); or ``missed``; ``reason`` for people."""

    action: str
    until: datetime | None = None
    reason: str = ""

    @classmethod
    def go(cls) -> Verdict:
        return cls("go")

    @classmethod
    def defer(cls, until: datetime, reason: str) -> Verdict:
        return cls("defer", until, reason)

    @classmethod
    def missed(cls, reason: str) -> Verdict:
        return cls("missed", None, reason)


class ClaimPolicy(Protocol):
    """The daemon's limits, asked inside the claim transaction."""

    def day_bounds(self, account_label: str, now: datetime) -> tuple[datetime, datetime]:
        """Start and end (aware UTC) of the account's local calendar day holding ``now``."""
        ...

    def decide(self, facts: ClaimFacts) -> Verdict:
        """Go, defer or missed for a due publication."""
        ...

    def spacing(self, account_label: str) -> timedelta:
        """The account's minimum time between two posts (zero: none)."""
        ...


@dataclass(frozen=True)
class Claim:
    """A publication this worker holds in ``publishing``, with the exact content claimed.

    ``text`` is the post's text for the publication's platform; ``media`` paths are
    relative to the media directory; ``needs_reconcile`` says a create call may
    already have been applied. Two facts only the failure paths need are read on
    demand (:func:`with_history`): ``first_attempt_at`` (UTC), when the first try
    began (the start of the reconciliation window), and ``earlier_tries``, the
    earlier attempts that used up a try (transient errors, crashes); None until then.
    """

    publication_id: int
    attempt_id: int
    worker_id: str
    post_id: str
    account_label: str
    platform: str
    revision: int
    content_hash: str
    text: str
    media: tuple[str, ...]
    link: str | None
    scheduled_at: datetime
    claimed_at: datetime
    attempt_number: int
    needs_reconcile: bool
    previous_last_post_at: datetime | None
    new_claim: bool = True
    first_attempt_at: datetime | None = None
    earlier_tries: int | None = None


@dataclass(frozen=True)
class ClaimResult:
    """What a claim did: ``claimed`` (then ``claim`` is set), ``not_due`` (``due_at``
    says when), ``deferred`` (to ``due_at``), ``missed``, ``held`` (``reason`` names
    the hold), or ``gone`` (no longer queued: published, cancelled, taken)."""

    status: str
    claim: Claim | None = None
    due_at: datetime | None = None
    reason: str = ""


class _Retry(Exception):
    """The post changed between the claim's UPDATE and the read: claim again."""


# The claim's statements, built once: building SQLAlchemy expressions costs more
# than running them, and the claim runs for every publication. Parameters are
# named ``:pid``, ``:now`` and so on.

_HOLD_ACTIVE = or_(Hold.until.is_(None), Hold.until > bindparam("now"))

_LOCK_ACCOUNT = (
    update(AccountState)
    .where(
        AccountState.label
        == select(Publication.account_label)
        .where(Publication.id == bindparam("pid"))
        .scalar_subquery()
    )
    .values(updated_at=bindparam("now"))
    .returning(
        AccountState.last_post_at, AccountState.rate_limited_until, AccountState.rate_limit_reason
    )
)
_PUBLICATION = select(
    Publication.state,
    Publication.account_label,
    Publication.next_attempt_at,
    Publication.scheduled_at,
    Publication.needs_reconcile,
    Publication.requeued_at,
).where(Publication.id == bindparam("pid"))
_HOLDS = select(Hold.scope, Hold.reason).where(
    Hold.scope.in_(bindparam("scopes", expanding=True)), _HOLD_ACTIVE
)
_POSTS_TODAY = select(
    select(func.count())
    .select_from(Publication)
    .where(
        Publication.account_label == bindparam("label"),
        Publication.published_at >= bindparam("start"),
        Publication.published_at < bindparam("end"),
    )
    .scalar_subquery()
    + select(func.count())
    .select_from(Publication)
    .where(
        Publication.state == PublicationState.PUBLISHING,
        Publication.account_label == bindparam("label"),
    )
    .scalar_subquery()
)
_CLAIM = (
    update(Publication)
    .where(
        Publication.id == bindparam("pid"),
        Publication.state.in_(QUEUED),
        Publication.next_attempt_at <= bindparam("due_by"),
        ~exists().where(
            or_(
                Hold.scope == "campaign",
                Hold.scope == literal("account:") + Publication.account_label,
            ),
            _HOLD_ACTIVE,
        ),
    )
    .values(
        state=PublicationState.PUBLISHING,
        claimed_by=bindparam("worker"),
        lease_expires_at=bindparam("lease"),
        claimed_revision=select(Post.revision)
        .where(Post.id == Publication.post_id)
        .scalar_subquery(),
        claimed_hash=select(Post.content_hash)
        .where(Post.id == Publication.post_id)
        .scalar_subquery(),
        attempt_count=Publication.attempt_count + 1,
        updated_at=bindparam("now"),
    )
    .returning(Publication.claimed_revision)
)
# A publication that gives way tries again this many times within the window: the
# older one's claim takes milliseconds, so a short step keeps the newer one close
# to its time (in a sped-up rehearsal a wall second is hours of campaign time).
YIELD_STEPS = 20
# A publication of the same account that should take the slot first: due within
# the last moments (its job is firing now) and older (earlier time, then lower id).
_OLDER_DUE = (
    select(Publication.id)
    .where(
        Publication.account_label == bindparam("account"),
        Publication.state.in_(QUEUED),
        Publication.next_attempt_at <= bindparam("now"),
        Publication.next_attempt_at >= bindparam("since"),
        Publication.id != bindparam("pid"),
        or_(
            Publication.scheduled_at < bindparam("scheduled"),
            and_(
                Publication.scheduled_at == bindparam("scheduled"),
                Publication.id < bindparam("pid"),
            ),
        ),
    )
    .limit(1)
)
_TAKE_SLOT = (
    update(AccountState)
    .where(AccountState.label == bindparam("account"))
    .values(last_post_at=bindparam("now"))
)
_CONTENT = (
    select(
        Publication.post_id,
        Publication.account_label,
        Publication.platform,
        Publication.scheduled_at,
        Publication.attempt_count,
        Publication.needs_reconcile,
        Post.revision,
        Post.content_hash,
        Post.texts,
        Post.media,
        Post.link,
    )
    .join(Post, Post.id == Publication.post_id)
    .where(Publication.id == bindparam("pid"))
)
_OPEN_ATTEMPT = (
    insert(Attempt)
    .values(
        publication_id=bindparam("pid"),
        worker_id=bindparam("worker"),
        started_at=bindparam("now"),
    )
    .returning(Attempt.id)
)


def _active_hold(connection: Connection, account_label: str, now: datetime) -> str | None:
    scopes = ["campaign", f"account:{account_label}"]
    rows = connection.execute(_HOLDS, {"scopes": scopes, "now": now}).all()
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
        except _Retry:
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
    account = connection.execute(_LOCK_ACCOUNT, {"pid": publication_id, "now": now}).first()
    publication = connection.execute(_PUBLICATION, {"pid": publication_id}).first()
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
            _POSTS_TODAY, {"label": account_label, "start": start, "end": end}
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
                _OLDER_DUE,
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
        return ClaimResult("missed", reason=verdict.reason)
    if verdict.action == "defer":
        assert verdict.until is not None
        _set_queued(connection, publication_id, now, next_attempt_at=verdict.until)
        return ClaimResult("deferred", due_at=verdict.until, reason=verdict.reason)
    won = connection.execute(
        _CLAIM,
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
        connection.execute(_TAKE_SLOT, {"account": account_label, "now": now})
    loaded = open_attempt(
        connection,
        publication_id,
        worker_id,
        now,
        previous_last_post_at=account.last_post_at,
        claimed_revision=won.claimed_revision,
    )
    return ClaimResult("claimed", claim=loaded)


def open_attempt(
    connection: Connection,
    publication_id: int,
    worker_id: str,
    now: datetime,
    *,
    previous_last_post_at: datetime | None,
    claimed_revision: int | None = None,
    new_claim: bool = True,
) -> Claim:
    """Open an attempt for a publication this worker holds and read its content.

    With ``claimed_revision``, the post must still be at that revision (else the
    transaction is retried: sync committed between the claim's UPDATE and this
    read). ``new_claim`` is False for a takeover (which did not count an attempt).
    """
    row = connection.execute(_CONTENT, {"pid": publication_id}).one()
    if claimed_revision is not None and row.revision != claimed_revision:
        raise _Retry
    attempt_id = connection.execute(
        _OPEN_ATTEMPT, {"pid": publication_id, "worker": worker_id, "now": now}
    ).scalar_one()
    texts = row.texts or {}
    return Claim(
        publication_id=publication_id,
        attempt_id=attempt_id,
        worker_id=worker_id,
        post_id=row.post_id,
        account_label=row.account_label,
        platform=row.platform,
        revision=row.revision,
        content_hash=row.content_hash,
        text=str(texts.get(row.platform, "")),
        media=tuple(str(item) for item in row.media or ()),
        link=row.link,
        scheduled_at=row.scheduled_at,
        claimed_at=now,
        attempt_number=row.attempt_count,
        needs_reconcile=row.needs_reconcile,
        previous_last_post_at=previous_last_post_at,
        new_claim=new_claim,
    )


def counted_tries(connection: Connection, publication_id: int, last: int) -> int:
    """Tries used up among the ``last`` attempts of the publication.

    Only the latest attempts count: ``campaign retry`` and ``resolve
    --not-published`` reset ``attempt_count``, which gives a fresh budget.
    """
    if last <= 0:
        return 0
    recent = (
        select(Attempt.outcome)
        .where(Attempt.publication_id == publication_id)
        .order_by(Attempt.id.desc())
        .limit(last)
        .subquery()
    )
    count = connection.scalar(
        select(func.count()).select_from(recent).where(recent.c.outcome.in_(COUNTED_OUTCOMES))
    )
    return int(count or 0)


def with_history(sessions: sessionmaker[Session], claim: Claim) -> Claim:
    """``claim`` with ``first_attempt_at`` and ``earlier_tries`` read (failure paths).

    :raises StorageError: when the database cannot be read.
    """
    if claim.first_attempt_at is not None and claim.earlier_tries is not None:
        return claim
    with read_connection(sessions) as connection:
        first = connection.scalar(
            select(func.min(Attempt.started_at)).where(
                Attempt.publication_id == claim.publication_id
            )
        )
        # The attempts of this round: attempt_count of them, plus the takeover's
        # own (a takeover does not count itself); the open one has no outcome yet.
        last = claim.attempt_number + (0 if claim.new_claim else 1)
        tries = counted_tries(connection, claim.publication_id, last)
    return dataclasses.replace(
        claim, first_attempt_at=first or claim.claimed_at, earlier_tries=tries
    )


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
