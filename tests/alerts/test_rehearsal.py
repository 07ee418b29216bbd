"""A rehearsal's alerts: its own local receiver gets one alert per event (a
failure, a miss, a post left for review, the rate limit behind the miss, a token
about to expire, a digest per campaign day), and its report lists them."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from scheduler.alerts.receiver import AlertReceiver
from scheduler.cli import rehearse as report
from scheduler.config import load_config
from scheduler.daemon.rehearse import RehearsalOptions, run_rehearsal
from scheduler.sandbox.app import Sandbox
from tests.alerts.conftest import with_alerts
from tests.conftest import ROOT

FAULTS = (
    "x.media_upload:invalid_media:account=x-fr;"  # fails
    "x.create_post:server_error:account=x-es;"  # left for review
    "facebook.photos:cap_24h:after=3"  # a day's wait: late, and the next post missed
)
TOKEN_EXPIRES = datetime(2020, 11, 29, 0, 0, tzinfo=UTC)  # after the campaign's last post


def _expiring_page_token(sandbox: Sandbox) -> None:
    page = sandbox.facebook.page("facebook-main")
    assert page is not None
    page.token_expires_at = TOKEN_EXPIRES


@pytest.mark.slow
def test_a_rehearsal_delivers_one_alert_per_event_and_lists_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, receiver: AlertReceiver
) -> None:
    # The team's own target is set up and reachable: the rehearsal must not use it.
    config = with_alerts(load_config(ROOT / "config.yaml"), targets=[{"url_env": "TEAM_HOOK"}])
    monkeypatch.setenv("TEAM_HOOK", receiver.url)
    options = RehearsalOptions(
        faults=FAULTS, database=tmp_path / "rehearsal.db", prepare_sandbox=_expiring_page_token
    )

    result = run_rehearsal(config, options)

    assert receiver.alerts() == []
    assert result.ok, [outcome.because for outcome in result.surprises]
    kinds = Counter(alert.kind for alert in result.alerts)
    assert kinds["failed"] == 1 and kinds["needs_review"] == 1
    assert kinds["missed"] >= 1 and kinds["rate_limited"] == 1
    assert kinds["token_expiring"] == 1
    assert kinds["digest"] >= 30  # one per campaign day, on the campaign clock
    assert len(result.alerts) == len(result.events)  # one message per event
    assert {a.event_id for a in result.alerts} == {e.event_id for e in result.events}
    failed = next(alert for alert in result.alerts if alert.kind == "failed")
    assert "campaign-launch-fr" in failed.message and "x-fr" in failed.message
    assert "campaign retry campaign-launch-fr --account x-fr" in failed.message

    printed = io.StringIO()
    monkeypatch.setattr(report, "console", Console(file=printed, width=200))
    report.print_report(result, config)
    out = printed.getvalue()
    assert f"{len(result.alerts)} for {len(result.events)} event(s)" in out
    assert "failed: Failed: campaign-launch-fr on x-fr" in out
    assert "needs_review: Needs review: campaign-launch-es on x-es" in out
    assert "token_expiring: Token of facebook-main expires" in out
    assert "alert not received" not in out and "PASS" in out
