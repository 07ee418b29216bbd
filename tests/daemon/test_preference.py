"""Several daemons share the work: each account's posts go first to one preferred
live daemon; the others fire a moment later and claim only if the post is
still queued, so they cost a read while it lives and take over when it dies."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from scheduler.clock import SystemClock, utc_now
from scheduler.config import CampaignConfig
from scheduler.daemon import jobs
from scheduler.daemon.preference import STANDBY_WALL_S, Preference, preferred_daemon
from scheduler.daemon.runner import Daemon
from scheduler.platforms.memory import MemoryPlatform
from scheduler.storage.database import make_engine, make_session_factory
from scheduler.storage.models import Attempt, PublicationState
from tests.conftest import Sessions
from tests.daemon.conftest import Queue, publication, resolved
from tests.daemon.test_runner import wait_for

ACCOUNTS = ("x-main", "x-fr", "facebook-main")
State = PublicationState


def test_every_daemon_agrees_and_a_leaving_daemon_moves_only_its_accounts() -> None:
    labels = [f"account-{n}" for n in range(60)]
    three = ["host:1:aaaaaa", "host:2:bbbbbb", "host:3:cccccc"]
    chosen = {label: preferred_daemon(three, label) for label in labels}
    assert chosen == {label: preferred_daemon(list(reversed(three)), label) for label in labels}
    assert set(chosen.values()) == set(three)  # shared, not all on one
    two = three[:2]
    for label in labels:
        if chosen[label] != three[2]:
            assert preferred_daemon(two, label) == chosen[label]
    alone = Preference("host:9:zzzzzz")
    assert not alone.standby("account-1")  # alone, it goes first for everything


def _two_daemons(
    sqlite_url: str, config: CampaignConfig, start_daemon: Callable[..., Daemon]
) -> tuple[list[Sessions], list[Daemon], MemoryPlatform]:
    clock = SystemClock()
    platform = MemoryPlatform(clock=clock)
    sessions = [make_session_factory(make_engine(sqlite_url)) for _ in range(2)]
    daemons = [start_daemon(factory, platform, clock) for factory in sessions]
    for daemon in daemons:
        daemon.tick()  # each sees the other
    return sessions, daemons, platform


def test_only_the_preferred_daemon_claims_while_it_lives(
    sqlite_url: str, config: CampaignConfig, start_daemon: Callable[..., Daemon]
) -> None:
    sessions, daemons, platform = _two_daemons(sqlite_url, config, start_daemon)
    live = daemons[0].preference.live()
    assert set(live) == {daemon.worker_id for daemon in daemons}
    now = utc_now()
    posts = [
        resolved(f"p{n}", now + timedelta(seconds=1.5), targets=(ACCOUNTS[n % 3],))
        for n in range(9)
    ]
    ids = Queue(sessions[0], config).add(*posts, now=now)

    wait_for(lambda: all(publication(sessions[0], pid).state == State.PUBLISHED for pid in ids))
    time.sleep(STANDBY_WALL_S + 0.3)  # the standby jobs have fired too

    with sessions[0]() as session:
        attempts = session.execute(
            select(Attempt.worker_id, Attempt.publication_id, Attempt.outcome)
        ).all()
    assert len(attempts) == 9 and {outcome for _, _, outcome in attempts} == {"published"}
    for worker_id, pid, _ in attempts:
        account = publication(sessions[0], pid).account_label
        assert worker_id == preferred_daemon(live, account)
    assert platform.count() == 9


def test_a_standby_daemon_publishes_when_the_preferred_one_dies(
    sqlite_url: str, config: CampaignConfig, start_daemon: Callable[..., Daemon]
) -> None:
    sessions, daemons, platform = _two_daemons(sqlite_url, config, start_daemon)
    live = daemons[0].preference.live()
    gone_id = preferred_daemon(live, "x-main")
    (gone,) = [daemon for daemon in daemons if daemon.worker_id == gone_id]
    (standby,) = [daemon for daemon in daemons if daemon is not gone]
    # Killed: its jobs stop firing, its heartbeat row still says it is alive.
    gone.window.scheduler.shutdown(wait=False)
    jobs.unregister(gone.key)
    gone.refresher.stop(5)
    gone.started = False
    now = utc_now()
    (pid,) = Queue(sessions[0], config).add(
        resolved("failover", now + timedelta(seconds=2)), now=now
    )

    wait_for(lambda: publication(sessions[0], pid).state == State.PUBLISHED, timeout_s=20)
    row = publication(sessions[0], pid)
    assert row.published_at is not None
    assert (row.published_at - row.scheduled_at).total_seconds() < 1.0
    with sessions[0]() as session:
        assert session.scalars(select(Attempt.worker_id)).all() == [standby.worker_id]
    assert platform.count() == 1
