"""Prometheus metrics: each daemon's own counters on 127.0.0.1, and the
database's gauges from the dashboard's process only."""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import timedelta

import requests
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from scheduler.clock import SystemClock, utc_now
from scheduler.config import CampaignConfig
from scheduler.daemon.metrics import DaemonMetrics
from scheduler.daemon.runner import Daemon
from scheduler.platforms.memory import MemoryPlatform
from scheduler.storage.database import make_engine, make_session_factory
from scheduler.storage.models import PublicationState
from scheduler.web.metrics import DatabaseCollector
from tests.conftest import Sessions
from tests.daemon.conftest import Queue, publication, resolved
from tests.daemon.test_runner import wait_for


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_a_daemon_exports_its_attempts_lateness_and_heartbeat_on_loopback(
    sqlite_sessions: Sessions, config: CampaignConfig, start_daemon: Callable[..., Daemon]
) -> None:
    clock = SystemClock()
    now = utc_now()
    (pid,) = Queue(sqlite_sessions, config).add(
        resolved("counted", now + timedelta(seconds=1)), now=now
    )
    metrics = DaemonMetrics()
    port = free_port()
    daemon = start_daemon(sqlite_sessions, MemoryPlatform(clock=clock), clock)
    metrics.watch(daemon)
    metrics.serve(port)
    try:
        wait_for(lambda: publication(sqlite_sessions, pid).state == PublicationState.PUBLISHED)
        wait_for(lambda: daemon.refresher.last_tick_wall > 0)
        found = samples(requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text)
    finally:
        metrics.close()
    labels = (("account", "x-main"), ("outcome", "published"), ("platform", "x"))
    assert found[("campaign_daemon_attempts_total", labels)] == 1
    assert found[("campaign_daemon_lateness_seconds_count", (("platform", "x"),))] == 1
    assert found[("campaign_daemon_heartbeat_timestamp_seconds", ())] > now.timestamp()
    assert found[("campaign_daemon_results_waiting", ())] == 0
    # Gauges read from the database are the dashboard's, never a daemon's.
    assert not any(name.startswith("campaign_publications") for name, _ in found)


def test_the_dashboard_exports_the_database_gauges(
    sqlite_sessions: Sessions, config: CampaignConfig
) -> None:
    now = utc_now()
    Queue(sqlite_sessions, config).add(
        resolved("due", now - timedelta(minutes=1), targets=("x-main", "x-fr")),
        resolved("later", now + timedelta(hours=1)),
        now=now - timedelta(minutes=2),
    )
    registry = CollectorRegistry()
    registry.register(DatabaseCollector(sqlite_sessions, SystemClock()))

    found = samples(generate_latest(registry).decode())

    assert found[("campaign_database_up", ())] == 1
    assert found[("campaign_publications", (("account", "x-main"), ("state", "pending")))] == 2
    assert found[("campaign_publications", (("account", "x-fr"), ("state", "pending")))] == 1
    assert found[("campaign_queue_depth", ())] == 3
    assert found[("campaign_queue_overdue", ())] == 2
    assert found[("campaign_alerts_pending", ())] == 0


def test_a_database_that_cannot_be_read_says_so_in_a_gauge() -> None:
    engine = make_engine("sqlite:////nonexistent-folder/campaign.db")
    try:
        registry = CollectorRegistry()
        registry.register(DatabaseCollector(make_session_factory(engine), SystemClock()))
        found = samples(generate_latest(registry).decode())
    finally:
        engine.dispose()
    assert found == {("campaign_database_up", ()): 0}
