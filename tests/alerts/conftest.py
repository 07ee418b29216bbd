"""Fixtures of the alerts' suite: the daemon suite's world (a small campaign, a
queue filled through the real sync, the memory platform, a frozen clock), a real
local JSON webhook, and helpers to read the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from scheduler.alerts.receiver import AlertReceiver
from scheduler.config import CampaignConfig
from scheduler.storage.outbox import StoredEvent, recorded_events
from tests.conftest import Sessions
from tests.daemon.conftest import (  # noqa: F401 - fixtures shared with the daemon's suite
    clock,
    config,
    make_config,
    make_context,
    platform,
    world,
)


@pytest.fixture
def receiver() -> Iterator[AlertReceiver]:
    """A real JSON webhook on 127.0.0.1, stopped afterwards."""
    server = AlertReceiver().start()
    try:
        yield server
    finally:
        server.stop()


def with_alerts(campaign: CampaignConfig, **alerts: Any) -> CampaignConfig:
    """A copy of ``campaign`` with ``alerts:`` set to ``alerts``."""
    data = campaign.model_dump(mode="json")
    data["alerts"] = alerts
    return make_config(campaign.base_dir, data)


def events(sessions: Sessions, kind: str | None = None) -> list[StoredEvent]:
    """Every recorded event (of ``kind``), oldest first."""
    return [event for event in recorded_events(sessions) if kind is None or event.kind == kind]
