"""A host whose clock is minutes off X's: X answers the signed requests with 401,
as it does bad credentials. The daemon tells the two apart by the skew measured
from X's ``Date`` headers, holds the account in ``clock skew`` (not paused for
its credentials), misses what waits past the grace with the reason, and lifts
the hold by itself once the clocks agree. The sandbox's clock is shifted; the
host's clock is never changed."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler.clock import SystemClock, utc_now
from scheduler.config import CampaignConfig
from scheduler.daemon.accounts import build_publisher
from scheduler.daemon.runner import Daemon
from scheduler.daemon.status import daemon_status
from scheduler.platforms.memory import MemoryPlatform
from scheduler.platforms.skew import MeasuredClock, SkewMeter
from scheduler.sandbox.app import Sandbox, build_sandbox
from scheduler.sandbox.credentials import sandbox_environment
from scheduler.storage.models import AlertEvent, Hold, PublicationState
from scheduler.storage.skew_holds import CLOCK_SKEW
from tests.conftest import Sessions
from tests.daemon.conftest import Queue, campaign_dict, make_config, publication, resolved
from tests.daemon.test_runner import wait_for

State = PublicationState


@pytest.fixture
def sandboxed(tmp_path: Path) -> Iterator[tuple[CampaignConfig, Sandbox]]:
    data = campaign_dict()
    sandbox = build_sandbox(make_config(tmp_path, data), SystemClock()).start()
    data["platforms"] = {
        "x": {"api_base_url": sandbox.url, "request_timeout_s": 5},
        "facebook": {"api_base_url": sandbox.url, "request_timeout_s": 5},
    }
    try:
        yield make_config(tmp_path, data), sandbox
    finally:
        sandbox.stop()


def holds(sessions: Sessions) -> dict[str, str]:
    with sessions() as session:
        return {hold.scope: hold.actor for hold in session.scalars(select(Hold))}


def event_kinds(sessions: Sessions) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(AlertEvent.kind).order_by(AlertEvent.id)))


def test_a_401_while_the_clock_is_off_holds_the_account_until_the_clock_is_right(
    sqlite_sessions: Sessions,
    sandboxed: tuple[CampaignConfig, Sandbox],
    start_daemon: Callable[..., Daemon],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR, logger="scheduler.daemon.skew_holds")
    config, sandbox = sandboxed
    environ = sandbox_environment(config)
    clock = SystemClock()
    now = utc_now()
    held, later = Queue(sqlite_sessions, config).add(
        resolved("held", now + timedelta(seconds=1)),
        resolved("later", now + timedelta(seconds=10)),
        now=now,
    )
    sandbox.shift_clock(600)  # X's clock 10 minutes ahead of this host's
    start_daemon(
        sqlite_sessions,
        MemoryPlatform(clock=clock),
        clock,
        config=config,
        publisher_factory=lambda account: build_publisher(config, account, environ, clock),
        grace=timedelta(seconds=3),
    )

    # Said as the daemon starts, before any post: the clock, and the fix.
    assert "this host's clock is 600 s behind x's" in caplog.text
    assert "timedatectl set-ntp true" in caplog.text
    # Held: x-main, whose post met the 401, and x-fr, X's other account (the same
    # clock); Facebook's account publishes on.
    both = {"account:x-main": CLOCK_SKEW, "account:x-fr": CLOCK_SKEW}
    wait_for(lambda: holds(sqlite_sessions) == both, timeout_s=20)
    status = daemon_status(sqlite_sessions, config, utc_now())
    (account,) = [a for a in status.accounts if a.label == "x-main"]
    assert account.paused is not None and account.paused.startswith(CLOCK_SKEW)
    assert "this host's clock is 600 s behind x's" in account.paused
    assert [c.kind for c in status.concerns if c.scope == "account:x-main"] == [CLOCK_SKEW]
    # Held past the 3 s grace: missed, with the clock named as the reason.
    wait_for(lambda: publication(sqlite_sessions, held).state == State.MISSED, timeout_s=20)
    assert re.fullmatch(
        r"host clock 60\d s off", publication(sqlite_sessions, held).last_error or ""
    )

    sandbox.shift_clock(0)  # the host's clock set right

    wait_for(lambda: not holds(sqlite_sessions), timeout_s=20)
    wait_for(lambda: publication(sqlite_sessions, later).state == State.PUBLISHED, timeout_s=30)
    assert sandbox.x.count("x-main") == 1
    kinds = event_kinds(sqlite_sessions)
    assert "account_paused" in kinds and "account_resumed" in kinds and "missed" in kinds


def test_only_a_platform_that_refuses_skewed_requests_blames_the_clock() -> None:
    meter = SkewMeter(wall=lambda: 1_000_000.0)
    # The platform says 120 s earlier than this host (to the second): 119.5 s ahead.
    meter.observe("Mon, 12 Jan 1970 13:44:40 GMT", 1_000_000.0, 1_000_000.0)
    publisher = MeasuredClock()
    publisher.clock_skew = meter
    assert publisher.clock_skew_s() == pytest.approx(119.5)
    assert publisher.skew_behind_refusal() is None  # a token platform (Facebook, Mastodon)
    publisher.refuses_skewed_requests = True  # X's signed requests
    skew = publisher.skew_behind_refusal()
    assert skew is not None and abs(skew) > 60
