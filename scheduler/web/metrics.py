"""What the database says, as Prometheus gauges, from the dashboard's process.

Off by default; ``campaign web --metrics-port PORT`` serves them at
``http://127.0.0.1:PORT/metrics`` (the loopback interface only), read from
the database at each scrape. Only the dashboard exports them, so several
daemons on one database never export the same series twice; each daemon
exports its own counters (:mod:`scheduler.daemon.metrics`).

=====================================  ================================================
``campaign_publications``              publications by ``state`` and ``account``
``campaign_queue_depth``               publications queued (pending or retrying)
``campaign_queue_overdue``             queued publications whose time has passed
``campaign_alerts_pending``            alert deliveries waiting to be sent
``campaign_database_up``               1 when the last scrape could read the database
=====================================  ================================================
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from scheduler.clock import Clock
from scheduler.daemon.metrics import serve_registry
from scheduler.errors import StorageError
from scheduler.storage.database import reading
from scheduler.storage.models import QUEUED, AlertDelivery, Publication

logger = logging.getLogger(__name__)


class DatabaseCollector(Collector):
    """Reads the gauges above from the database at each scrape; ``clock`` says
    what "overdue" is measured against."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "campaign_database_up", "1 when the last scrape could read the database."
        )
        try:
            families = self._read()
        except (SQLAlchemyError, StorageError) as error:
            logger.error("metrics: cannot read the database: %s", error)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _read(self) -> list[Metric]:
        now = self._clock.now()
        publications = GaugeMetricFamily(
            "campaign_publications",
            "Publications by state and account.",
            labels=["state", "account"],
        )
        with reading(self._sessions) as session:
            rows = session.execute(
                select(Publication.state, Publication.account_label, func.count()).group_by(
                    Publication.state, Publication.account_label
                )
            ).all()
            overdue = session.scalar(
                select(func.count())
                .select_from(Publication)
                .where(Publication.state.in_(QUEUED), Publication.next_attempt_at <= now)
            )
            pending = session.scalar(
                select(func.count())
                .select_from(AlertDelivery)
                .where(AlertDelivery.state == "pending")
            )
        depth = 0
        for state, account, count in rows:
            publications.add_metric([str(state), account], count)
            if state in QUEUED:
                depth += count
        return [
            publications,
            GaugeMetricFamily("campaign_queue_depth", "Publications queued.", value=depth),
            GaugeMetricFamily(
                "campaign_queue_overdue",
                "Queued publications whose time has passed.",
                value=int(overdue or 0),
            ),
            GaugeMetricFamily(
                "campaign_alerts_pending",
                "Alert deliveries waiting to be sent.",
                value=int(pending or 0),
            ),
        ]


def serve_database_metrics(sessions: sessionmaker[Session], clock: Clock, port: int) -> Any:
    """Serve the gauges on 127.0.0.1:``port`` from a background thread; returns
    the server (``shutdown()`` it when done).

    :raises ConfigError: when the port cannot be bound.
    """
    registry = CollectorRegistry()
    registry.register(DatabaseCollector(sessions, clock))
    return serve_registry(registry, port)
