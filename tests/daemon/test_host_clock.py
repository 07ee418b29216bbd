"""The host's wall clock jumps under a running daemon (a sleep, a paused VM, a
clock set by hand). The jump is injected: a campaign clock that is the wall
clock plus an offset the test moves, while the monotonic clock the timers wait
on runs on untouched, as it does through a real suspend. The host's clock is
never changed."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from scheduler.clock import FrozenClock, utc_now
from scheduler.config import CampaignConfig
from scheduler.daemon.clockwatch import ClockJumpWatch
from scheduler.daemon.runner import Daemon
from scheduler.platforms.memory import MemoryPlatform
from scheduler.storage.models import PublicationState
from tests.conftest import Sessions
from tests.daemon.conftest import Queue, publication, resolved
from tests.daemon.test_runner import wait_for

State = PublicationState


class JumpingClock:
    """The wall clock plus an offset: :meth:`jump` is the host waking from a sleep
    (forward) or its clock stepped back. Campaign time is this host's wall time, so
    ``to_wall`` maps onto the real clock APScheduler reads."""

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def jump(self, seconds: float) -> None:
        with self._lock:
            self._offset += timedelta(seconds=seconds)

    def now(self) -> datetime:
        with self._lock:
            return utc_now() + self._offset

    def to_wall(self, instant: datetime) -> datetime:
        with self._lock:
            return instant - self._offset

    def wall_seconds(self, campaign_seconds: float) -> float:
        return campaign_seconds


class Host:
    """A daemon on a host whose clock the test makes jump."""

    def __init__(
        self,
        sessions: Sessions,
        config: CampaignConfig,
        start_daemon: Callable[..., Daemon],
    ) -> None:
        self.clock = JumpingClock()
        self.platform = MemoryPlatform(clock=self.clock)
        self.sessions = sessions
        self.queue = Queue(sessions, config)
        self._start_daemon = start_daemon

    def start(self) -> Daemon:
        return self._start_daemon(self.sessions, self.platform, self.clock)

    def lateness(self, pid: int) -> float:
        row = publication(self.sessions, pid)
        assert row.published_at is not None
        return (row.published_at - row.scheduled_at).total_seconds()


@pytest.fixture
def host(
    sqlite_sessions: Sessions, config: CampaignConfig, start_daemon: Callable[..., Daemon]
) -> Host:
    return Host(sqlite_sessions, config, start_daemon)


def test_a_post_due_after_the_host_wakes_goes_out_on_time(
    host: Host, config: CampaignConfig, caplog: pytest.LogCaptureFixture
) -> None:
    now = host.clock.now()
    (pid,) = host.queue.add(resolved("after-wake", now + timedelta(minutes=45)), now=now)
    host.start()

    caplog.set_level(logging.WARNING, logger="scheduler.daemon.clockwatch")
    host.clock.jump(45 * 60 - 2)  # slept 45 minutes, waking 2 s before the post

    # Unnoticed, the job's timer would still wait its 45 monotonic minutes.
    wait_for(lambda: publication(host.sessions, pid).state == State.PUBLISHED, timeout_s=20)
    assert 0 <= host.lateness(pid) < config.publishing.refresh_s + 1.0
    assert "clock jumped forward 44 min" in caplog.text


def test_posts_due_during_the_sleep_follow_the_late_grace(host: Host) -> None:
    now = host.clock.now()
    # late_grace_min is 60: after a 100-minute sleep, the post due 20 minutes in is
    # 80 minutes late (missed), the one due 80 minutes in is 20 minutes late (sent).
    too_late, late = host.queue.add(
        resolved("too-late", now + timedelta(minutes=20)),
        resolved("late", now + timedelta(minutes=80)),
        now=now,
    )
    host.start()

    host.clock.jump(100 * 60)

    wait_for(lambda: publication(host.sessions, late).state == State.PUBLISHED, timeout_s=20)
    wait_for(lambda: publication(host.sessions, too_late).state == State.MISSED, timeout_s=20)
    assert "beyond the late grace" in (publication(host.sessions, too_late).last_error or "")
    assert host.platform.count() == 1


def test_a_backward_step_never_publishes_early(host: Host) -> None:
    now = host.clock.now()
    (pid,) = host.queue.add(resolved("not-early", now + timedelta(seconds=1.5)), now=now)
    host.start()

    host.clock.jump(-4)  # the post is now 5.5 s away, though its timer said 1.5 s

    time.sleep(3)
    assert publication(host.sessions, pid).state == State.PENDING
    wait_for(lambda: publication(host.sessions, pid).state == State.PUBLISHED, timeout_s=20)
    assert host.lateness(pid) >= 0


def test_the_watch_ignores_honest_drift_and_sees_both_directions() -> None:
    clock = JumpingClock()
    ticks = [100.0]
    watch = ClockJumpWatch(clock, lambda: ticks[0] + time.monotonic())
    assert watch.check() is None
    ticks[0] += 0.5  # the monotonic clock ran 0.5 s more than the wall clock: drift
    assert watch.check() is None
    clock.jump(-30)
    jump = watch.check()
    assert jump is not None and -31 < jump.seconds < -29 and jump.words() == "back 30 s"
    clock.jump(3600)
    jump = watch.check()
    assert jump is not None and jump.words() == "forward 1 h"


def test_a_frozen_clock_is_no_jump_until_it_is_moved() -> None:
    clock = FrozenClock(utc_now())
    ticks = [0.0]
    watch = ClockJumpWatch(clock, lambda: ticks[0])
    ticks[0] += 30.0  # thirty seconds pass on the monotonic clock, none on the frozen one
    assert watch.check() is None
    clock.advance(3600)
    ticks[0] += 1.0
    jump = watch.check()
    assert jump is not None and jump.words() == "forward 59 min"
