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

import typer

from scheduler.cli.common import ConfigOption, DatabaseOption, load, metrics_port_option
from scheduler.cli.daemon_print import print_preflight, print_status, status_json
from scheduler.clock import publishing_clock
from scheduler.config import CampaignConfig, RuntimeSettings, resolve_database_url
from scheduler.errors import ConfigError
from scheduler.printable import has_control_characters, json_text

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
    metrics_port: int | None = metrics_port_option("this daemon's Prometheus metrics"),
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
        metrics_port=metrics_port,
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
    from scheduler.storage.facts import opened_for

    campaign, settings = load(config)
    with opened_for(_url(campaign, settings, database_url), campaign) as database:
        now = publishing_clock().now()
        report = daemon_status(database.sessions, campaign, now, facts=database.facts)
    if as_json:
        typer.echo(json_text(status_json(report), indent=2, default=str))
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
    from scheduler.storage.facts import opened_for

    campaign, settings = load(config)
    with opened_for(_url(campaign, settings, database_url), campaign) as database:
        report = preflight(
            campaign,
            database.sessions,
            load_environment(campaign.base_dir),
            publishing_clock(),
            days=days,
        )
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
