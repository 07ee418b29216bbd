"""``campaign run``, ``campaign rehearse``, ``campaign status``, ``campaign preflight``.

``run`` publishes the queue until SIGTERM or SIGINT (exit 0). ``rehearse``
plays the whole campaign against the local sandbox (exit 0 only when every
publication ended as the fault plan predicts). ``status`` shows the daemons,
the queue and what needs a person. ``preflight`` is the readiness report
before a big day (exit 1 on any problem). Errors a person can cause exit 2.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from scheduler.cli.common import ConfigOption, DatabaseOption, console, load, styled
from scheduler.cli.layout import print_wrapped
from scheduler.clock import SystemClock, utc_now
from scheduler.config import CampaignConfig, RuntimeSettings, resolve_database_url
from scheduler.errors import ConfigError
from scheduler.printable import has_control_characters, json_text

if TYPE_CHECKING:
    from scheduler.daemon.preflight import PreflightReport
    from scheduler.daemon.status import StatusReport

# The daemon, the platforms and the sandbox are imported inside each command:
# every command pays only for what it uses.

LogFormatOption = typer.Option(
    None, "--log-format", help="text (default, or $CAMPAIGN_LOG_FORMAT) or json (JSON lines)."
)
LogLevelOption = typer.Option(None, "--log-level", help="DEBUG, INFO (default), WARNING, ERROR.")
WORKER_ID_MAX_CHARS = 100  # the workers table keeps 200; room for ":<pid>" suffixes


def _url(config: CampaignConfig, settings: RuntimeSettings, database_url: str | None) -> str:
    return database_url or resolve_database_url(config, settings)


def _check_worker_id(worker_id: str | None) -> None:
    """:raises ConfigError: a name too long for the database, or with control characters."""
    if worker_id is None:
        return
    if not worker_id.strip() or len(worker_id) > WORKER_ID_MAX_CHARS:
        raise ConfigError(
            f"a daemon's name has 1 to {WORKER_ID_MAX_CHARS} characters", where="--worker-id"
        )
    if has_control_characters(worker_id):
        raise ConfigError("a daemon's name cannot hold control characters", where="--worker-id")


def _logging(settings: RuntimeSettings, log_format: str | None, log_level: str | None) -> None:
    from scheduler.daemon.logsetup import configure_logging

    try:
        configure_logging(log_format or settings.log_format, log_level or settings.log_level)
    except ValueError as error:
        raise ConfigError(str(error), where="--log-format/--log-level") from None


def run_command(
    config: Path | None = ConfigOption,
    database_url: str | None = DatabaseOption,
    log_format: str | None = LogFormatOption,
    log_level: str | None = LogLevelOption,
    worker_id: str | None = typer.Option(
        None,
        "--worker-id",
        help=f"Name this daemon (default: host:pid:random; at most {WORKER_ID_MAX_CHARS} "
        "characters).",
    ),
) -> None:
    """Publish the queue, each post at its time, until SIGTERM or Ctrl-C."""
    from scheduler.daemon.service import StopFlag, run_daemon
    from scheduler.platforms.secrets import load_environment

    campaign, settings = load(config)
    _check_worker_id(worker_id)
    _logging(settings, log_format, log_level)
    stop = StopFlag()
    stop.install()
    result = run_daemon(
        campaign,
        _url(campaign, settings, database_url),
        environ=load_environment(campaign.base_dir),
        stop=stop,
        worker_id=worker_id,
    )
    if result.left_in_flight:
        # Their claims are recovered by reconciliation; do not wait for the
        # threads' HTTP timeouts at interpreter exit.
        logging.shutdown()
        os._exit(0)


def status_command(
    config: Path | None = ConfigOption,
    database_url: str | None = DatabaseOption,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """The daemons' heartbeats, the next posts, counts by state, pauses, today's quota."""
    from scheduler.daemon.status import daemon_status
    from scheduler.storage.database import open_database

    campaign, settings = load(config)
    engine, sessions = open_database(_url(campaign, settings, database_url))
    try:
        report = daemon_status(sessions, campaign, utc_now())
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json_text(_status_json(report), indent=2, default=str))
        return
    print_status(report, campaign)


def preflight_command(
    config: Path | None = ConfigOption,
    database_url: str | None = DatabaseOption,
    days: int = typer.Option(
        7, "--days", min=1, max=366, help="Local days to check the quota of (at most 366)."
    ),
) -> None:
    """Readiness before a big day: accounts, media, quota headroom, nothing stuck.
    Exit status 1 on any problem."""
    from scheduler.daemon.preflight import preflight
    from scheduler.platforms.secrets import load_environment
    from scheduler.storage.database import open_database

    campaign, settings = load(config)
    engine, sessions = open_database(_url(campaign, settings, database_url))
    try:
        report = preflight(
            campaign, sessions, load_environment(campaign.base_dir), SystemClock(), days=days
        )
    finally:
        engine.dispose()
    print_preflight(report)
    raise typer.Exit(0 if report.ok else 1)


def register(app: typer.Typer) -> None:
    """Add ``run``, ``rehearse``, ``status`` and ``preflight`` to ``app``.

    ``cli.rehearse`` imports only what its options need; the rehearsal itself
    (sandbox, twitter-text) is imported when ``rehearse`` runs."""
    from scheduler.cli.rehearse import rehearse_command

    app.command("run")(run_command)
    app.command("rehearse")(rehearse_command)
    app.command("status")(status_command)
    app.command("preflight")(preflight_command)


# -- printing -------------------------------------------------------------------------------


def _local(config: CampaignConfig, instant: Any) -> str:
    if instant is None:
        return "-"
    return str(instant.astimezone(config.campaign.zone).strftime("%Y-%m-%d %H:%M:%S"))


def _status_json(report: StatusReport) -> dict[str, Any]:
    from dataclasses import asdict

    return {
        "now": report.now.isoformat(),
        "workers": [asdict(worker) for worker in report.workers],
        "counts": report.counts,
        "upcoming": [asdict(post) for post in report.upcoming],
        "overdue_count": report.overdue_count,
        "overdue": [asdict(post) for post in report.overdue],
        "holds": report.holds,
        "accounts": [asdict(account) for account in report.accounts],
        "alerts": [asdict(target) for target in report.alerts],
        "attention": report.attention,
    }


def print_status(report: StatusReport, config: CampaignConfig) -> None:
    """The status as Rich tables, times in the campaign's timezone."""
    workers = Table("daemon", "host", "pid", "last heartbeat", "state", box=box.SIMPLE)
    for worker in report.workers[:10]:
        if worker.alive:
            state = Text("alive", style="green")
        else:
            state = Text(worker.stop_reason) if worker.stop_reason else Text("silent", style="red")
        workers.add_row(
            worker.worker_id,
            worker.hostname,
            str(worker.pid),
            _local(config, worker.heartbeat_at),
            state,
        )
    console.print(
        workers if report.workers else Text("no daemon has run on this database", style="yellow")
    )
    counts = ", ".join(f"{state}: {count}" for state, count in sorted(report.counts.items()))
    console.print(f"publications: {counts or 'none'}")
    accounts = Table("account", "platform", "today / cap", "state", box=box.SIMPLE)
    for account in report.accounts:
        if account.paused:
            account_state = styled(("PAUSED", "bold red"), " (why below)")
        elif account.rate_limited_until:
            account_state = Text(f"rate limited until {_local(config, account.rate_limited_until)}")
        else:
            account_state = Text("ok")
        accounts.add_row(
            account.label,
            account.platform,
            f"{account.posts_today} / {account.daily_cap}",
            account_state,
        )
    console.print(accounts)
    # A pause's reason carries its fix, often several sentences: under the
    # table, at full width, rather than wrapped in a narrow cell.
    for account in report.accounts:
        if account.paused:
            console.print(Text(f"{account.label} is paused:", style="bold red"))
            print_wrapped(console, account.paused, 2)
    upcoming = Table("next", "post", "account", "state", box=box.SIMPLE)
    for post in report.upcoming:
        upcoming.add_row(_local(config, post.due_at), post.post_id, post.account_label, post.state)
    console.print(upcoming if report.upcoming else "nothing queued")
    if report.alerts:
        alerts = Table("alert target", "waiting", "given up", "last sent", box=box.SIMPLE)
        for target in report.alerts:
            alerts.add_row(
                target.target,
                str(target.pending),
                str(target.failed),
                _local(config, target.last_sent_at),
            )
        console.print(alerts)
    for line in report.attention:
        console.print(styled(("!", "bold yellow"), f" {line}"))


def print_preflight(report: PreflightReport) -> None:
    """The preflight as Rich tables and lists."""
    accounts = Table("account", "platform", "result", box=box.SIMPLE)
    for check in report.accounts:
        result = (
            Text("ready", style="green")
            if check.ok
            else Text("; ".join(check.problems), style="red")
        )
        accounts.add_row(check.label, check.platform, result)
    console.print(accounts)
    if report.tokens.tokens:
        from scheduler.cli.tokens import print_token_report

        print_token_report(report.tokens, problems=False)  # in the accounts' results above
    quota = Table("account", "day", "planned", "cap", "headroom", box=box.SIMPLE)
    for day in report.quota:
        if day.planned or day.headroom < 0:
            quota.add_row(
                day.account_label,
                str(day.day),
                str(day.planned),
                str(day.daily_cap),
                Text(str(day.headroom), style="red" if day.headroom < 0 else ""),
            )
    console.print(quota)
    for title, lines in (
        ("media", report.media),
        ("quota", report.quota_problems),
        ("queue", report.queue),
    ):
        for line in lines:
            console.print(styled((f"{title}:", "red"), f" {line}"))
    console.print(
        Text("ready", style="bold green") if report.ok else Text("not ready", style="bold red")
    )
