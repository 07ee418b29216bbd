"""``campaign status``: is the daemon alive, what is next, what needs a person.

One read-only pass over the database: each daemon's heartbeat, the next
publications, counts by state, pauses (campaign and accounts), today's posts
per account against its daily cap, rate-limit waits, anything overdue, and the
alert targets: what waits for each, and the last error of one that stays down.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Executable, func, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.config import CampaignConfig
from scheduler.daemon.concerns import Concern, publications
from scheduler.daemon.identity import HEARTBEAT_WALL_S, STALE_HEARTBEATS
from scheduler.daemon.limits import AccountLimits
from scheduler.storage.database import reading
from scheduler.storage.deliveries import TargetBacklog, target_backlog
from scheduler.storage.facts import DatabaseFacts, Rehearsal, read_facts
from scheduler.storage.models import (
    QUEUED,
    AccountState,
    Hold,
    Publication,
    Worker,
)
from scheduler.storage.queries import state_counts
from scheduler.storage.skew_holds import CLOCK_SKEW, hold_state


@dataclass(frozen=True)
class WorkerStatus:
    """One daemon: ``alive`` when it has not stopped and beat within three intervals."""

    worker_id: str
    hostname: str
    pid: int
    started_at: datetime
    heartbeat_at: datetime
    stopped_at: datetime | None
    stop_reason: str | None
    alive: bool


@dataclass(frozen=True)
class UpcomingPost:
    """A queued publication; ``due_at`` is when the daemon will next try it (UTC)."""

    publication_id: int
    post_id: str
    account_label: str
    state: str
    due_at: datetime
    last_error: str | None


@dataclass(frozen=True)
class AccountStatus:
    """An account today: posts in its local day against the cap, pause, rate-limit wait."""

    label: str
    platform: str
    posts_today: int
    daily_cap: int
    paused: str | None
    rate_limited_until: datetime | None


@dataclass
class StatusReport:
    """Everything ``campaign status`` shows; datetimes aware UTC.

    ``queued`` counts publications waiting to go out (pending or retrying), as
    ``upcoming`` and ``overdue`` together list them; ``rehearsal`` is set for a
    rehearsal's database (nothing there publishes for real, and no daemon
    should be started on it).
    """

    now: datetime
    workers: list[WorkerStatus] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    upcoming: list[UpcomingPost] = field(default_factory=list)
    overdue: list[UpcomingPost] = field(default_factory=list)
    overdue_count: int = 0
    holds: dict[str, str] = field(default_factory=dict)
    accounts: list[AccountStatus] = field(default_factory=list)
    alerts: list[TargetBacklog] = field(default_factory=list)
    rehearsal: Rehearsal | None = None

    @property
    def alive(self) -> list[WorkerStatus]:
        return [worker for worker in self.workers if worker.alive]

    @property
    def queued(self) -> int:
        return sum(self.counts.get(state, 0) for state in QUEUED)

    @property
    def publishing(self) -> bool:
        """True when a daemon is alive and no campaign-wide pause holds it."""
        return bool(self.alive) and "campaign" not in self.holds

    @property
    def concerns(self) -> list[Concern]:
        """What a person should look at, most urgent first; each said once."""
        found: list[Concern] = []
        for scope, reason in self.holds.items():
            who = "the whole campaign" if scope == "campaign" else scope.removeprefix("account:")
            if hold_state(reason) == CLOCK_SKEW:
                words = f"{who} waits: {CLOCK_SKEW}, lifted by itself once the clock is right"
                found.append(Concern(CLOCK_SKEW, 1, words, "", scope))
                continue
            resume = "" if scope == "campaign" else f" --account {who}"
            found.append(
                Concern("paused", 1, f"{who} is paused", f"campaign resume{resume}", scope)
            )
        if not self.alive and self.queued and self.rehearsal is None:
            waiting = publications(self.queued, "waits", "wait")
            found.append(
                Concern(
                    "no-daemon",
                    self.queued,
                    f"no daemon is running and {waiting}: nothing will go out until one starts",
                    "campaign run",
                )
            )
        if self.queued and self.rehearsal is not None and not self.alive:
            found.append(
                Concern(
                    "no-daemon",
                    self.queued,
                    f"the rehearsal stopped with {publications(self.queued, 'waiting', 'waiting')}"
                    " (a rehearsal's database is never published from)",
                    "campaign rehearse",
                )
            )
        wording = {
            "needs_review": ("needs review", "need review"),
            "failed": ("failed", "failed"),
            "missed": ("was missed", "were missed"),
        }
        for state, (singular, plural) in wording.items():
            count = self.counts.get(state, 0)
            if count:
                found.append(
                    Concern(
                        state,
                        count,
                        publications(count, singular, plural),
                        f"campaign history --state {state}",
                    )
                )
        if self.overdue_count:
            found.append(
                Concern(
                    "overdue",
                    self.overdue_count,
                    publications(self.overdue_count, "is overdue", "are overdue")
                    + " (due and not sent yet)",
                )
            )
        for target in self.alerts:
            if target.failed or (target.pending and target.last_error):
                found.append(
                    Concern(
                        "alerts",
                        target.pending + target.failed,
                        f"alerts to {target.target} are not getting through ({target.pending} "
                        f"waiting, {target.failed} given up): {target.last_error}",
                        "campaign alerts test",
                    )
                )
        return found

    @property
    def attention(self) -> list[str]:
        """One line per thing a person should look at, most urgent first."""
        return [concern.line for concern in self.concerns]


def _posts(session: Session, query: Executable) -> list[UpcomingPost]:
    return [
        UpcomingPost(pid, post, label, str(state), due, error)
        for pid, post, label, state, due, error in session.execute(query)
    ]


def daemon_status(
    sessions: sessionmaker[Session],
    config: CampaignConfig,
    now: datetime,
    *,
    upcoming: int = 10,
    overdue_after: timedelta = timedelta(minutes=1),
    facts: DatabaseFacts | None = None,
) -> StatusReport:
    """Read the status at ``now`` (aware UTC); ``facts`` (read when None)
    says whether the database is a rehearsal's.

    :raises StorageError: when the database cannot be read.
    """
    report = StatusReport(now=now)
    stale = timedelta(seconds=HEARTBEAT_WALL_S * STALE_HEARTBEATS)
    columns = (
        Publication.id,
        Publication.post_id,
        Publication.account_label,
        Publication.state,
        Publication.next_attempt_at,
        Publication.last_error,
    )
    with reading(sessions) as session:
        report.rehearsal = (facts or read_facts(session)).rehearsal
        for worker in session.scalars(select(Worker).order_by(Worker.started_at.desc())):
            alive = worker.stopped_at is None and now - worker.heartbeat_at <= stale
            report.workers.append(
                WorkerStatus(
                    worker.id,
                    worker.hostname,
                    worker.pid,
                    worker.started_at,
                    worker.heartbeat_at,
                    worker.stopped_at,
                    worker.stop_reason,
                    alive,
                )
            )
        report.counts = state_counts(session)
        queued = Publication.state.in_(QUEUED)
        late = queued & (Publication.next_attempt_at < now - overdue_after)
        report.overdue_count = int(
            session.scalar(select(func.count()).select_from(Publication).where(late)) or 0
        )
        report.overdue = _posts(
            session,
            select(*columns).where(late).order_by(Publication.next_attempt_at).limit(upcoming),
        )
        report.upcoming = _posts(
            session,
            select(*columns)
            .where(queued, Publication.next_attempt_at >= now - overdue_after)
            .order_by(Publication.next_attempt_at)
            .limit(upcoming),
        )
        report.holds = {
            hold.scope: hold.reason
            for hold in session.scalars(select(Hold).order_by(Hold.scope))
            if hold.until is None or hold.until > now
        }
        waits = {row.label: row.rate_limited_until for row in session.scalars(select(AccountState))}
        limits = AccountLimits(config)
        for account in config.accounts:
            start, end = limits.day_bounds(account.label, now)
            today = session.scalar(
                select(func.count())
                .select_from(Publication)
                .where(
                    Publication.account_label == account.label,
                    Publication.published_at >= start,
                    Publication.published_at < end,
                )
            )
            wait = waits.get(account.label)
            paused = report.holds.get(f"account:{account.label}")
            report.accounts.append(
                AccountStatus(
                    account.label,
                    account.platform,
                    int(today or 0),
                    account.daily_cap,
                    paused,
                    wait if wait is not None and wait > now else None,
                )
            )
    report.alerts = target_backlog(sessions)
    return report
