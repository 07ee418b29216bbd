"""What needs a person: failed, missed and needs-review publications, overdue
work, a campaign-wide pause, paused accounts, and, from the daemon's status
report (what ``campaign status`` prints), each daemon's heartbeat and each
account's day: posts against its cap, pause, rate-limit wait."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.config import CampaignConfig
from scheduler.daemon.status import StatusReport, daemon_status
from scheduler.platforms.fixes import refusal_fix
from scheduler.storage.actions import CAMPAIGN_SCOPE, active_holds
from scheduler.storage.database import reading
from scheduler.storage.models import (
    UPCOMING_STATES,
    Attempt,
    Hold,
    Publication,
    PublicationState,
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
    """A publication that needs a look (a timeline row and the actions it allows);
    ``fix`` says how a person settles what the platform refused, when it refused."""

    row: TimelineRow
    fix: str | None = None

    @property
    def id(self) -> int:
        """The publication's id (what the action forms post to)."""
        return self.row.publication_id

    @property
    def state(self) -> str:
        """The publication's state value."""
        return self.row.state

    @property
    def can_retry(self) -> bool:
        return self.row.state in RETRYABLE

    @property
    def can_cancel(self) -> bool:
        return self.row.state in CANCELLABLE

    @property
    def can_resolve(self) -> bool:
        return self.row.state in RESOLVABLE

    @property
    def can_withdraw(self) -> bool:
        return False  # what needs attention never went out: nothing to take down


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
class Attention:
    """The attention page; ``count`` is the number shown in the navigation."""

    problems: tuple[Issue, ...]
    overdue: tuple[Issue, ...]
    campaign_hold: HoldView | None
    account_holds: tuple[HoldView, ...]
    status: StatusReport

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


def load_attention(
    sessions: sessionmaker[Session], config: CampaignConfig, now: datetime
) -> Attention:
    """Everything that needs a person at ``now`` (aware UTC), oldest first, in two
    short reads (this page's and the daemon's status report)."""
    late = now - OVERDUE_AFTER
    with reading(sessions) as session:
        problems = timeline(session, QueueFilter(states=PROBLEM_STATES))
        overdue = [
            row for row in timeline(session, QueueFilter(until=late)) if row.next_attempt_at < late
        ]
        holds = [_hold(hold) for hold in active_holds(session, now)]
        last = _last_attempts(session, [row.publication_id for row in problems])
    return Attention(
        problems=tuple(Issue(row, _fix(row, last.get(row.publication_id))) for row in problems),
        overdue=tuple(Issue(row) for row in overdue),
        campaign_hold=next((hold for hold in holds if hold.scope == CAMPAIGN_SCOPE), None),
        account_holds=tuple(hold for hold in holds if hold.scope != CAMPAIGN_SCOPE),
        status=daemon_status(sessions, config, now, overdue_after=OVERDUE_AFTER),
    )


def _last_attempts(
    session: Session, publication_ids: list[int]
) -> dict[int, tuple[str | None, str | None, int | None]]:
    """Publication id -> (outcome, platform code, HTTP status) of its latest attempt."""
    if not publication_ids:
        return {}
    latest = (
        select(func.max(Attempt.id))
        .where(Attempt.publication_id.in_(publication_ids))
        .group_by(Attempt.publication_id)
    )
    rows = session.execute(
        select(
            Attempt.publication_id, Attempt.outcome, Attempt.platform_code, Attempt.http_status
        ).where(Attempt.id.in_(latest))
    )
    return {pid: (outcome, code, status) for pid, outcome, code, status in rows}


def _fix(row: TimelineRow, attempt: tuple[str | None, str | None, int | None] | None) -> str | None:
    if row.state == PublicationState.MISSED:
        return refusal_fix(row.platform, "missed", None, None)
    if attempt is None:
        return None
    outcome, code, status = attempt
    return refusal_fix(row.platform, outcome, code, status)


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
