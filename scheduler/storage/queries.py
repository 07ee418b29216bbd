"""Reading the queue and its history: the timeline, the history, one post.

The CLI and the dashboard share these. Every datetime is aware UTC; rows turn
into JSON-ready dicts with :meth:`as_dict`, which adds local times when given
the campaign's zone. The history lives in :mod:`scheduler.storage.history`
and the filters in :mod:`scheduler.storage.filters`; both are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from scheduler.config import Campaign
from scheduler.errors import NotFoundError
from scheduler.storage.filters import QueueFilter, export
from scheduler.storage.history import AnySelect, history, history_query, iter_history
from scheduler.storage.history_rows import HistoryCursor, HistoryRow
from scheduler.storage.lookup import close_ids
from scheduler.storage.models import (
    UPCOMING_STATES,
    AuditEntry,
    Post,
    Publication,
    PublicationState,
)

__all__ = [
    "AnySelect", "HistoryCursor", "HistoryRow", "PostDetail", "QueueFilter", "TimelineRow",
    "audit_trail", "countdown", "countdown_words", "history", "history_query", "iter_history",
    "post_detail", "settled_posts", "state_counts", "timeline",
]  # fmt: skip


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
        return export(self, zone, ("scheduled_at", "next_attempt_at"))


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


def settled_posts(session: Session) -> frozenset[str]:
    """Ids of the posts the queue has dealt with: queued once, and none of their
    publications waits any more (pending or retrying). A check need not warn
    that their time has passed: they went out, failed, were missed or cancelled."""
    waiting = (PublicationState.PENDING, PublicationState.RETRYING)
    rows = session.execute(
        select(Publication.post_id)
        .group_by(Publication.post_id)
        .having(func.sum(case((Publication.state.in_(waiting), 1), else_=0)) == 0)
    )
    return frozenset(post_id for (post_id,) in rows)


def state_counts(session: Session) -> dict[str, int]:
    """Publication state (its value) -> how many publications are in it; states
    with none are left out."""
    rows = session.execute(
        select(Publication.state, func.count()).group_by(Publication.state)
    ).all()
    return {str(state): int(count) for state, count in rows}


@dataclass
class PostDetail:
    """One post with its publications (each with its attempts loaded) and the
    audit entries that name it."""

    post: Post
    publications: list[Publication] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)


def post_detail(session: Session, post_id: str) -> PostDetail:
    """Everything stored about ``post_id``.

    :raises NotFoundError: no post with that id (with close ids as suggestions).
    """
    post = session.get(Post, post_id)
    if post is None:
        raise NotFoundError("post", post_id, suggestions=close_ids(session, post_id))
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


def _conference_offset(campaign: Campaign, instant: datetime) -> tuple[str, int]:
    """``("before", days)``, ``("day", number)`` or ``("after", days)``: where
    ``instant`` falls against the conference, on the campaign's local calendar."""
    day: date = instant.astimezone(campaign.zone).date()
    start, end = campaign.conference.start, campaign.conference.end
    if day < start:
        return "before", (start - day).days
    if day <= end:
        return "day", (day - start).days + 1
    return "after", (day - end).days


def countdown(campaign: Campaign, instant: datetime) -> str:
    """Days to the conference on the campaign's local calendar: ``T-5d`` before it,
    ``day 2`` during it, ``end+3d`` after it."""
    side, number = _conference_offset(campaign, instant)
    return {"before": f"T-{number}d", "day": f"day {number}", "after": f"end+{number}d"}[side]


def countdown_words(campaign: Campaign, instant: datetime) -> str:
    """:func:`countdown` for a sentence: ``5 days before the conference``,
    ``conference day 2``, ``3 days after the conference``."""
    side, number = _conference_offset(campaign, instant)
    if side == "day":
        return f"conference day {number}"
    return f"{number} day{'s' if number != 1 else ''} {side} the conference"
