"""The database says no to the write that records a result: SQLite's write lock
held past the busy timeout, a PostgreSQL connection dropped (through a TCP
proxy, never by stopping the shared server), or the fault plan's
``db.record`` faults. The result is kept in memory and recorded as soon as the
database answers, only while the claim is still this daemon's."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import update

from scheduler.clock import SystemClock, utc_now
from scheduler.config import CampaignConfig
from scheduler.daemon.results import DatabaseFaults
from scheduler.daemon.runner import Daemon
from scheduler.daemon.worker import publish
from scheduler.errors import DatabaseBusy, DatabaseUnreachable
from scheduler.platforms.memory import MemoryPlatform
from scheduler.sandbox.faults import FaultPlan
from scheduler.storage import database
from scheduler.storage.database import make_engine, make_session_factory, writing
from scheduler.storage.models import AuditEntry, Publication, PublicationState
from tests.conftest import Sessions
from tests.daemon.conftest import Queue, WorkerWorld, attempts, publication, resolved
from tests.daemon.outages import DroppingProxy, OutageAfterCreate, SQLiteLock
from tests.daemon.test_runner import wait_for

State = PublicationState
OUTAGE_S = 1.5


def _outage(
    start: Callable[[], None], end: Callable[[], None]
) -> tuple[Callable[[], None], list[float]]:
    """``begin()`` starts an outage that ends by itself after OUTAGE_S; the list
    gets the monotonic time each outage ended."""
    ended: list[float] = []

    def finish() -> None:
        end()
        ended.append(time.monotonic())

    def begin() -> None:
        start()
        threading.Timer(OUTAGE_S, finish).start()

    return begin, ended


def _publish_through_outage(
    sessions: Sessions,
    config: CampaignConfig,
    start_daemon: Callable[..., Daemon],
    begin: Callable[[], None],
    ended: list[float],
) -> int:
    """One post published with an outage starting between its create call and its
    record; returns its publication id once published."""
    clock = SystemClock()
    platform = MemoryPlatform(clock=clock)
    now = utc_now()
    (pid,) = Queue(sessions, config).add(resolved("outage", now + timedelta(seconds=1)), now=now)
    start_daemon(
        sessions,
        platform,
        clock,
        publisher_factory=lambda account: OutageAfterCreate(account.label, platform, begin),
    )
    wait_for(lambda: bool(ended), timeout_s=30)
    wait_for(lambda: publication(sessions, pid).state == State.PUBLISHED, timeout_s=30)
    # No longer "publishing" than the outage plus refresh_s + 2 s.
    assert time.monotonic() - ended[0] < config.publishing.refresh_s + 2.0
    assert platform.count() == 1
    assert [attempt.outcome for attempt in attempts(sessions, pid)] == ["published"]
    return pid


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    # 30 s in production; a lock is refused after 0.2 s here so the test is quick.
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 200)


@pytest.fixture
def locked_sqlite(
    sqlite_url: str, short_busy_timeout: None
) -> Iterator[tuple[Sessions, SQLiteLock]]:
    engine = make_engine(sqlite_url)
    lock = SQLiteLock(Path(urlsplit(sqlite_url).path))
    try:
        yield make_session_factory(engine), lock
    finally:
        lock.release()
        engine.dispose()


@pytest.fixture
def proxied_postgres(postgres_db_url: str) -> Iterator[tuple[Sessions, DroppingProxy]]:
    parts = urlsplit(postgres_db_url)
    proxy = DroppingProxy((parts.hostname or "127.0.0.1", parts.port or 5432))
    engine = make_engine(proxy.url_for(postgres_db_url))
    try:
        yield make_session_factory(engine), proxy
    finally:
        proxy.restore()
        engine.dispose()
        proxy.close()


def test_a_result_refused_by_a_locked_sqlite_is_recorded_when_the_lock_goes(
    locked_sqlite: tuple[Sessions, SQLiteLock],
    config: CampaignConfig,
    start_daemon: Callable[..., Daemon],
    caplog: pytest.LogCaptureFixture,
) -> None:
    sessions, lock = locked_sqlite
    with caplog.at_level(logging.ERROR, logger="scheduler.daemon.results"):
        _publish_through_outage(sessions, config, start_daemon, *_outage(lock.take, lock.release))
    assert "kept in memory" in caplog.text and "is busy" in caplog.text


@pytest.mark.postgres
def test_a_result_refused_by_a_lost_postgres_connection_is_recorded_when_it_returns(
    proxied_postgres: tuple[Sessions, DroppingProxy],
    config: CampaignConfig,
    start_daemon: Callable[..., Daemon],
    caplog: pytest.LogCaptureFixture,
) -> None:
    sessions, proxy = proxied_postgres
    with caplog.at_level(logging.ERROR, logger="scheduler.daemon.results"):
        _publish_through_outage(sessions, config, start_daemon, *_outage(proxy.cut, proxy.restore))
    assert "kept in memory" in caplog.text and "lost the connection" in caplog.text


def test_the_fault_plan_strands_a_result_on_purpose(
    sqlite_sessions: Sessions, config: CampaignConfig, start_daemon: Callable[..., Daemon]
) -> None:
    clock = SystemClock()
    platform = MemoryPlatform(clock=clock)
    now = utc_now()
    (pid,) = Queue(sqlite_sessions, config).add(resolved("planned", now), now=now)
    plan = FaultPlan.parse("db.record:locked:seconds=1.5")
    daemon = start_daemon(sqlite_sessions, platform, clock, database_faults=DatabaseFaults(plan))

    wait_for(lambda: bool(daemon.context.results.stranded()), timeout_s=20)
    assert publication(sqlite_sessions, pid).state == State.PUBLISHING
    assert platform.count() == 1
    wait_for(lambda: publication(sqlite_sessions, pid).state == State.PUBLISHED, timeout_s=20)
    assert not daemon.context.results.stranded()


def test_a_result_for_a_claim_taken_over_meanwhile_is_only_an_attempt(world: WorkerWorld) -> None:
    (pid,) = world.queue.add(resolved("taken", world.clock.now()))
    ticks = [0.0]
    plan = FaultPlan.parse("db.record:disconnected:seconds=60")
    context = world.context(database_faults=DatabaseFaults(plan, monotonic=lambda: ticks[0]))

    publish(context, pid)
    assert set(context.results.stranded()) == {pid}
    # Meanwhile another daemon took the claim over (its lease expired).
    with world.sessions.begin() as session:
        session.execute(
            update(Publication).where(Publication.id == pid).values(claimed_by="other:1:bbbbbb")
        )
    assert context.results.flush() == 1  # still disconnected
    ticks[0] = 61.0

    assert context.results.flush() == 0
    row = world.publication(pid)
    assert row.state == State.PUBLISHING and row.claimed_by == "other:1:bbbbbb"
    (attempt,) = world.attempts(pid)
    assert attempt.outcome == "published"
    assert "another daemon took the claim over" in (attempt.platform_message or "")


def test_lock_contention_is_said_in_plain_words(
    locked_sqlite: tuple[Sessions, SQLiteLock],
) -> None:
    sessions, lock = locked_sqlite
    lock.take()
    with pytest.raises(DatabaseBusy) as caught, writing(sessions) as session:
        session.add(AuditEntry(at=utc_now(), actor="t", action="a", target="t", reason="r"))
    message = str(caught.value)
    assert "is busy" in message and "try again" in message
    assert "sqlite3" not in message and "OperationalError" not in message


@pytest.mark.postgres
def test_a_lost_connection_is_said_in_plain_words(
    proxied_postgres: tuple[Sessions, DroppingProxy],
) -> None:
    sessions, proxy = proxied_postgres
    with writing(sessions) as session:  # a pooled connection, dropped next
        session.add(AuditEntry(at=utc_now(), actor="t", action="a", target="t", reason="r"))
    proxy.cut()
    for _ in range(2):  # the pooled connection, then a new one refused
        with pytest.raises(DatabaseUnreachable) as caught, writing(sessions) as session:
            session.add(AuditEntry(at=utc_now(), actor="t", action="a", target="t", reason="r"))
        message = str(caught.value)
        assert "lost the connection" in message and "pg_isready" in message
        assert "psycopg" not in message and "OperationalError" not in message


def test_a_database_fault_is_checked_like_any_other() -> None:
    with pytest.raises(ValueError, match=r"db\.record takes the kinds disconnected and locked"):
        FaultPlan.parse("x.create_post:locked")
    with pytest.raises(ValueError, match=r"db\.record takes the kinds"):
        FaultPlan.parse("db.record:rate_limit")
    (fault,) = FaultPlan.parse("db.record:locked:seconds=2.5").faults
    assert fault.delay_s == 2.5


def test_a_negative_duration_is_refused() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        FaultPlan.parse("db.record:locked:seconds=-5")
