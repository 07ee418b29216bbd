"""`campaign status`, `campaign preflight` and the daemon's log formats."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import update
from typer.testing import CliRunner

from scheduler.cli import app
from scheduler.clock import FrozenClock
from scheduler.config import CampaignConfig
from scheduler.daemon.logsetup import configure_logging
from scheduler.daemon.preflight import preflight
from scheduler.daemon.status import daemon_status
from scheduler.platforms.base import AccountCheck
from scheduler.storage import daemon_state
from scheduler.storage.actions import pause
from scheduler.storage.models import AccountState, Publication, PublicationState
from tests.conftest import Sessions
from tests.daemon.conftest import T0, Queue, campaign_dict, resolved

State = PublicationState


def _ready(config: CampaignConfig, environ: object, clock: object) -> list[AccountCheck]:
    return [AccountCheck(a.label, a.platform, True) for a in config.accounts]


@pytest.fixture
def filled(sqlite_sessions: Sessions, config: CampaignConfig) -> Iterator[Sessions]:
    """A queue with one post of each kind, a paused account, a rate-limit wait."""
    queue = Queue(sqlite_sessions, config)
    ids = queue.add(
        resolved("out", T0 - timedelta(hours=1)),
        resolved("review", T0 - timedelta(hours=2), targets=("x-fr",)),
        resolved("late", T0 - timedelta(minutes=30), targets=("facebook-main",)),
        resolved("next", T0 + timedelta(hours=1)),
    )
    out, review, _late, _next = ids
    with sqlite_sessions.begin() as session:
        session.execute(
            update(Publication)
            .where(Publication.id == out)
            .values(state=State.PUBLISHED, published_at=T0 - timedelta(hours=1))
        )
        session.execute(
            update(Publication).where(Publication.id == review).values(state=State.NEEDS_REVIEW)
        )
    daemon_state.ensure_accounts(sqlite_sessions, [a.label for a in config.accounts], T0)
    with sqlite_sessions.begin() as session:
        session.execute(
            update(AccountState)
            .where(AccountState.label == "x-main")
            .values(rate_limited_until=T0 + timedelta(minutes=10))
        )
    daemon_state.register_worker(
        sqlite_sessions, "host:1:alive", "host", 1, T0 - timedelta(seconds=5)
    )
    daemon_state.register_worker(sqlite_sessions, "host:2:gone", "host", 2, T0 - timedelta(hours=3))
    daemon_state.stop_worker(
        sqlite_sessions, "host:2:gone", T0 - timedelta(hours=2), "SIGTERM received"
    )
    pause(
        sqlite_sessions, reason="credentials rotated", account="facebook-main", now=T0, actor="ops"
    )
    yield sqlite_sessions


def test_status_shows_heartbeats_queue_pauses_quota_and_what_is_overdue(
    filled: Sessions, config: CampaignConfig
) -> None:
    report = daemon_status(filled, config, T0)

    assert [(w.worker_id, w.alive) for w in report.workers] == [
        ("host:1:alive", True),
        ("host:2:gone", False),
    ]
    assert report.counts == {"published": 1, "needs_review": 1, "pending": 2}
    assert [post.post_id for post in report.upcoming] == ["next"]
    assert [post.post_id for post in report.overdue] == ["late"] and report.overdue_count == 1
    accounts = {account.label: account for account in report.accounts}
    assert accounts["x-main"].posts_today == 1
    assert accounts["x-main"].rate_limited_until == T0 + timedelta(minutes=10)
    assert accounts["facebook-main"].paused == "credentials rotated"
    assert "1 publication needs review: `campaign history --state needs_review`" in (
        report.attention
    )
    assert "facebook-main is paused: `campaign resume --account facebook-main`" in (
        report.attention
    )
    assert not any("(s)" in line or "credentials rotated" in line for line in report.attention)


def test_status_never_says_nothing_queued_beside_overdue_publications(
    filled: Sessions, config: CampaignConfig, sqlite_url: str, tmp_path: Path
) -> None:
    """Hours later every pending publication is overdue: the status says so, once."""
    config_file = tmp_path / "config.yaml"
    config_file.write_text(yaml.safe_dump(campaign_dict()), encoding="utf-8")
    report = daemon_status(filled, config, T0 + timedelta(hours=5))
    assert report.upcoming == [] and report.queued == 2
    assert "2 publications are overdue (due and not sent yet)" in report.attention
    assert any(
        line.startswith("no daemon is running and 2 publications wait") for line in report.attention
    )


def test_a_rehearsals_status_never_asks_for_campaign_run(
    filled: Sessions, config: CampaignConfig
) -> None:
    from datetime import UTC, datetime

    from scheduler.storage.facts import Rehearsal, mark_rehearsal

    with filled.begin() as session:
        mark_rehearsal(session, Rehearsal(50_000.0, datetime(2020, 10, 23, tzinfo=UTC)), T0)
    report = daemon_status(filled, config, T0 + timedelta(hours=5))
    assert report.rehearsal is not None and report.rehearsal.speed == 50_000.0
    assert not any("campaign run" in line for line in report.attention)
    assert any("campaign rehearse" in line for line in report.attention)


def test_preflight_reports_quota_and_stuck_publications(
    filled: Sessions, config: CampaignConfig
) -> None:
    from tests.daemon.conftest import with_accounts

    capped = with_accounts(config, x_main={"daily_cap": 1})
    Queue(filled, capped)  # same database
    report = preflight(capped, filled, {}, FrozenClock(T0), days=2, account_checker=_ready)

    assert not report.ok
    assert any("x-main" in line and "daily cap of 1" in line for line in report.quota_problems)
    assert any("needs review" in line for line in report.queue)
    assert any(
        "facebook-main is paused" in line or "account:facebook-main" in line
        for line in report.queue
    )
    assert report.media == []


def test_preflight_reports_stored_tokens_and_their_problems(
    sqlite_sessions: Sessions, config: CampaignConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    from scheduler.cli.daemon_print import print_preflight
    from scheduler.tokens.cipher import TOKEN_KEYS_ENV, new_key
    from scheduler.tokens.kinds import TokenKind
    from scheduler.tokens.store import TokenStore

    environ = {TOKEN_KEYS_ENV: new_key()}
    store = TokenStore(sqlite_sessions, environ, writer="daemon host:1", clock=FrozenClock(T0))
    store.put("x-main", TokenKind.REFRESH, "seeded-refresh-value", T0 + timedelta(days=90))
    store.put("facebook-main", TokenKind.ACCESS, "seeded-access-value", T0 - timedelta(hours=1))

    report = preflight(config, sqlite_sessions, environ, FrozenClock(T0), account_checker=_ready)
    assert [(t.account_label, t.kind, t.expires_at) for t in report.tokens.tokens] == [
        ("facebook-main", "access", T0 - timedelta(hours=1)),
        ("x-main", "refresh", T0 + timedelta(days=90)),
    ]
    checks = {check.label: check for check in report.accounts}
    assert checks["x-main"].ok
    assert checks["facebook-main"].problems == (
        f"the stored access token expired {T0 - timedelta(hours=1):%Y-%m-%d %H:%M} UTC and "
        "no refresh token is stored to renew it: authorize the account again",
    )
    assert not report.ok
    print_preflight(report)
    shown = " ".join(capsys.readouterr().out.split())
    assert "Stored tokens" in shown
    assert f"x-main refresh {T0 + timedelta(days=90):%Y-%m-%d %H:%M} ok" in shown
    assert "seeded-" not in shown


def test_the_status_command_prints_a_paused_account(
    filled: Sessions, sqlite_url: str, tmp_path: Path
) -> None:
    config_file = tmp_path / "config.yaml"
    config_file.write_text(yaml.safe_dump(campaign_dict()), encoding="utf-8")
    result = CliRunner().invoke(
        app, ["status", "--config", str(config_file), "--database-url", sqlite_url]
    )
    assert result.exit_code == 0, result.output
    assert "PAUSED" in result.output and "credentials rotated" in result.output
    assert "facebook-main is paused:" in result.output  # the reason under the table
    assert result.output.count("credentials rotated") == 1  # and nowhere else
    as_json = CliRunner().invoke(
        app, ["status", "--json", "--config", str(config_file), "--database-url", sqlite_url]
    )
    data = json.loads(as_json.output)
    assert data["counts"]["needs_review"] == 1


def test_json_lines_logging_gives_one_object_per_record() -> None:
    stream = io.StringIO()
    handler = configure_logging("json", "INFO", stream=stream)
    try:
        logging.getLogger("scheduler.test").warning("published %s", "launch-en")
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logging.getLogger("scheduler.test").exception("failed")
    finally:
        logging.getLogger().removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "published launch-en" and first["level"] == "WARNING"
    assert first["logger"] == "scheduler.test" and first["time"].endswith("+00:00")
    assert "RuntimeError: boom" in second["exception"]
    with pytest.raises(ValueError, match="log format"):
        configure_logging("xml")


def test_the_preflight_command_checks_the_accounts_against_the_sandbox(
    tmp_path: Path, sqlite_url: str
) -> None:
    from scheduler.sandbox.credentials import sandbox_environment
    from tests.daemon.live import LiveCampaign

    live = LiveCampaign(tmp_path, sqlite_url)
    try:
        environment = {
            **sandbox_environment(live.config),
            "CAMPAIGN_DATABASE_URL": sqlite_url,
        }
        arguments = ["preflight", "--config", str(live.config_path)]
        ready = CliRunner().invoke(app, arguments, env=environment)
        assert ready.exit_code == 0, ready.output
        assert "ready" in ready.output
        environment["X_MAIN_X_SECRET"] = "wrong-secret"
        refused = CliRunner().invoke(app, arguments, env=environment)
        assert refused.exit_code == 1
        assert "not ready" in refused.output
    finally:
        live.close()


def test_the_daemon_log_leaves_out_alembic_and_says_lateness_in_days() -> None:
    from scheduler.daemon.limits import _minutes

    handler = configure_logging("text", "INFO", stream=io.StringIO())
    try:
        assert logging.getLogger("alembic").getEffectiveLevel() == logging.WARNING
    finally:
        logging.getLogger().removeHandler(handler)
    assert _minutes(timedelta(minutes=3204893)) == "2,226 days"
    assert _minutes(timedelta(minutes=90)) == "1 h 30 min"
    assert _minutes(timedelta(minutes=45)) == "45 min"


def test_preflight_lists_the_media_and_never_prints_an_empty_table(
    filled: Sessions, config: CampaignConfig, tmp_path: Path
) -> None:
    from scheduler.cli import daemon_print as daemon_cli
    from scheduler.storage.database import open_database, upgrade_database

    report = preflight(config, filled, {}, FrozenClock(T0), days=2, account_checker=_ready)
    assert [(use.path, use.publications) for use in report.media_used] == [
        ("logos/en/join-the-treaty.png", 2)  # `next` and `late` (30 min late, within grace)
    ]
    with daemon_cli.console.capture() as captured:
        daemon_cli.print_preflight(report)
    shown = captured.get()
    assert "images these days publish" in shown and "logos/en/join-the-treaty.png" in shown
    assert "(s)" not in shown

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade_database(url)
    engine, empty_sessions = open_database(url)
    try:
        empty = preflight(
            config, empty_sessions, {}, FrozenClock(T0), days=2, account_checker=_ready
        )
    finally:
        engine.dispose()
    with daemon_cli.console.capture() as captured:
        daemon_cli.print_preflight(empty)
    shown = captured.get()
    assert "quota: nothing is queued from" in shown
    assert "media: no image to publish in these days" in shown
    assert "headroom" not in shown  # no table of headers alone


def test_preflight_on_a_past_queue_says_what_would_be_missed(
    filled: Sessions, config: CampaignConfig
) -> None:
    later = preflight(
        config, filled, {}, FrozenClock(T0 + timedelta(hours=3)), days=2, account_checker=_ready
    )
    assert any(
        line.startswith("2 publications are queued for a time more than") for line in later.queue
    )
    ended = preflight(
        config, filled, {}, FrozenClock(config.campaign.window_end), account_checker=_ready
    )
    assert ended.queue == [] and len(ended.notes) == 1 and "`campaign new`" in ended.notes[0]
