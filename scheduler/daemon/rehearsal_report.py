"""The rehearsal's result: what went out where and when, what each injected
fault did, what is left for review, whether the platform holds exactly one
post per published publication, what the platforms that bill would charge,
and the alerts the rehearsal's receiver got against the events recorded (one
message per event)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.alert_settings import EVENT_KINDS
from scheduler.alerts.receiver import ReceivedAlert
from scheduler.config import CampaignConfig
from scheduler.daemon.predict import FaultTracker, Hit, Outcome, Row, predict
from scheduler.platforms import registry
from scheduler.platforms.facts import Price
from scheduler.sandbox.app import Sandbox
from scheduler.storage.attempts import spent_usd
from scheduler.storage.database import reading
from scheduler.storage.models import Attempt, Publication
from scheduler.storage.outbox import StoredEvent, recorded_events


@dataclass(frozen=True)
class Bill:
    """What one platform would charge for the rehearsal's requests at the prices of
    config.yaml: each priced operation with how many the sandbox answered;
    ``recorded_usd`` is what the attempts recorded for its accounts (the daemon's
    own estimate, which ``campaign check`` predicts)."""

    platform: str
    setting: str
    lines: tuple[tuple[Price, int], ...]
    recorded_usd: float = 0.0

    @property
    def total_usd(self) -> float:
        return sum(price.usd * count for price, count in self.lines)


@dataclass
class RehearsalResult:
    """Everything the report shows. ``ok`` is the exit status: settled in time,
    every publication as the fault plan predicts, no duplicate on the platform."""

    database_path: Path
    speed: float
    grace: timedelta
    faults: str | None
    settled: bool
    wall_seconds: float
    outcomes: list[Outcome] = field(default_factory=list)
    per_account_day: dict[str, Counter[date]] = field(default_factory=dict)
    hits: list[tuple[Hit, list[str]]] = field(default_factory=list)
    review: list[tuple[str, str]] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    unrecorded: list[str] = field(default_factory=list)
    lateness_s: list[float] = field(default_factory=list)
    bills: list[Bill] = field(default_factory=list)
    alerts: list[ReceivedAlert] = field(default_factory=list)
    events: list[StoredEvent] = field(default_factory=list)

    @property
    def undelivered(self) -> list[StoredEvent]:
        """Events a target hears whose alert the receiver did not get."""
        got = {alert.event_id for alert in self.alerts}
        return [e for e in self.events if e.kind in EVENT_KINDS and e.event_id not in got]

    @property
    def repeated_alerts(self) -> list[str]:
        """Event ids the receiver got more than once."""
        seen = Counter(alert.event_id for alert in self.alerts)
        return sorted(event_id for event_id, count in seen.items() if count > 1)

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database_path}"

    @property
    def surprises(self) -> list[Outcome]:
        """Publications that did not end as the fault plan predicts."""
        return [outcome for outcome in self.outcomes if not outcome.as_predicted]

    @property
    def ok(self) -> bool:
        return (
            self.settled
            and not self.surprises
            and not self.duplicates
            and not self.undelivered
            and not self.repeated_alerts
        )

    def states(self) -> Counter[str]:
        return Counter(outcome.state for outcome in self.outcomes)


def _normal(text: str) -> str:
    return " ".join(text.split())


def _platform_posts(sandbox: Sandbox, config: CampaignConfig) -> dict[str, list[tuple[str, str]]]:
    """Account label -> [(platform post id, text as sent)] of what the sandbox stored."""
    stored: dict[str, list[tuple[str, str]]] = {}
    for account in config.accounts:
        stand_in = sandbox.platforms.get(account.platform)
        sent = stand_in.sent(account.label) if stand_in is not None else []
        stored[account.label] = [(post.post_id, post.text) for post in sent]
    return stored


def _bills(
    sandbox: Sandbox, config: CampaignConfig, spent: Mapping[str, float] | None = None
) -> list[Bill]:
    """A bill per platform that has prices (its profile's, after config.yaml's);
    ``spent`` is what the attempts recorded per account label."""
    spent = spent or {}
    bills = []
    for profile in registry.profiles():
        prices = profile.prices(config.platforms[profile.key])
        stand_in = sandbox.platforms.get(profile.key)
        if not prices or stand_in is None:
            continue
        counts = stand_in.billed()
        lines = tuple((price, counts[price.operation]) for price in prices)
        recorded = sum(
            spent.get(account.label, 0.0)
            for account in config.accounts
            if account.platform == profile.key
        )
        setting = f"platforms.{profile.key}.prices"
        bills.append(Bill(profile.display_name, setting, lines, recorded))
    return bills


def collect_result(
    sessions: sessionmaker[Session],
    config: CampaignConfig,
    sandbox: Sandbox,
    tracker: FaultTracker,
    *,
    database_path: Path,
    speed: float,
    grace: timedelta,
    faults: str | None,
    settled: bool,
    wall_seconds: float,
    alerts: list[ReceivedAlert] | None = None,
) -> RehearsalResult:
    """Read the database and the sandbox after the run and build the result;
    ``alerts`` are what the rehearsal's receiver got."""
    result = RehearsalResult(database_path, speed, grace, faults, settled, wall_seconds)
    result.alerts = list(alerts or [])
    result.events = [e for e in recorded_events(sessions) if e.kind in EVENT_KINDS]
    zone = config.campaign.zone
    rows: list[Row] = []
    recorded: dict[str, set[str]] = defaultdict(set)
    names: dict[int, str] = {}
    with reading(sessions) as session:
        publications = session.scalars(select(Publication).order_by(Publication.scheduled_at))
        for publication in publications:
            state = str(publication.state)
            rows.append(
                Row(
                    publication.id,
                    publication.post_id,
                    publication.account_label,
                    publication.scheduled_at,
                    state,
                )
            )
            names[publication.id] = f"{publication.post_id}@{publication.account_label}"
            if publication.platform_post_id:
                recorded[publication.account_label].add(publication.platform_post_id)
            if publication.published_at is not None:
                day = publication.published_at.astimezone(zone).date()
                result.per_account_day.setdefault(publication.account_label, Counter())[day] += 1
                late = (publication.published_at - publication.scheduled_at).total_seconds()
                result.lateness_s.append(late)
            if state == "needs_review":
                result.review.append((names[publication.id], publication.last_error or ""))
        trail: dict[int, list[str]] = defaultdict(list)
        for publication_id, outcome in session.execute(
            select(Attempt.publication_id, Attempt.outcome).order_by(Attempt.id)
        ):
            trail[publication_id].append(outcome or "open")
    result.outcomes = predict(rows, tracker.hits)
    ended = {outcome.publication_id: outcome.state for outcome in result.outcomes}
    for hit in tracker.hits:
        story = [
            f"{names.get(pid, pid)}: {' -> '.join(trail.get(pid, []))} => {ended.get(pid, '?')}"
            for pid in hit.publication_ids
        ]
        result.hits.append((hit, story))
    for label, posts in _platform_posts(sandbox, config).items():
        texts = Counter(_normal(text) for _, text in posts)
        for text, count in texts.items():
            if count > 1:
                result.duplicates.append(f"{label}: {count} posts with the text {text[:60]!r}")
        for post_id, text in posts:
            if post_id not in recorded[label]:
                result.unrecorded.append(f"{label}: post {post_id} ({text[:40]!r}) is not recorded")
    result.bills = _bills(sandbox, config, spent_usd(sessions))
    return result
