"""``campaign rehearse``: the whole real campaign against the local sandbox.

1. a fresh SQLite database at a path the caller prints (so ``campaign history``
   and the dashboard show the result afterwards);
2. ``posts/`` checked and synced exactly as ``campaign sync`` does;
3. one :class:`~scheduler.clock.ScaledClock` shared by the sandbox and the
   daemon: the campaign from its first post to its last plays in about
   ``target_wall_s`` (one minute) unless ``speed`` says otherwise;
4. the same daemon as ``campaign run``, against the sandbox's stand-in of
   every platform, with the sandbox's test credentials, and the fault plan if any;
   the database is marked as a rehearsal's (:mod:`scheduler.storage.facts`) and
   each post's link leads to the dashboard's page of what the sandbox received
   (saved in the database at the end, :mod:`scheduler.daemon.receipts`);
5. alerts go to its own local receiver, never to config.yaml's targets;
6. when every publication has settled: the report and the verdict
   (:mod:`scheduler.daemon.predict`), a duplicate check against what the
   sandbox stored, and the alerts received against the events (one each).

Two settings are adapted to the speed-up, and the report says so: the late
grace is at least half a second of wall time (a hiccup of the machine,
multiplied by the speed, must not miss posts), and HTTP timeouts are at most
five wall seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.alert_settings import AlertTarget
from scheduler.alerts.receiver import AlertReceiver
from scheduler.clock import ScaledClock
from scheduler.config import CampaignConfig
from scheduler.daemon.accounts import build_publisher
from scheduler.daemon.predict import FaultTracker, TrackedFaultPlan
from scheduler.daemon.receipts import ReceiptLinks, received_posts
from scheduler.daemon.rehearsal_files import check_faults, fresh_database
from scheduler.daemon.rehearsal_report import RehearsalResult, collect_result
from scheduler.daemon.rehearse_tokens import connect_in_sandbox, renewing_accounts, speed_cap
from scheduler.daemon.results import DatabaseFaults
from scheduler.daemon.runner import Daemon
from scheduler.errors import CampaignError, ConfigError
from scheduler.sandbox.app import Sandbox, build_sandbox, point_at_sandbox
from scheduler.sandbox.credentials import sandbox_environment
from scheduler.storage.database import open_database, reading, upgrade_database, writing
from scheduler.storage.facts import Rehearsal, mark_rehearsal
from scheduler.storage.models import AuditEntry, Hold, Publication, PublicationState
from scheduler.storage.queries import state_counts
from scheduler.storage.receipts import save_receipts
from scheduler.storage.service import check_and_sync
from scheduler.tokens.cipher import TOKEN_KEYS_ENV, new_key
from scheduler.validation_words import counted

logger = logging.getLogger(__name__)

MIN_GRACE_WALL_S = 0.5
MAX_REQUEST_TIMEOUT_S = 5.0
LEAD_WALL_S = 2.0
SETTLE_SLACK_WALL_S = 30.0
ALERTS_VARIABLE = "CAMPAIGN_REHEARSAL_ALERTS_URL"
ACTIVE = (PublicationState.PENDING, PublicationState.RETRYING, PublicationState.PUBLISHING)


@dataclass(frozen=True)
class Progress:
    """A snapshot while the rehearsal runs: campaign ``now``, counts by state, total."""

    now: datetime
    counts: dict[str, int]
    total: int
    first_due: datetime
    last_due: datetime


@dataclass
class RehearsalOptions:
    """``speed``: campaign seconds per wall second (None: the campaign in about
    ``target_wall_s``); ``faults``: a fault plan (``--faults``); ``database``:
    where the SQLite file goes (None: a new temporary folder); ``prepare_sandbox``
    changes the sandbox before the daemon starts (a test makes a token expire);
    ``daemons``: how many daemons publish the queue together; ``token_life_s``:
    how long the sandbox's renewable access tokens last, in campaign seconds
    (None: the platform's own, X's two hours)."""

    speed: float | None = None
    faults: str | None = None
    database: Path | None = None
    target_wall_s: float = 60.0
    on_progress: Callable[[Progress], None] | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    prepare_sandbox: Callable[[Sandbox], None] | None = None
    daemons: int = 1
    token_life_s: float | None = None


def rehearsal_config(config: CampaignConfig, url: str, speed: float) -> CampaignConfig:
    """``config`` pointed at the sandbox at ``url``, refreshing often, short HTTP timeouts."""
    live = point_at_sandbox(config, url)
    platforms = {
        key: settings.with_timeout_at_most(MAX_REQUEST_TIMEOUT_S)
        for key, settings in live.platforms.items()
    }
    publishing = live.publishing.model_copy(
        update={"refresh_s": min(live.publishing.refresh_s, 0.2)}
    )
    # Every event to the rehearsal's own receiver, never to the team's targets.
    alerts = live.alerts.model_copy(update={"targets": (AlertTarget(url_env=ALERTS_VARIABLE),)})
    rehearsed = live.model_copy(
        update={"platforms": platforms, "publishing": publishing, "alerts": alerts}
    )
    rehearsed._base_dir = config._base_dir
    return rehearsed


def _due_range(sessions: sessionmaker[Session]) -> tuple[datetime, datetime, int]:
    with reading(sessions) as session:
        first, last, total = session.execute(
            select(
                func.min(Publication.scheduled_at), func.max(Publication.scheduled_at), func.count()
            )
        ).one()
    if not total:
        raise ConfigError("posts/ holds no approved post to rehearse", where="posts/")
    return first, last, int(total)


def run_rehearsal(config: CampaignConfig, options: RehearsalOptions) -> RehearsalResult:
    """Run the rehearsal (module docstring) and return its result.

    :raises ConfigError: a bad fault plan or database path, or nothing to rehearse.
    :raises ContentError | CampaignError: posts/ does not pass ``campaign check``.
    """
    tracker = FaultTracker()
    plan = TrackedFaultPlan(faults=list(check_faults(options.faults).faults), listener=tracker)
    path = fresh_database(options.database)
    url = f"sqlite:///{path}"
    upgrade_database(url)
    engine, sessions = open_database(url)
    try:
        planned_now = config.campaign.window_start - timedelta(days=1)
        outcome = check_and_sync(config, sessions, now=planned_now)
        if outcome.diff is None:
            errors = outcome.report.errors
            listing = "\n".join(f"- {problem}" for problem in errors[:10])
            raise CampaignError(
                f"posts/ does not pass `campaign check` ({counted(len(errors), 'error')}); "
                f"nothing was rehearsed:\n{listing}"
            )
        first, last, total = _due_range(sessions)
        span = max((last - first).total_seconds(), 1.0)
        speed = options.speed or max(1.0, span / options.target_wall_s)
        environ = sandbox_environment(config)
        environ[TOKEN_KEYS_ENV] = new_key()
        renewing = renewing_accounts(config, environ)
        if renewing and speed > speed_cap(options.token_life_s):
            speed = speed_cap(options.token_life_s)
            logger.warning("speed capped at %.0fx: access tokens last wall seconds", speed)
        start = first - timedelta(seconds=LEAD_WALL_S * speed)
        clock = ScaledClock(start, speed)
        tracker.now = clock.now
        with writing(sessions) as session:
            mark_rehearsal(session, Rehearsal(speed, start, options.faults or ""), start)
            session.add(
                AuditEntry(
                    at=start,
                    actor="campaign rehearse",
                    action="rehearse",
                    target="campaign",
                    reason=f"rehearsal at {speed:.0f}x against the sandbox",
                    detail=f"faults: {options.faults or 'none'}",
                )
            )
        grace = max(
            timedelta(minutes=config.publishing.late_grace_min),
            timedelta(seconds=MIN_GRACE_WALL_S * speed),
        )
        lives = {"access_token_lifetime_s": options.token_life_s} if options.token_life_s else {}
        platform_options = {account.platform: lives for account in renewing}
        sandbox = build_sandbox(config, clock, plan, options=platform_options).start()
        if options.prepare_sandbox is not None:
            options.prepare_sandbox(sandbox)
        receiver = AlertReceiver().start()
        live = rehearsal_config(config, sandbox.url, speed)
        environ[ALERTS_VARIABLE] = receiver.url
        connect_in_sandbox(renewing, sandbox, sessions, environ, clock)

        def daemon(number: int) -> Daemon:
            writer = f"rehearsal daemon {number}"
            return Daemon(
                config=live,
                sessions=sessions,
                clock=clock,
                publisher_factory=lambda account: ReceiptLinks(
                    build_publisher(live, account, environ, clock, sessions=sessions, writer=writer)
                ),
                worker_id=f"rehearsal-{number}",
                grace=grace,
                observer=tracker.observe,
                alerts_environ=environ,
                alerts_interval_wall_s=0.1,
                database_faults=DatabaseFaults(plan),
            )

        daemons = [daemon(number) for number in range(1, max(1, options.daemons) + 1)]
        # Building the publishers (their client libraries' imports: atproto's alone
        # takes most of a second) is set-up too, done before the clock starts.
        for each in daemons:
            each.warm_up()
        # The set-up above may take seconds on a busy machine, days of campaign time:
        # the campaign starts now, its lead before the first post intact.
        clock.restart()
        wall_started = time.monotonic()
        try:
            for each in daemons:
                each.start()
            deadline = wall_started + span / speed + LEAD_WALL_S + SETTLE_SLACK_WALL_S
            settled = _wait(sessions, clock, first, last, total, options, deadline)
        finally:
            for each in daemons:
                each.stop("rehearsal over", timeout_s=MAX_REQUEST_TIMEOUT_S)
            sandbox.stop()
            receiver.stop()
            with writing(sessions) as session:
                save_receipts(session, received_posts(sandbox, config))
        return collect_result(
            sessions,
            config,
            sandbox,
            tracker,
            database_path=path,
            speed=speed,
            grace=grace,
            faults=options.faults,
            settled=settled,
            wall_seconds=time.monotonic() - wall_started,
            alerts=receiver.alerts(),
        )
    finally:
        engine.dispose()


def _wait(
    sessions: sessionmaker[Session],
    clock: ScaledClock,
    first: datetime,
    last: datetime,
    total: int,
    options: RehearsalOptions,
    deadline: float,
) -> bool:
    """Until every publication has settled (True), the deadline passed or ``stop`` (False)."""
    while not options.stop.wait(0.25):
        now = clock.now()
        with reading(sessions) as session:
            counts = state_counts(session)
            held = {hold.scope for hold in session.scalars(select(Hold))}
            active = session.execute(
                select(Publication.account_label, Publication.state).where(
                    Publication.state.in_(ACTIVE)
                )
            ).all()
        if options.on_progress is not None:
            options.on_progress(Progress(now, counts, total, first, last))
        waiting = [
            label
            for label, state in active
            if state == PublicationState.PUBLISHING
            or ("campaign" not in held and f"account:{label}" not in held)
        ]
        if now > last and not waiting:
            return True
        if time.monotonic() > deadline:
            logger.error(
                "the rehearsal did not settle in time: %d publication(s) still active", len(waiting)
            )
            return False
    return False
