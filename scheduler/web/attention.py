"""What needs a person: failed, missed and needs-review publications, overdue
work, paused and rate-limited accounts, a campaign-wide pause, and the
daemons' heartbeats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from scheduler.config import CampaignConfig
from scheduler.storage.actions import CAMPAIGN_SCOPE, active_holds
from scheduler.storage.models import (
    UPCOMING_STATES,
    AccountState,
    Hold,
    Publication,
    PublicationState,
    Worker,
)
from scheduler.storage.queries import QueueFilter, TimelineRow, timeline
from scheduler.web.post_page import CANCELLABLE, RESOLVABLE, RETRYABLE

PROBLEM_STATES = (
    PublicationState.NEEDS_REVIEW,
    PublicationState.FAILED,
    PublicationState.MISSED,
)
# Work still waiting this long after it was due is shown as overdue: longer than
# any daemon's reaction time, short enough to catch a daemon that is down.
OVERDUE_AFTER = timedelta(minutes=5)
ACCOUNT_SCOPE_PREFIX = "account:"


@dataclass(frozen=True)
class Issue:
    """A publication that needs a look (a timeline row and the actions it allows)."""

    row: TimelineRow

    @property
    def id(self) -> int:
        """The publication's id (what the action forms post to)."""
        return self.row.publication_id

    @property
    def can_retry(self) -> bool:
        return self.row.state in RETRYABLE

    @property
    def can_cancel(self) -> bool:
        return self.row.state in CANCELLABLE

    @property
    def can_resolve(self) -> bool:
        return self.row.state in RESOLVABLE


@dataclass(frozen=True)
class HoldView:
    """A pause: ``label`` is the account label, or empty for the whole campaign."""

    scope: str
    label: str
    reason: str
    actor: str
    since: datetime
    until: datetime | None


@dataclass(frozen=True)
class RateLimit:
    """An account no daemon calls before ``until`` (aware UTC), and why."""

    label: str
    until: datetime
    reason: str | None


@dataclass(frozen=True)
class WorkerView:
    """A daemon's heartbeat; ``alive`` when it beat within one lease of now."""

    id: str
    hostname: str
    pid: int
    started_at: datetime
    heartbeat_at: datetime
    stopped_at: datetime | None
    stop_reason: str | None
    alive: bool


@dataclass(frozen=True)
class Attention:
    """The attention page; ``count`` is the number shown in the navigation."""

    problems: tuple[Issue, ...]
    overdue: tuple[Issue, ...]
    campaign_hold: HoldView | None
    account_holds: tuple[HoldView, ...]
    rate_limits: tuple[RateLimit, ...]
    workers: tuple[WorkerView, ...]

    @property
    def count(self) -> int:
        return (
            len(self.problems)
            + len(self.overdue)
            + len(self.account_holds)
            + (self.campaign_hold is not None)
        )


def _hold(hold: Hold) -> HoldView:
    label = "" if hold.scope == CAMPAIGN_SCOPE else hold.scope.removeprefix(ACCOUNT_SCOPE_PREFIX)
    return HoldView(hold.scope, label, hold.reason, hold.actor, hold.since, hold.until)


def load_attention(session: Session, config: CampaignConfig, now: datetime) -> Attention:
    """Everything that needs a person at ``now`` (aware UTC), oldest first."""
    late = now - OVERDUE_AFTER
    overdue = [
        row for row in timeline(session, QueueFilter(until=late)) if row.next_attempt_at < late
    ]
    holds = [_hold(hold) for hold in active_holds(session, now)]
    lease = timedelta(seconds=config.publishing.lease_s)
    workers = tuple(
        WorkerView(
            w.id,
            w.hostname,
            w.pid,
            w.started_at,
            w.heartbeat_at,
            w.stopped_at,
            w.stop_reason,
            alive=w.stopped_at is None and now - w.heartbeat_at <= lease,
        )
        for w in session.scalars(select(Worker).order_by(Worker.heartbeat_at.desc()))
    )
    limited = session.scalars(
        select(AccountState)
        .where(AccountState.rate_limited_until > now)
        .order_by(AccountState.label)
    )
    return Attention(
        problems=tuple(Issue(row) for row in timeline(session, QueueFilter(states=PROBLEM_STATES))),
        overdue=tuple(Issue(row) for row in overdue),
        campaign_hold=next((hold for hold in holds if hold.scope == CAMPAIGN_SCOPE), None),
        account_holds=tuple(hold for hold in holds if hold.scope != CAMPAIGN_SCOPE),
        rate_limits=tuple(
            RateLimit(state.label, state.rate_limited_until, state.rate_limit_reason)
            for state in limited
            if state.rate_limited_until is not None
        ),
        workers=workers,
    )


def attention_count(session: Session, now: datetime) -> int:
    """The navigation badge: problem and overdue publications plus pauses in force
    (two indexed counts, cheap enough for every page)."""
    late = now - OVERDUE_AFTER
    publications = session.scalar(
        select(func.count())
        .select_from(Publication)
        .where(
            or_(
                Publication.state.in_(PROBLEM_STATES),
                and_(
                    Publication.state.in_(UPCOMING_STATES),
                    Publication.scheduled_at < late,
                    Publication.next_attempt_at < late,
                ),
            )
        )
    )
    holds = session.scalar(
        select(func.count()).select_from(Hold).where(or_(Hold.until.is_(None), Hold.until > now))
    )
    return int(publications or 0) + int(holds or 0)
