"""The claim's SQL statements, built once.

Building SQLAlchemy expressions costs more than running them, and the claim
(:mod:`scheduler.storage.claims`) runs for every publication. Parameters are
named ``:pid``, ``:now`` and so on.
"""

from __future__ import annotations

from sqlalchemy import and_, bindparam, exists, func, literal, or_, select, update

from scheduler.storage.models import QUEUED, AccountState, Hold, Post, Publication, PublicationState

HOLD_ACTIVE = or_(Hold.until.is_(None), Hold.until > bindparam("now"))

LOCK_ACCOUNT = (
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
PUBLICATION = select(
    Publication.state,
    Publication.account_label,
    Publication.next_attempt_at,
    Publication.scheduled_at,
    Publication.needs_reconcile,
    Publication.requeued_at,
    Publication.post_id,
    Publication.platform,
).where(Publication.id == bindparam("pid"))
HOLDS = select(Hold.scope, Hold.reason).where(
    Hold.scope.in_(bindparam("scopes", expanding=True)), HOLD_ACTIVE
)
POSTS_TODAY = select(
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
CLAIM = (
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
            HOLD_ACTIVE,
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
# A publication of the same account that should take the slot first: due within
# the last moments (its job is firing now) and older (earlier time, then lower id).
OLDER_DUE = (
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
TAKE_SLOT = (
    update(AccountState)
    .where(AccountState.label == bindparam("account"))
    .values(last_post_at=bindparam("now"))
)
