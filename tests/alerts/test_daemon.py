"""The daemon's alerts: a failure reaches a real webhook once, from the daemon's
own alert thread; a target that hangs never holds up publishing."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from scheduler.alerts.receiver import AlertReceiver
from scheduler.clock import SystemClock, utc_now
from scheduler.config import CampaignConfig
from scheduler.daemon.runner import Daemon
from scheduler.errors import Rejected
from scheduler.platforms.memory import MemoryPlatform, MemoryPublisher
from scheduler.storage.deliveries import target_backlog
from scheduler.storage.models import PublicationState
from tests.alerts.conftest import events, with_alerts
from tests.conftest import Sessions
from tests.daemon.conftest import Queue, publication, resolved


def _wait(condition: Callable[[], bool], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "not there in time"
        time.sleep(0.02)


@pytest.fixture
def hanging() -> Iterator[str]:
    """A webhook that takes the connection and never answers; its Apprise URL."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"json://127.0.0.1:{server.getsockname()[1]}/hook"
    finally:
        stop.set()
        thread.join(5)
        for connection in held:
            connection.close()
        server.close()


def _daemon(
    sessions: Sessions, config: CampaignConfig, platform: MemoryPlatform, environ: dict[str, str]
) -> Daemon:
    return Daemon(
        config=config,
        sessions=sessions,
        clock=SystemClock(),
        publisher_factory=lambda account: MemoryPublisher(account.label, platform),
        alerts_environ=environ,
        alerts_interval_wall_s=0.1,
    )


def test_a_failure_reaches_the_webhook_once_from_the_daemon(
    sqlite_sessions: Sessions, config: CampaignConfig, receiver: AlertReceiver
) -> None:
    config = with_alerts(config, targets=[{"url_env": "TEAM_HOOK", "events": ["failed"]}])
    platform = MemoryPlatform(clock=SystemClock())
    platform.fail_next("create_post", lambda: Rejected("media type unrecognized"))
    (pid,) = Queue(sqlite_sessions, config).add(
        resolved("refused", utc_now() + timedelta(seconds=1))
    )
    daemon = _daemon(sqlite_sessions, config, platform, {"TEAM_HOOK": receiver.url})
    daemon.start()
    try:
        _wait(lambda: len(receiver.alerts()) == 1)
        time.sleep(0.5)  # a repeat would come within a few passes
    finally:
        daemon.stop("test over", timeout_s=10)
    assert publication(sqlite_sessions, pid).state == PublicationState.FAILED
    (alert,) = receiver.alerts()
    # Only the failure: the daemon also records its daily digest once the local
    # digest time has passed (a kind this target does not hear).
    (event,) = [event for event in events(sqlite_sessions) if event.kind == "failed"]
    assert alert.event_id == event.event_id and alert.kind == "failed"


def test_a_target_that_hangs_never_holds_up_publishing(
    sqlite_sessions: Sessions, config: CampaignConfig, hanging: str
) -> None:
    config = with_alerts(config, targets=[{"url_env": "SLOW_HOOK"}])
    platform = MemoryPlatform(clock=SystemClock())
    for _ in range(2):
        platform.fail_next("create_post", lambda: Rejected("refused"), account_label="x-fr")
    start = utc_now() + timedelta(seconds=1)
    posts = [
        resolved(f"fr{n}", start + timedelta(seconds=n * 0.3), targets=("x-fr",)) for n in range(2)
    ]
    posts += [resolved(f"p{n}", start + timedelta(seconds=0.5 + n * 0.3)) for n in range(6)]
    ids = Queue(sqlite_sessions, config).add(*posts)
    daemon = _daemon(sqlite_sessions, config, platform, {"SLOW_HOOK": hanging})
    daemon.start()
    try:
        _wait(
            lambda: all(
                publication(sqlite_sessions, pid).state in ("published", "failed") for pid in ids
            )
        )
        rows = [publication(sqlite_sessions, pid) for pid in ids]
    finally:
        daemon.stop("test over", timeout_s=10)
    published = [row for row in rows if row.state == PublicationState.PUBLISHED]
    assert len(published) == 6
    late = [(row.published_at - row.scheduled_at).total_seconds() for row in published]  # type: ignore[operator]
    assert max(late) < 2.0, late  # the alert thread waits on the target, not the publishing
    (backlog,) = target_backlog(sqlite_sessions)
    assert backlog.target == "SLOW_HOOK" and backlog.pending >= 1
