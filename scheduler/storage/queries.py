"""Reading the queue and its history: the timeline, the history, one post.

The CLI and the dashboard share these. Every datetime is aware UTC; rows turn
into JSON-ready dicts with :meth:`as_dict`, which adds local times when given
the campaign's zone.

The history's first page stays fast on a large store: it walks the index on
``attempts (started_at, id)`` backwards and stops after ``limit`` rows; later
pages continue from the last row's attempt id (keyset paging, ``before``),
never with OFFSET.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import Any, TypeVarTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload

from scheduler.config import Campaign
from scheduler.errors import NotFoundError
from scheduler.storage.models import (
    UPCOMING_STATES,
    Attempt,
    AuditEntry,
    Post,
    Publication,
    PublicationState,
)

_Ts = TypeVarTuple("_Ts")
AnySelect = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class QueueFilter:
    """What to show; an empty tuple means "any". ``since`` (inclusive) and
    ``until`` (exclusive) are aware datetimes: the publication's time in the
    timeline, the attempt's start in the history."""

    platforms: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    states: tuple[PublicationState, ...] = ()
    since: datetime | None = None
    until: datetime | None = None

    def apply(self, query: Select[*_Ts], moment: Any) -> Select[*_Ts]:
        """Add the filters to a query joining publications and posts; ``moment`` is the
        column the time range applies to."""
        for column, values in (
            (Publication.platform, self.platforms),
            (Publication.account_label, self.accounts),
            (Post.call, self.calls),
            (Post.language, self.languages),
            (Publication.state, self.states),
        ):
            if values:
                query = query.where(column.in_(values))
        if self.since is not None:
            query = query.where(moment >= self.since)
        if self.until is not None:
            query = query.where(moment < self.until)
        return query


def _iso(value: datetime | None, zone: ZoneInfo | None) -> str | None:
    if value is None:
        return None
    return (value.astimezone(zone) if zone else value).isoformat()


def _export(row: Any, zone: ZoneInfo | None, times: tuple[str, ...]) -> dict[str, Any]:
    data: dict[str, Any] = asdict(row)
    for name in times:
        data[name] = _iso(data[name], None)
        if zone is not None:
            data[f"{name}_local"] = _iso(getattr(row, name), zone)
    return data


@dataclass(frozen=True)
class TimelineRow:
    """One upcoming publication; ``text`` is what goes out on its platform."""

    publication_id: int
    post_id: str
    account: str
    platform: str
    call: str
    language: str
    state: str
    scheduled_at: datetime
    next_attempt_at: datetime
    attempt_count: int
    last_error: str | None
    text: str

    def as_dict(self, zone: ZoneInfo | None = None) -> dict[str, Any]:
        """JSON-ready: UTC ISO times, plus ``*_local`` ones in ``zone``."""
        return _export(self, zone, ("scheduled_at", "next_attempt_at"))


def timeline(
    session: Session, filters: QueueFilter = QueueFilter(), *, limit: int | None = None
) -> list[TimelineRow]:
    """Publications in time order (then id); by default only those still to go out
    (pending, retrying, publishing)."""
    if not filters.states:
        filters = replace(filters, states=tuple(sorted(UPCOMING_STATES)))
    query = filters.apply(
        select(Publication, Post).join(Post, Publication.post_id == Post.id),
        Publication.scheduled_at,
    ).order_by(Publication.scheduled_at, Publication.id)
    if limit:
        query = query.limit(limit)
    return [
        TimelineRow(
            publication_id=publication.id,
            post_id=post.id,
            account=publication.account_label,
            platform=publication.platform,
            call=post.call,
            language=post.language,
            state=publication.state.value,
            scheduled_at=publication.scheduled_at,
            next_attempt_at=publication.next_attempt_at,
            attempt_count=publication.attempt_count,
            last_error=publication.last_error,
            text=str(post.texts.get(publication.platform, "")),
        )
        for publication, post in session.execute(query)
    ]


@dataclass(frozen=True)
class HistoryRow:
    """One attempt with its publication: what was tried, when, and how it ended."""

    attempt_id: int
    started_at: datetime
    ended_at: datetime | None
    outcome: str | None
    http_status: int | None
    platform_code: str | None
    platform_message: str | None
    worker_id: str
    publication_id: int
    post_id: str
    account: str
    platform: str
    call: str
    language: str
    state: str
    platform_url: str | None
    scheduled_at: datetime

    FIELDS = (
        "attempt_id", "started_at", "ended_at", "outcome", "http_status", "platform_code",
        "platform_message", "worker_id", "publication_id", "post_id", "account", "platform",
        "call", "language", "state", "platform_url", "scheduled_at",
    )  # fmt: skip

    def as_dict(self, zone: ZoneInfo | None = None) -> dict[str, Any]:
        """JSON-ready: UTC ISO times, plus ``*_local`` ones in ``zone``."""
        return _export(self, zone, ("started_at", "ended_at", "scheduled_at"))


_HISTORY_COLUMNS = (
    Attempt.id, Attempt.started_at, Attempt.ended_at, Attempt.outcome, Attempt.http_status,
    Attempt.platform_code, Attempt.platform_message, Attempt.worker_id, Publication.id,
    Publication.post_id, Publication.account_label, Publication.platform, Post.call,
    Post.language, Publication.state, Publication.platform_url, Publication.scheduled_at,
)  # fmt: skip


def history_query(filters: QueueFilter, outcomes: tuple[str, ...], before: int | None) -> AnySelect:
    """The history's SELECT (attempt, publication and post columns in
    :attr:`HistoryRow.FIELDS` order), newest first, without a LIMIT."""
    query: AnySelect = (
        select(*_HISTORY_COLUMNS)
        .select_from(Attempt)
        .join(Publication, Attempt.publication_id == Publication.id)
        .join(Post, Publication.post_id == Post.id)
    )
    query = filters.apply(query, Attempt.started_at)
    if outcomes:
        query = query.where(Attempt.outcome.in_(outcomes))
    if before is not None:
        start = select(Attempt.started_at).where(Attempt.id == before).scalar_subquery()
        # The plain range on started_at lets the index seek to the page's start;
        # the OR only settles ties between attempts that started at the same instant.
        query = query.where(
            Attempt.started_at <= start,
            or_(Attempt.started_at < start, Attempt.id < before),
        )
    return query.order_by(Attempt.started_at.desc(), Attempt.id.desc())


_STATE_INDEX = HistoryRow.FIELDS.index("state")


def _history_row(values: Any) -> HistoryRow:
    items = list(values)
    items[_STATE_INDEX] = str(items[_STATE_INDEX])  # the plain value, not the enum
    return HistoryRow(*items)


def history(
    session: Session,
    filters: QueueFilter = QueueFilter(),
    *,
    outcomes: tuple[str, ...] = (),
    before: int | None = None,
    limit: int | None = 50,
) -> list[HistoryRow]:
    """One page of attempts, newest first (by start time, then id).

    ``before`` is the ``attempt_id`` of the last row of the previous page; pass it
    to get the next page. ``outcomes`` filters on the attempt's outcome,
    ``filters.states`` on the publication's current state. ``limit`` None: no limit.
    """
    query = history_query(filters, outcomes, before)
    if limit is not None:
        query = query.limit(limit)
    return [_history_row(values) for values in session.execute(query)]


def iter_history(
    session: Session,
    filters: QueueFilter = QueueFilter(),
    *,
    outcomes: tuple[str, ...] = (),
    before: int | None = None,
    limit: int | None = None,
) -> Iterator[HistoryRow]:
    """Like :func:`history`, streamed in batches, every row by default (for exports)."""
    query = history_query(filters, outcomes, before).execution_options(yield_per=1000)
    if limit is not None:
        query = query.limit(limit)
    for values in session.execute(query):
        yield _history_row(values)


@dataclass
class PostDetail:
    """One post with its publications (each with its attempts loaded) and the
    audit entries that name it."""

    post: Post
    publications: list[Publication] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)


def post_detail(session: Session, post_id: str) -> PostDetail:
    """Everything stored about ``post_id``.

    :raises NotFoundError: no post with that id.
    """
    post = session.get(Post, post_id)
    if post is None:
        raise NotFoundError("post", post_id)
    publications = session.scalars(
        select(Publication)
        .where(Publication.post_id == post_id)
        .options(selectinload(Publication.attempts))
        .order_by(Publication.account_label)
    ).all()
    audit = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.target.like(f"{_escape_like(post_id)}@%", escape="\\"))
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    return PostDetail(post, list(publications), list(audit))


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def audit_trail(session: Session, *, limit: int = 100) -> list[AuditEntry]:
    """The latest operator actions, newest first."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    return list(session.scalars(query))


def countdown(campaign: Campaign, instant: datetime) -> str:
    """Days to the conference on the campaign's local calendar: ``T-5d`` before it,
    ``day 2`` during it, ``end+3d`` after it."""
    day: date = instant.astimezone(campaign.zone).date()
    start, end = campaign.conference.start, campaign.conference.end
    if day < start:
        return f"T-{(start - day).days}d"
    if day <= end:
        return f"day {(day - start).days + 1}"
    return f"end+{(day - end).days}d"
