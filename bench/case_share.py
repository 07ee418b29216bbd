"""Case: two ``campaign run`` daemons sharing the work (scheduler.daemon.preference).

- **CPU per published post, 2 daemons vs 1**: the same posts (spread over 40
  accounts, due at once, the sandbox answering each create after 50 ms) run
  by one daemon, then by two on a fresh database; the daemons' CPU from
  their due time to the last publication, over the posts published. Before
  the preferred daemon, every daemon fired every job and the losers' claims
  made two daemons cost about 1.4x one (the multi case's profile); a standby
  firing a job and reading for each post still cost 1.47x here. Target:
  within 1.2x.
- **failover**: two daemons; the one preferred for the post's account is
  killed with SIGKILL 2 s before the post is due; the other (its heartbeat
  row still says the killed one lives) takes it from due + 0.5 s and publishes.
  Target: published within 1 s of its time.

Both on SQLite, so the case needs no server.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from bench.campaign import queued_posts
from bench.live import LiveRun
from bench.report import Row, verdict
from bench.settings import Settings
from scheduler.clock import utc_now
from scheduler.daemon.preference import preferred_daemon
from scheduler.sandbox.faults import Fault, FaultPlan

ACCOUNTS = 40
CREATE_DELAY_S = 0.05
LEAD_S = 8.0
CPU_TARGET = 1.2
FAILOVER_TARGET_S = 1.0


def _cpu_per_post(settings: Settings, folder: Path, daemons: int, count: int) -> float:
    """Daemon CPU milliseconds per published post with ``daemons`` daemons."""
    faults = FaultPlan()
    faults.add(Fault("x.create_post", "slow", times=10**9, delay_s=CREATE_DELAY_S))
    url = f"sqlite:///{folder / 'campaign.db'}"
    folder.mkdir(parents=True, exist_ok=True)
    with LiveRun(folder, settings.seed, ACCOUNTS, url, faults=faults) as live:
        due = utc_now() + timedelta(seconds=LEAD_S)
        live.queue(
            queued_posts(
                live.labels, [due] * count, seed=settings.seed, logo=False, tag=f"s{daemons}"
            )
        )
        started = [live.start_daemon(f"daemon-{index + 1}") for index in range(daemons)]
        for daemon in started:
            daemon.wait_ready()
        time.sleep(max(0.0, (due - utc_now()).total_seconds()))
        before = sum(daemon.cpu_seconds() for daemon in started)
        live.wait_settled(count, timeout_s=300)
        spent = sum(daemon.cpu_seconds() for daemon in started) - before
        published = len(live.published_at())
    return 1000 * spent / max(1, published)


def _failover(settings: Settings, folder: Path) -> float:
    """Seconds after its time that the killed daemon's post was published."""
    url = f"sqlite:///{folder / 'campaign.db'}"
    folder.mkdir(parents=True, exist_ok=True)
    with LiveRun(folder, settings.seed, ACCOUNTS, url) as live:
        names = ["daemon-1", "daemon-2"]
        started = {f"bench-{name}": live.start_daemon(name) for name in names}
        for daemon in started.values():
            daemon.wait_ready()
        account = live.labels[0]
        victim = preferred_daemon(started, account)
        assert victim is not None
        time.sleep(3.0)  # each daemon's refresh has seen the other (refresh_s 2 s)
        due = utc_now() + timedelta(seconds=4)
        live.queue(queued_posts([account], [due], seed=settings.seed, logo=False, tag="failover"))
        time.sleep(max(0.0, (due - utc_now()).total_seconds() - 2.0))
        started[victim].kill()
        live.wait_settled(1, timeout_s=30)
        recorded = live.published_at()
    if not recorded:
        return float("inf")
    scheduled, ended = recorded[0]
    return (ended - scheduled).total_seconds()


def run(settings: Settings, folder: Path) -> list[Row]:
    count = settings.size(full=1000, quick=150)
    one = _cpu_per_post(settings, folder / "share-1", 1, count)
    two = _cpu_per_post(settings, folder / "share-2", 2, count)
    ratio = two / one
    cpu = Row(
        case=f"2 daemons vs 1: daemon CPU per published post, {count:,} due at once",
        figure=f"{two:.1f} ms a post",
        floor=f"{one:.1f} ms (one daemon)",
        ratio=ratio,
        target=f"<= {CPU_TARGET}x of one",
        verdict=verdict(ratio <= CPU_TARGET),
        note=f"SQLite, {ACCOUNTS} accounts, creates answered after {CREATE_DELAY_S * 1000:.0f} ms",
        values={"one_ms_per_post": one, "two_ms_per_post": two, "posts": count},
    )
    late = _failover(settings, folder / "failover")
    failover = Row(
        case="failover: the preferred daemon SIGKILLed 2 s before a post is due",
        figure=f"published {late:.2f} s after its time",
        target=f"< {FAILOVER_TARGET_S:.0f} s",
        verdict=verdict(late < FAILOVER_TARGET_S),
        note="by the standby daemon's sweep, from due + 0.5 s; the killed one's heartbeat fresh",
        values={"late_s": late},
    )
    return [cpu, failover]
