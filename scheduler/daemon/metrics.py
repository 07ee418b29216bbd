"""The daemon's own Prometheus metrics, through prometheus_client.

Off by default; ``campaign run --metrics-port PORT`` serves them at
``http://127.0.0.1:PORT/metrics`` (the loopback interface only: put a reverse
proxy or the Prometheus agent on the same host). Each daemon exports only
what it alone knows, so several daemons never export the same series twice:

=================================================  =====================================
``campaign_daemon_attempts_total``                 attempts recorded, by ``account``,
                                                   ``platform`` and ``outcome``
``campaign_daemon_lateness_seconds``               how long after its time each post
                                                   went out (histogram, by ``platform``)
``campaign_daemon_heartbeat_timestamp_seconds``    wall time (POSIX seconds) of the
                                                   last refresh that completed
``campaign_daemon_results_waiting``                results the database refused, kept
                                                   in memory
=================================================  =====================================

What the database says (publications by state and account, queue depth,
alerts pending) comes from one process only, the dashboard
(:mod:`scheduler.web.metrics`).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from scheduler.daemon.runner import Daemon
from scheduler.errors import ConfigError
from scheduler.storage.attempts import Claim
from scheduler.storage.settlements import Settlement

logger = logging.getLogger(__name__)

# Seconds: a post on time goes out within tens of milliseconds; the late grace
# runs to an hour.
LATENESS_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)
METRICS_HOST = "127.0.0.1"


class DaemonMetrics:
    """The metrics of one daemon, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.attempts = Counter(
            "campaign_daemon_attempts",
            "Publication attempts recorded by this daemon, by how they ended.",
            ["account", "platform", "outcome"],
            registry=self.registry,
        )
        self.lateness = Histogram(
            "campaign_daemon_lateness_seconds",
            "Seconds after its time each post this daemon published went out.",
            ["platform"],
            buckets=LATENESS_BUCKETS,
            registry=self.registry,
        )
        self.heartbeat = Gauge(
            "campaign_daemon_heartbeat_timestamp_seconds",
            "Wall time (POSIX seconds) of this daemon's last completed refresh.",
            registry=self.registry,
        )
        self.waiting = Gauge(
            "campaign_daemon_results_waiting",
            "Results the database refused, kept in memory until it answers.",
            registry=self.registry,
        )
        self._server: Any = None

    def settled(self, held: Claim, at: datetime, settlement: Settlement) -> None:
        """Count an attempt recorded at ``at`` (campaign time, aware UTC)."""
        self.attempts.labels(held.account_label, held.platform, settlement.outcome).inc()
        if settlement.outcome == "published":
            late = max(0.0, (at - held.scheduled_at).total_seconds())
            self.lateness.labels(held.platform).observe(late)

    def watch(self, daemon: Daemon) -> None:
        """Count ``daemon``'s attempts and read its heartbeat and waiting results."""
        daemon.context.results.on_settled = self.settled
        self.heartbeat.set_function(lambda: daemon.refresher.last_tick_wall)
        self.waiting.set_function(lambda: len(daemon.context.results.stranded()))

    def serve(self, port: int) -> None:
        """Serve ``/metrics`` on 127.0.0.1:``port`` from a background thread.

        :raises ConfigError: when the port cannot be bound (taken, or privileged).
        """
        self._server = serve_registry(self.registry, port)
        logger.info("metrics at http://%s:%d/metrics", METRICS_HOST, port)

    def close(self) -> None:
        """Stop serving. Idempotent."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def serve_registry(registry: CollectorRegistry, port: int) -> Any:
    """Serve ``registry`` at ``http://127.0.0.1:port/metrics`` from a background
    thread; returns the server (``shutdown()`` it when done).

    :raises ConfigError: when the port cannot be bound (taken, or privileged).
    """
    try:
        server, _ = start_http_server(port, addr=METRICS_HOST, registry=registry)
    except OSError as error:
        raise ConfigError(
            f"cannot serve metrics on {METRICS_HOST}:{port}: {error.strerror or error}",
            where="--metrics-port",
            hint="give a free port above 1023, or leave --metrics-port out",
        ) from None
    return server
