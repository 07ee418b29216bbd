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

Every later move (:func:`settle`, :func:`mark_create_sending`) is conditional on
the worker still holding the claim, so a worker whose lease was taken over can
never overwrite the newer holder's result.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import and_, exists, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from scheduler.errors import PublishError, StorageError
from scheduler.storage.database import writing
from scheduler.storage.models import (
    AccountState,
    Attempt,
    Hold,
    Post,
    Publication,
    PublicationState,
)

QUEUED = (PublicationState.PENDING, PublicationState.RETRYING)
# Attempt outcomes that use up one of ``publishing.max_attempts`` tries; rate
# limits and auth pauses wait instead and do not count.
COUNTED_OUTCOMES = ("transient", "crashed", "unknown")


@dataclass(frozen=True)
class ClaimFacts:
    """What the limits decide on; every datetime is aware UTC.

    ``due_at`` is ``next_attempt_at``; ``published_today`` counts the account's
    posts (published or in flight) in the local day that holds ``now``.
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


@dataclass(frozen=True)
class Claim:
    """A publication this worker holds in ``publishing``, with the exact content claimed.

    ``text`` is the post's text for the publication's platform; ``media`` paths are
    relative to the media directory; ``first_attempt_at`` (UTC) is when the first
    try of this publication began (the start of the reconciliation window);
    ``needs_reconcile`` says a create call may already have been applied;
    ``earlier_tries`` counts earlier attempts that used up a try (transient
    errors, crashes).
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
    first_attempt_at: datetime
    attempt_number: int
    needs_reconcile: bool
    previous_last_post_at: datetime | None
    earlier_tries: int = 0


@dataclass(frozen=True)
class ClaimResult:
    """What a claim did: ``claimed`` (then ``claim`` is set), ``not_due`` (``due_at``
    says when), ``deferred`` (to ``due_at``), ``missed``, ``held`` (``reason`` names
    the hold), or ``gone`` (no longer queued: published, cancelled, taken)."""

    status: str
    claim: Claim | None = None
    due_at: datetime | None = None
    reason: str = ""


@dataclass(frozen=True)
class Settlement:
    """How an attempt ended and what the publication becomes.

    ``state`` is the publication's new state and ``outcome`` the attempt's
    (``published``, ``reconciled`` or a PublishError outcome). With ``reconcile_at``
    the publication stays ``publishing`` with ``needs_reconcile`` and a lease
    ending then: a create may have been applied and the lookup must be tried again.
    ``posted`` False gives the account's spacing slot back. ``rate_limited_until``
    makes every publication of the account wait; ``hold_reason`` pauses the account.
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


def _hold_blocks(account_label: object, now: datetime) -> object:
    """SQL: a hold on the campaign or on the account is active at ``now``."""
    return exists().where(
        or_(Hold.scope == "campaign", Hold.scope == literal("account:") + account_label),
        or_(Hold.until.is_(None), Hold.until > now),
    )


def _active_hold(session: Session, account_label: str, now: datetime) -> str | None:
    rows = session.execute(
        select(Hold.scope, Hold.reason).where(
            Hold.scope.in_(("campaign", f"account:{account_label}")),
            or_(Hold.until.is_(None), Hold.until > now),
        )
    ).all()
    if not rows:
        return None
    scope, reason = sorted(rows)[0]
    return f"{scope} paused: {reason}"


def _lock_account(session: Session, publication_id: int, now: datetime) -> bool:
    # The first statement writes, so SQLite holds the write lock from here on and
    # PostgreSQL holds the account's row lock until commit.
    label = select(Publication.account_label).where(Publication.id == publication_id)
    result = session.execute(
        update(AccountState)
        .where(AccountState.label == label.scalar_subquery())
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def claim(
    sessions: sessionmaker[Session],
    publication_id: int,
    *,
    worker_id: str,
    now: datetime,
    lease_until: datetime,
    policy: ClaimPolicy,
    due_slack: timedelta = timedelta(0),
) -> ClaimResult:
    """Claim ``publication_id`` for ``worker_id`` if it is due, allowed and not held.

    ``due_slack`` accepts a due time that far after ``now`` (clock rounding).

    :raises StorageError: when the database refuses; nothing is claimed then.
    """
    for _ in range(3):
        with writing(sessions) as session:
            result = _claim_once(
                session, publication_id, worker_id, now, lease_until, policy, due_slack
            )
            if result is not None:
                return result
            session.rollback()
    raise StorageError(f"publication {publication_id}: its post kept changing during the claim")


def _claim_once(
    session: Session,
    publication_id: int,
    worker_id: str,
    now: datetime,
    lease_until: datetime,
    policy: ClaimPolicy,
    due_slack: timedelta,
) -> ClaimResult | None:
    if not _lock_account(session, publication_id, now):
        row = session.get(Publication, publication_id)
        if row is None or row.state not in QUEUED:
            return ClaimResult("gone")
        return ClaimResult("held", reason=f"account {row.account_label} has no state row")
    publication = session.execute(
        select(Publication).where(Publication.id == publication_id)
    ).scalar_one_or_none()
    if publication is None or publication.state not in QUEUED:
        return ClaimResult("gone")
    label = publication.account_label
    hold = _active_hold(session, label, now)
    if hold is not None:
        return ClaimResult("held", reason=hold, due_at=publication.next_attempt_at)
    if publication.next_attempt_at > now + due_slack:
        return ClaimResult("not_due", due_at=publication.next_attempt_at)
    account = session.get(AccountState, label)
    assert account is not None  # _lock_account found it
    verdict = Verdict.go()
    if not publication.needs_reconcile:
        start, end = policy.day_bounds(label, now)
        facts = ClaimFacts(
            publication_id=publication_id,
            account_label=label,
            state=publication.state,
            scheduled_at=publication.scheduled_at,
            due_at=publication.next_attempt_at,
            now=now,
            last_post_at=account.last_post_at,
            rate_limited_until=account.rate_limited_until,
            rate_limit_reason=account.rate_limit_reason,
            published_today=_posts_in(session, label, start, end),
        )
        verdict = policy.decide(facts)
    if verdict.action == "missed":
        _set_queued(
            session, publication_id, now, state=PublicationState.MISSED, error=verdict.reason
        )
        return ClaimResult("missed", reason=verdict.reason)
    if verdict.action == "defer":
        assert verdict.until is not None
        _set_queued(session, publication_id, now, next_attempt_at=verdict.until)
        return ClaimResult("deferred", due_at=verdict.until, reason=verdict.reason)

    revision = select(Post.revision).where(Post.id == Publication.post_id).scalar_subquery()
    content_hash = select(Post.content_hash).where(Post.id == Publication.post_id)
    won = session.execute(
        update(Publication)
        .where(
            Publication.id == publication_id,
            Publication.state.in_(QUEUED),
            Publication.next_attempt_at <= now + due_slack,
            ~_hold_blocks(Publication.account_label, now),  # type: ignore[operator]
        )
        .values(
            state=PublicationState.PUBLISHING,
            claimed_by=worker_id,
            lease_expires_at=lease_until,
            claimed_revision=revision,
            claimed_hash=content_hash.scalar_subquery(),
            attempt_count=Publication.attempt_count + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if not won.rowcount:  # type: ignore[attr-defined]
        return ClaimResult("gone")
    if not publication.needs_reconcile:
        session.execute(
            update(AccountState)
            .where(AccountState.label == label)
            .values(last_post_at=now)
            .execution_options(synchronize_session=False)
        )
    loaded = load_claim(
        session, publication_id, worker_id, now, previous_last_post_at=account.last_post_at
    )
    return None if loaded is None else ClaimResult("claimed", claim=loaded)


def load_claim(
    session: Session,
    publication_id: int,
    worker_id: str,
    now: datetime,
    *,
    previous_last_post_at: datetime | None,
    strict_revision: bool = True,
    new_claim: bool = True,
) -> Claim | None:
    """Open an attempt for a publication this worker holds and read its content.

    Returns None when ``strict_revision`` and the post is no longer at the claimed
    revision (sync committed between the claim's UPDATE and this read).
    ``new_claim`` is False for a takeover (which did not count an attempt).
    """
    row = session.execute(
        select(Publication, Post)
        .join(Post, Post.id == Publication.post_id)
        .where(Publication.id == publication_id)
        .execution_options(populate_existing=True)  # our bulk UPDATEs bypassed the session
    ).one()
    publication, post = row
    if strict_revision and post.revision != publication.claimed_revision:
        return None  # sync committed between our UPDATE and this read: claim again
    first = session.scalar(
        select(func.min(Attempt.started_at)).where(Attempt.publication_id == publication_id)
    )
    # A claim has counted itself already; a takeover has not.
    recent = publication.attempt_count - (1 if new_claim else 0)
    tries = counted_tries(session, publication_id, recent)
    attempt_id = session.execute(
        insert(Attempt)
        .values(publication_id=publication_id, worker_id=worker_id, started_at=now)
        .returning(Attempt.id)
    ).scalar_one()
    texts = post.texts or {}
    return Claim(
        publication_id=publication_id,
        attempt_id=attempt_id,
        worker_id=worker_id,
        post_id=post.id,
        account_label=publication.account_label,
        platform=publication.platform,
        revision=post.revision,
        content_hash=post.content_hash,
        text=str(texts.get(publication.platform, "")),
        media=tuple(str(item) for item in post.media or ()),
        link=post.link,
        scheduled_at=publication.scheduled_at,
        claimed_at=now,
        first_attempt_at=first or now,
        attempt_number=publication.attempt_count,
        needs_reconcile=publication.needs_reconcile,
        previous_last_post_at=previous_last_post_at,
        earlier_tries=int(tries or 0),
    )


def counted_tries(session: Session, publication_id: int, last: int) -> int:
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
    count = session.scalar(
        select(func.count()).select_from(recent).where(recent.c.outcome.in_(COUNTED_OUTCOMES))
    )
    return int(count or 0)


def _posts_in(session: Session, label: str, start: datetime, end: datetime) -> int:
    published = session.scalar(
        select(func.count())
        .select_from(Publication)
        .where(
            Publication.account_label == label,
            Publication.published_at >= start,
            Publication.published_at < end,
        )
    )
    in_flight = session.scalar(
        select(func.count())
        .select_from(Publication)
        .where(
            Publication.state == PublicationState.PUBLISHING,
            Publication.account_label == label,
        )
    )
    return int(published or 0) + int(in_flight or 0)


def _set_queued(
    session: Session,
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
    session.execute(
        update(Publication)
        .where(Publication.id == publication_id, Publication.state.in_(QUEUED))
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _holding(claim: Claim) -> object:
    return and_(
        Publication.id == claim.publication_id,
        Publication.state == PublicationState.PUBLISHING,
        Publication.claimed_by == claim.worker_id,
    )


def mark_create_sending(
    sessions: sessionmaker[Session], claim: Claim, now: datetime, lease_until: datetime
) -> bool:
    """Record, before the create call, that a post may exist from now on.

    Renews the lease. Returns False when this worker no longer holds the claim:
    then it must not call create.
    """
    with writing(sessions) as session:
        result = session.execute(
            update(Publication)
            .where(_holding(claim))  # type: ignore[arg-type]
            .values(needs_reconcile=True, lease_expires_at=lease_until, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def renew_lease(
    sessions: sessionmaker[Session], claim: Claim, now: datetime, lease_until: datetime
) -> bool:
    """Extend the claim's lease; False when this worker no longer holds it."""
    with writing(sessions) as session:
        result = session.execute(
            update(Publication)
            .where(_holding(claim))  # type: ignore[arg-type]
            .values(lease_expires_at=lease_until, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def settle(
    sessions: sessionmaker[Session], claim: Claim, now: datetime, settlement: Settlement
) -> bool:
    """Close the attempt and move the publication as ``settlement`` says.

    Returns False (and changes nothing) when this worker no longer holds the
    claim: whoever took it over reconciles instead.

    :raises StorageError: when the database refuses.
    """
    with writing(sessions) as session:
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
        result = session.execute(
            update(Publication)
            .where(_holding(claim))  # type: ignore[arg-type]
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return False
        _close_attempt(session, claim.attempt_id, now, settlement)
        _account_effects(session, claim, now, settlement)
        return True


def _close_attempt(
    session: Session, attempt_id: int, now: datetime, settlement: Settlement
) -> None:
    session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id)
        .values(
            ended_at=now,
            outcome=settlement.outcome,
            http_status=settlement.http_status,
            platform_code=settlement.platform_code,
            platform_message=settlement.platform_message,
        )
        .execution_options(synchronize_session=False)
    )


def _account_effects(session: Session, claim: Claim, now: datetime, settlement: Settlement) -> None:
    label = claim.account_label
    if not settlement.posted and not claim.needs_reconcile:
        # Nothing went out: give the spacing slot back, unless a later claim took it.
        session.execute(
            update(AccountState)
            .where(AccountState.label == label, AccountState.last_post_at == claim.claimed_at)
            .values(last_post_at=claim.previous_last_post_at)
            .execution_options(synchronize_session=False)
        )
    if settlement.rate_limited_until is not None:
        session.execute(
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
            .execution_options(synchronize_session=False)
        )
    if settlement.hold_reason is not None:
        scope = f"account:{label}"
        if session.get(Hold, scope) is None:
            session.add(
                Hold(
                    scope=scope,
                    reason=settlement.hold_reason,
                    actor=claim.worker_id,
                    since=now,
                    until=None,
                )
            )
