"""``campaign web``: building the dashboard from the campaign file, and serving it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from scheduler.cli import app
from scheduler.config import CampaignConfig, RuntimeSettings
from scheduler.errors import ConfigError, SchemaError
from scheduler.web.server import build
from tests.web.conftest import TOKEN


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_help_names_the_flags() -> None:
    result = CliRunner().invoke(app, ["web", "--help"])
    assert result.exit_code == 0
    for flag in ("--host", "--port", "--at", "--database-url", "--config"):
        assert flag in result.output


def test_build_reads_the_configured_database_and_token(
    config: CampaignConfig, seeded_database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(config.web.operator_token_env, TOKEN)
    settings = RuntimeSettings(database_url=f"sqlite:///{seeded_database}")
    at = datetime(2020, 11, 18, 8, 30, tzinfo=UTC)
    served = build(config, settings, "127.0.0.1", at=at)
    try:
        assert served.access.actions_enabled and served.access.open_reading
        with TestClient(served.app, base_url="http://127.0.0.1") as client:
            html = client.get("/").text
        assert "Wed 18 Nov 2020, 09:30 CET" in html and "Operator sign-in" in html
    finally:
        served.engine.dispose()


def test_an_unmigrated_database_names_the_upgrade_command(
    config: CampaignConfig, tmp_path: Path
) -> None:
    with pytest.raises(SchemaError, match="campaign db upgrade"):
        build(
            config, RuntimeSettings(), "127.0.0.1", database_url=f"sqlite:///{tmp_path / 'new.db'}"
        )


def test_listening_beyond_loopback_needs_a_token(
    campaign_dir: Path, seeded_database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CAMPAIGN_OPERATOR_TOKEN", raising=False)
    result = CliRunner().invoke(
        app,
        ["web", "--host", "0.0.0.0", "--config", str(campaign_dir / "config.yaml"),
         "--database-url", f"sqlite:///{seeded_database}"],
    )  # fmt: skip
    assert isinstance(result.exception, ConfigError)
    assert "CAMPAIGN_OPERATOR_TOKEN" in str(result.exception)


def test_campaign_web_serves_until_interrupted(campaign_dir: Path, seeded_database: Path) -> None:
    port = _free_port()
    environment = {**os.environ, "CAMPAIGN_CONFIG": str(campaign_dir / "config.yaml")}
    environment.pop("CAMPAIGN_OPERATOR_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "scheduler", "web", "--port", str(port), "--at", "2020-11-23T10:00",
         "--database-url", f"sqlite:///{seeded_database}"],
        env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.communicate()[0]
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "campaign web did not answer within 30 s"
                time.sleep(0.2)
        assert response.status_code == 200
        assert "Day 1 of 5" in response.text and "Read-only" in response.text
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    assert f"Dashboard on http://127.0.0.1:{port}/" in output
    assert "Read-only: set $CAMPAIGN_OPERATOR_TOKEN" in output
