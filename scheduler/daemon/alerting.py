"""A daemon's share of the alerts (:mod:`scheduler.alerts`), wired to its parts:
the worker context's sessions, clock and publishers (the token check asks each
account's publisher), and the heartbeat interval that says a peer has gone silent."""

from __future__ import annotations

from collections.abc import Mapping

from scheduler.alerts.service import DaemonAlerts
from scheduler.daemon.identity import HEARTBEAT_WALL_S, STALE_HEARTBEATS
from scheduler.daemon.worker import WorkerContext


def daemon_alerts(
    context: WorkerContext, environ: Mapping[str, str], interval_wall_s: float
) -> DaemonAlerts:
    """The alerts of the daemon ``context`` belongs to; ``environ`` holds the
    targets' URLs. Settlements wake its sender (``context.wake_alerts``)."""
    alerts = DaemonAlerts(
        context.config,
        context.sessions,
        context.clock,
        environ,
        context.worker_id,
        stale_after=context.campaign_duration(HEARTBEAT_WALL_S * STALE_HEARTBEATS),
        verify=lambda label: context.publishers.get(label).verify(),
        interval_wall_s=interval_wall_s,
    )
    context.wake_alerts = alerts.wake
    return alerts
