"""The daemon with real APScheduler jobs on the memory platform: posts go out at
their time and never early, sync's changes are picked up while it runs, late
posts are caught up in order, several daemons never publish twice."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from scheduler.clock import Clock, ScaledClock, SystemClock, utc_now
from scheduler.config import CampaignConfig
from scheduler.daemon.runner import Daemon
from scheduler.errors import ConfigError
from scheduler.platforms.memory import MemoryPlatform, MemoryPublisher
from scheduler.storage import daemon_state
from scheduler.storage.database import make_engine, make_session_factory
from scheduler.storage.models import Attempt, Publication, PublicationState, Worker
from tests.conftest import Sessions
from tests.daemon.conftest import T0, Queue, publication, resolved

State = PublicationState
ACCOUNTS = ("x-main", "x-fr", "facebook-main")


def wait_for(condition: Callable[[], bool], timeout_s: float = 60.0) -> None:
    """Poll ``condition``; the generous timeout is for a loaded 2-core CI machine."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the daemon did not get there in time")
        time.sleep(0.02)


def states(sessions: Sessions) -> dict[int, State]:
    with sessions() as session:
        return {
            pid: state for pid, state in session.execute(select(Publication.id, Publication.state))
        }


def leave_claimed(sessions: Sessions, pid: int, worker_id: str, now: datetime) -> None:
    """Leave ``pid`` as a worker leaves it mid-publication: claimed, an hour of lease."""
    with sessions.begin() as session:
        session.execute(
            update(Publication)
            .where(Publication.id == pid)
            .values(
                state=State.PUBLISHING,
                claimed_by=worker_id,
                lease_expires_at=now + timedelta(hours=1),
                attempt_count=1,
            )
        )


@dataclass
class RunningCampaign:
    """A campaign run by real daemons: SQLite sessions, the memory platform on
    ``clock`` (the wall clock unless :meth:`on_clock` says otherwise), and a queue
    filled through the real sync."""

    sessions: Sessions
    config: CampaignConfig
    clock: Clock
    platform: MemoryPlatform
    queue: Queue
    start_daemon: Callable[..., Daemon]

    def start(self, **options: object) -> Daemon:
        """A daemon started on this campaign, stopped when the test ends."""
        return self.start_daemon(self.sessions, self.platform, self.clock, **options)

    def on_clock(self, clock: Clock) -> RunningCampaign:
        return replace(self, clock=clock, platform=MemoryPlatform(clock=clock))

    def publication(self, pid: int) -> Publication:
        return publication(self.sessions, pid)

    def all_published(self) -> bool:
        return set(states(self.sessions).values()) == {State.PUBLISHED}


@pytest.fixture
def running(
    sqlite_sessions: Sessions, config: CampaignConfig, start_daemon: Callable[..., Daemon]
) -> RunningCampaign:
    clock = SystemClock()
    return RunningCampaign(
        sqlite_sessions,
        config,
        clock,
        MemoryPlatform(clock=clock),
        Queue(sqlite_sessions, config),
        start_daemon,
    )


def test_each_post_goes_out_at_its_time_and_never_early(running: RunningCampaign) -> None:
    now = utc_now()
    posts = [
        resolved(f"p{n}", now + timedelta(seconds=1 + 0.1 * n), targets=(ACCOUNTS[n % 3],))
        for n in range(9)
    ]
    ids = running.queue.add(*posts, now=now)
    running.start()

    wait_for(running.all_published)

    for pid in ids:
        row = running.publication(pid)
        assert row.published_at is not None and row.published_at >= row.scheduled_at
    counts = {label: running.platform.count(label) for label in ACCOUNTS}
    assert counts == dict.fromkeys(ACCOUNTS, 3)


def test_changes_made_by_sync_while_running_are_picked_up(running: RunningCampaign) -> None:
    now = utc_now()
    queue = running.queue
    moved, cancelled = queue.add(
        resolved("moved", now + timedelta(hours=2)),
        # Far enough ahead that a slow machine syncs its removal before it is due.
        resolved("cancelled", now + timedelta(seconds=5)),
    )
    daemon = running.start()
    assert set(daemon.scheduled()) == {moved, cancelled}

    soon = utc_now() + timedelta(seconds=0.4)
    queue.posts["moved"] = resolved("moved", soon)
    del queue.posts["cancelled"]
    (added,) = queue.add(
        resolved("added", soon, text="added while running #StopClusterBombsNow"), now=utc_now()
    )

    wait_for(lambda: running.publication(moved).state == State.PUBLISHED)
    wait_for(lambda: running.publication(added).state == State.PUBLISHED)
    old_time = running.publication(cancelled).scheduled_at
    time.sleep(max(0.0, (old_time - utc_now()).total_seconds()) + 0.5)  # past its old time
    assert running.publication(cancelled).state == State.CANCELLED
    assert running.platform.count() == 2
    assert cancelled not in daemon.scheduled()


def test_late_posts_go_out_in_time_order_and_too_late_ones_are_missed(
    running: RunningCampaign,
) -> None:
    # The catch-up spacing of 10 s takes 0.5 s: at 100x, 50 ms of a loaded machine's
    # delay before the first post went out was 5 s of campaign time (CI saw 4.97 s apart).
    running = running.on_clock(ScaledClock(T0, speed=20))
    ten, twenty, three_hours = running.queue.add(
        resolved("ten", T0 - timedelta(minutes=10)),
        resolved("twenty", T0 - timedelta(minutes=20)),
        resolved("old", T0 - timedelta(hours=3)),
    )
    running.start()

    wait_for(lambda: running.publication(ten).state == State.PUBLISHED)
    wait_for(lambda: running.publication(twenty).state == State.PUBLISHED)
    wait_for(lambda: running.publication(three_hours).state == State.MISSED)
    first = running.publication(twenty).published_at
    second = running.publication(ten).published_at
    assert first is not None and second is not None
    # The earliest first, about catch_up_spacing_s (10 s) apart: the job times are
    # spaced; a few ms of wall time for the first post is a fraction of a second at 20x.
    assert second - first >= timedelta(seconds=5)
    assert "beyond the late grace" in (running.publication(three_hours).last_error or "")
    assert running.platform.count() == 2


def test_several_daemons_publish_each_post_exactly_once(
    db_url: str, config: CampaignConfig, start_daemon: Callable[..., Daemon]
) -> None:
    clock = SystemClock()
    platform = MemoryPlatform(clock=clock)
    engines = [make_engine(db_url) for _ in range(3)]
    daemons: list[Daemon] = []
    try:
        sessions = [make_session_factory(engine) for engine in engines]
        due = utc_now() + timedelta(seconds=1)
        posts = [resolved(f"p{n}", due, targets=(ACCOUNTS[n % 3],)) for n in range(45)]
        Queue(sessions[0], config).add(*posts, now=utc_now())
        daemons.extend(start_daemon(factory, platform, clock) for factory in sessions)

        wait_for(lambda: set(states(sessions[0]).values()) == {State.PUBLISHED}, timeout_s=120)
        for daemon in daemons:
            assert daemon.stop("test over", timeout_s=30) == 0

        assert platform.count() == 45
        with sessions[0]() as session:
            outcomes = session.execute(
                select(Attempt.outcome, func.count()).group_by(Attempt.outcome)
            ).all()
            workers = session.scalar(select(func.count(func.distinct(Attempt.worker_id))))
        assert outcomes == [("published", 45)]
        assert workers is not None and workers >= 1
    finally:
        for daemon in daemons:  # stopped before their engines go (no-op when stopped)
            daemon.stop("test over", timeout_s=30)
        for engine in engines:
            engine.dispose()


def test_a_claim_left_by_a_killed_process_on_this_host_is_taken_over_at_once(
    running: RunningCampaign,
) -> None:
    now = utc_now()
    (pid,) = running.queue.add(resolved("orphan", now), now=now)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_worker = f"{socket.gethostname()}:{gone.stdout.strip()}:dead00"
    daemon_state.register_worker(
        running.sessions, dead_worker, socket.gethostname(), int(gone.stdout), now
    )
    leave_claimed(running.sessions, pid, dead_worker, now)
    with running.sessions.begin() as session:
        session.add(Attempt(publication_id=pid, worker_id=dead_worker, started_at=now))

    running.start()

    wait_for(lambda: running.publication(pid).state == State.PUBLISHED)
    with running.sessions() as session:
        outcomes = list(session.scalars(select(Attempt.outcome).order_by(Attempt.id)))
    assert outcomes == ["crashed", "published"]
    assert running.platform.count() == 1


def test_stop_records_why_the_daemon_stopped(running: RunningCampaign) -> None:
    daemon = Daemon(
        config=running.config,
        sessions=running.sessions,
        clock=running.clock,
        publisher_factory=lambda account: MemoryPublisher(account.label, running.platform),
    )
    daemon.start()
    assert daemon.stop("SIGTERM received") == 0
    with running.sessions() as session:
        worker = session.get(Worker, daemon.worker_id)
        assert worker is not None
        assert worker.stop_reason == "SIGTERM received" and worker.stopped_at is not None


def test_a_window_smaller_than_a_crowd_due_at_one_instant_still_gets_through_it(
    running: RunningCampaign,
) -> None:
    now = utc_now()
    due = now + timedelta(seconds=3)  # not due before the assertion on a slow machine
    posts = [resolved(f"crowd-{n}", due, targets=(ACCOUNTS[n % 3],)) for n in range(25)]
    running.queue.add(*posts, now=now)
    daemon = running.start(max_window=6)
    assert len(daemon.scheduled()) == 6  # only a window of them in memory

    wait_for(running.all_published)
    assert running.platform.count() == 25


def test_a_daemon_restarted_under_the_same_name_rescues_its_predecessors_claims(
    running: RunningCampaign,
) -> None:
    now = utc_now()
    (pid,) = running.queue.add(resolved("named", now), now=now)
    dead_pid = 2**22 + 12345  # above the largest pid Linux hands out
    daemon_state.register_worker(
        running.sessions, "bench-daemon", socket.gethostname(), dead_pid, now
    )
    leave_claimed(running.sessions, pid, "bench-daemon", now)

    running.start(worker_id="bench-daemon")

    wait_for(lambda: running.publication(pid).state == State.PUBLISHED)
    assert running.platform.count() == 1


def test_two_live_daemons_may_not_share_a_name(running: RunningCampaign) -> None:
    daemon_state.register_worker(running.sessions, "twin", "another-host", 4242, utc_now())
    with pytest.raises(ConfigError, match="a daemon named twin is running on another-host"):
        running.start(worker_id="twin")


def test_posts_behind_a_running_daemon_are_not_spaced_like_posts_found_at_start(
    running: RunningCampaign,
) -> None:
    running.start()
    past = utc_now() - timedelta(minutes=5)  # within the grace; spacing would take 90 s
    running.queue.add(*(resolved(f"behind-{n}", past) for n in range(10)), now=utc_now())

    wait_for(running.all_published)
    assert running.platform.count("x-main") == 10


def test_an_account_without_credentials_is_paused_at_start_and_status_says_why(
    running: RunningCampaign,
) -> None:
    from scheduler.daemon.status import daemon_status

    def factory(account: object) -> MemoryPublisher:
        label = getattr(account, "label", "")
        if label == "x-fr":
            raise ConfigError("X_FR_X_KEY is not set", where="environment")
        return MemoryPublisher(label, running.platform)

    running.start(publisher_factory=factory)

    report = daemon_status(running.sessions, running.config, utc_now())
    accounts = {account.label: account for account in report.accounts}
    assert accounts["x-fr"].paused is not None
    assert "X_FR_X_KEY is not set" in accounts["x-fr"].paused
    assert "campaign resume --account x-fr" in accounts["x-fr"].paused
    assert accounts["x-main"].paused is None
