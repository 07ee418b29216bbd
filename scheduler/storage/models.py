"""Typed SQLAlchemy models of the queue and its history.

Every datetime column is aware UTC on the way in and on the way out, on SQLite
(which stores naive text) and PostgreSQL (``timestamptz``) alike: see
:class:`UTCDateTime`.

Publication states and the moves between them::

    pending ──claim──> publishing ──> published
       ^  ^               │  ├──> retrying ──(due)──> publishing
       │  │               │  ├──> failed          (rejected, or retries exhausted)
       │  └──(resolve --not-published / retry)──┐ └──> needs_review (unknown outcome, not found)
       │                                        │
    missed (too late) ─────────(retry)──────────┘
    cancelled  (from pending, retrying, missed, failed, needs_review)
    withdrawn  (from published, or needs_review when the post was found live:
                `campaign withdraw` deleted it from the platform; terminal)

``campaign sync`` cancels with ``cancel_source="sync"`` (file removed, status
cancelled or draft, account no longer targeted) and queues such a publication
again when the post comes back; a person's ``campaign cancel`` sets
``cancel_source="operator"`` and sync leaves it cancelled.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names so Alembic migrations are identical on every engine.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always returned aware (tzinfo=UTC).

    :raises ValueError: when given a naive datetime: the caller must say which zone.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to the store; pass an aware one")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# The largest row number a database holds (SQLite's and PostgreSQL's 64-bit
# integers): a larger number names no row, and would overflow the driver.
MAX_ROW_NUMBER = 2**63 - 1


class PublicationState(enum.StrEnum):
    """Where one publication stands; the moves are drawn in the module docstring."""

    PENDING = "pending"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    RETRYING = "retrying"
    FAILED = "failed"
    MISSED = "missed"
    CANCELLED = "cancelled"
    NEEDS_REVIEW = "needs_review"
    WITHDRAWN = "withdrawn"


# What an attempt's ``outcome`` may be: how the worker settled it
# (``published``, ``reconciled``), a PublishError subclass's outcome, or
# ``crashed`` (its lease expired mid-try), ``over_budget`` (paused, not sent).
ATTEMPT_OUTCOMES = (
    "published",
    "reconciled",
    "rejected",
    "duplicate",
    "rate_limited",
    "auth_failed",
    "over_budget",
    "transient",
    "unknown",
    "error",
    "crashed",
    "withdrawn",
    "withdraw_failed",
)

# Waiting in the queue for their time: what a worker may claim.
QUEUED = (PublicationState.PENDING, PublicationState.RETRYING)
# Still to go out: what the timeline shows by default.
UPCOMING_STATES = frozenset(
    {PublicationState.PENDING, PublicationState.RETRYING, PublicationState.PUBLISHING}
)
# The post may be visible on the platform: its content must not change any more.
VISIBLE_STATES = frozenset(
    {PublicationState.PUBLISHING, PublicationState.PUBLISHED, PublicationState.NEEDS_REVIEW}
)
# Nothing went out and nothing is in flight: sync may cancel these.
CANCELLABLE_STATES = frozenset(
    {
        PublicationState.PENDING,
        PublicationState.RETRYING,
        PublicationState.FAILED,
        PublicationState.MISSED,
    }
)


class PostStatus(enum.StrEnum):
    """The status written in the post file."""

    DRAFT = "draft"
    APPROVED = "approved"
    CANCELLED = "cancelled"


def _state_enum(enum_class: type[enum.StrEnum], name: str) -> Enum:
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=False,
        length=20,
        values_callable=lambda members: [member.value for member in members],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class Post(Base):
    """The validated content snapshot of one post (one language version).

    ``texts``: platform key -> exact text; ``media``: media paths, logo first, ``alt_texts``
    in that order; ``video``: ``{path, title, alt}`` or None; ``content_warning``: shown
    before the text; ``link_card``: ``{title, description, thumbnail?}`` or None;
    ``revision`` goes up on every content change (claims record it)."""

    __tablename__ = "posts"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200), index=True)
    call: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16))
    status: Mapped[PostStatus] = mapped_column(_state_enum(PostStatus, "post_status"))
    publish_at: Mapped[datetime] = mapped_column(index=True)
    texts: Mapped[dict[str, Any]]
    media: Mapped[list[Any]]
    alt_texts: Mapped[list[Any] | None]
    video: Mapped[dict[str, Any] | None]
    link: Mapped[str | None] = mapped_column(Text)
    content_warning: Mapped[str | None] = mapped_column(Text)
    link_card: Mapped[dict[str, Any] | None]
    targets: Mapped[list[Any]]
    source_path: Mapped[str] = mapped_column(String(500))
    source_line: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    removed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    publications: Mapped[list[Publication]] = relationship(back_populates="post")


class Publication(Base):
    """One post going to one account: the unit the daemon claims and publishes.

    ``scheduled_at`` (UTC) is when it is due; ``next_attempt_at`` when the daemon
    may next try (after a backoff or rate-limit wait). ``claimed_by`` and
    ``lease_expires_at`` record the daemon that holds it in ``publishing``;
    ``claimed_revision`` and ``claimed_hash`` the exact post version it publishes.
    ``cancel_source`` is ``sync`` or ``operator`` for a cancelled publication (see
    the module docstring) and ``cancel_reason`` says why. ``requeued_at`` is when an
    operator last queued it again (``campaign retry``, ``resolve --not-published``):
    from then on its lateness counts from that moment, not from its old time.
    ``withdrawn_at`` is when ``campaign withdraw`` took the live post down (UTC).
    """

    __tablename__ = "publications"
    __table_args__ = (
        UniqueConstraint("post_id", "account_label"),
        Index("ix_publications_state_due", "state", "next_attempt_at"),
        Index("ix_publications_account_published", "account_label", "published_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="RESTRICT"))
    account_label: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(16))
    state: Mapped[PublicationState] = mapped_column(
        _state_enum(PublicationState, "publication_state")
    )
    scheduled_at: Mapped[datetime] = mapped_column(index=True)
    next_attempt_at: Mapped[datetime]
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None]
    claimed_revision: Mapped[int | None] = mapped_column(Integer)
    claimed_hash: Mapped[str | None] = mapped_column(String(64))
    needs_reconcile: Mapped[bool] = mapped_column(Boolean, default=False)
    platform_post_id: Mapped[str | None] = mapped_column(String(200))
    platform_url: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    published_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    cancel_source: Mapped[str | None] = mapped_column(String(16))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    requeued_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    post: Mapped[Post] = relationship(back_populates="publications")
    attempts: Mapped[list[Attempt]] = relationship(
        back_populates="publication", order_by="Attempt.id"
    )


class Attempt(Base):
    """One try at publishing: what happened, when (UTC), and who tried.

    ``outcome`` is ``published``, ``reconciled`` or a PublishError outcome
    (``rate_limited``, ``transient``, ``duplicate``, ``auth_failed``,
    ``rejected``, ``unknown``), or ``crashed`` when a lease expired mid-try.
    A delete call of ``campaign withdraw`` is recorded as an attempt too:
    ``withdrawn`` (the post is gone) or ``withdraw_failed`` (it may still be live).
    ``cost_usd``: its estimated bill in US dollars (0: nothing created; None: open).
    """

    __tablename__ = "attempts"
    __table_args__ = (Index("ix_attempts_started_at_id", "started_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"), index=True)
    worker_id: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(32))
    http_status: Mapped[int | None] = mapped_column(Integer)
    platform_code: Mapped[str | None] = mapped_column(String(64))
    platform_message: Mapped[str | None] = mapped_column(Text)
    cost_usd: Mapped[float | None] = mapped_column(Float)

    publication: Mapped[Publication] = relationship(back_populates="attempts")


class AuditEntry(Base):
    """An operator action: cancel, retry, resolve, pause, resume (who, when UTC, why).

    ``target`` is ``<post id>@<account label>`` for a publication, ``campaign`` or
    ``account:<label>`` for a pause; ``detail`` records the change itself
    (``needs_review -> published https://...``).
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(300), index=True)
    reason: Mapped[str] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)


class Hold(Base):
    """A pause: ``scope`` is ``campaign`` or ``account:<label>``. No row, no pause."""

    __tablename__ = "holds"

    scope: Mapped[str] = mapped_column(String(100), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    since: Mapped[datetime]
    until: Mapped[datetime | None]


class Worker(Base):
    """A daemon's heartbeat row."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]
    stopped_at: Mapped[datetime | None]
    stop_reason: Mapped[str | None] = mapped_column(Text)


class AccountState(Base):
    """What every daemon shares about one account while publishing.

    ``last_post_at`` (UTC) is when the account's latest post was claimed for
    sending: the minimum spacing counts from it. ``rate_limited_until`` (UTC) is
    the platform's reset time after a rate limit; no daemon calls the account's
    platform before it. The daemon creates the row for each configured account and
    locks it while claiming, so claims for one account never race.
    """

    __tablename__ = "account_states"

    label: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_post_at: Mapped[datetime | None]
    rate_limited_until: Mapped[datetime | None]
    rate_limit_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]


class TokenLock(Base):
    """One row per account that has stored tokens: the lock on them and their version.

    Whoever renews an account's tokens first takes this row's lease
    (``holder``, until ``lease_expires_at``, aware UTC) with one conditional
    UPDATE, so one process at a time calls the platform; ``version`` goes up
    by one on every committed change of the account's tokens, and a write names
    the version it read, so a slow process whose lease ran out can never
    overwrite newer tokens. See :mod:`scheduler.storage.tokens`.
    """

    __tablename__ = "token_locks"

    account_label: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    holder: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class StoredToken(Base):
    """A token the platform rotates, encrypted: one per account and kind.

    ``ciphertext`` is a Fernet token (URL-safe base64 text) of the value bound
    to its account and kind; only the key in ``CAMPAIGN_TOKEN_KEYS`` opens it
    (:mod:`scheduler.tokens.cipher`). ``expires_at`` (aware UTC, None when the
    platform gave no expiry), ``written_by`` (which daemon or command) and
    ``written_at`` are in clear so a report needs no key.
    """

    __tablename__ = "stored_tokens"

    account_label: Mapped[str] = mapped_column(
        ForeignKey("token_locks.account_label", ondelete="RESTRICT"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    ciphertext: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None]
    written_by: Mapped[str] = mapped_column(String(200))
    written_at: Mapped[datetime]


class DashboardSession(Base):
    """A sign-in to the dashboard, kept here so that it can be ended.

    The browser holds a random session id; only its SHA-256 (``id_hash``, hex)
    is stored, so a copy of the database signs nobody in. ``token_fingerprint``
    identifies the operator token it was opened with: a session opened with
    another token is not valid. ``expires_at`` and ``ended_at`` (sign-out, or a
    token change) are aware UTC; ``client`` is the address it signed in from.
    """

    __tablename__ = "dashboard_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    operator: Mapped[str] = mapped_column(String(200))
    token_fingerprint: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(100))


class AlertEvent(Base):
    """Something the team should hear about, written in the same transaction as
    the change it reports (the outbox): a publication failed, an account paused,
    the daily digest. :mod:`scheduler.storage.outbox` writes and reads it.

    ``event_id`` is the stable id every message about it carries (a UUID, hex);
    ``dedupe_key`` says what happened in words (``failed:46:812``), so the same
    change recorded twice (two daemons, a retried transaction) stays one event.
    ``kind`` is one of :data:`scheduler.alert_settings.EVENT_KINDS`; ``facts``
    what the message needs (post, account, times as ISO 8601 UTC, reasons);
    ``fanned_out`` is True once a delivery row exists for every target that wants it.
    """

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(40), unique=True)
    dedupe_key: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    facts: Mapped[dict[str, Any]]
    fanned_out: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class AlertDelivery(Base):
    """One event going to one target, with its own retries and backoff.

    ``target`` is the name of the environment variable that holds the target's
    Apprise URL, never the URL (it carries secrets). ``state`` is ``pending``,
    ``sent`` or ``failed`` (given up). ``claimed_by`` and ``lease_expires_at``
    (UTC) mark the daemon sending it now; a sender that dies mid-send loses the
    lease and another sends it again, with the same event id. ``last_error`` is
    the last failure, redacted.
    """

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("event_row_id", "target"),
        Index("ix_alert_deliveries_state_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_row_id: Mapped[int] = mapped_column(ForeignKey("alert_events.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(16))
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_tried_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class StoreFact(Base):
    """What a database knows about itself, one fact per row (``key`` as in
    :mod:`scheduler.storage.facts`; ``value`` text; ``recorded_at`` UTC)."""

    __tablename__ = "store_facts"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime]


class SandboxReceipt(Base):
    """One post as the sandbox received it during a rehearsal, kept so the dashboard
    shows it after the sandbox has stopped (the fields of
    :class:`scheduler.storage.receipts.Receipt`; ``received_at`` campaign time, UTC)."""

    __tablename__ = "sandbox_receipts"
    __table_args__ = (UniqueConstraint("platform", "platform_post_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    account_label: Mapped[str] = mapped_column(String(64))
    platform_post_id: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text)
    shown_text: Mapped[str] = mapped_column(Text)
    media: Mapped[list[Any]]
    link: Mapped[str | None] = mapped_column(Text)
