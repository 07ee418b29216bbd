"""``campaign alerts test`` and ``campaign watch``.

``alerts test`` sends a test message to every target of ``alerts.targets`` now
and says, per target, whether it got through (exit 1 when one did not).
``watch`` is for cron or a systemd timer: it raises "no live daemon" when no
daemon is alive while posts are due, the digest and token warnings when no
daemon is alive to raise them, and sends what waits in the outbox (exit 1 when
no daemon is alive while posts are due). Errors a person can cause exit 2.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from scheduler.cli.common import ConfigOption, console, load, styled
from scheduler.cli.queue_common import opened
from scheduler.clock import SystemClock, utc_now
from scheduler.errors import ConfigError

if TYPE_CHECKING:
    from scheduler.platforms.base import AccountIdentity

alerts_app = typer.Typer(
    help="Alerts through Apprise: e-mail, Slack, webhooks and more (see docs/alerts.md).",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``campaign alerts ...`` and ``campaign watch`` to ``app``."""
    app.add_typer(alerts_app, name="alerts")
    app.command("watch")(watch_command)


@alerts_app.command("test")
def test_command(config_path: Path | None = ConfigOption) -> None:
    """Send a test message to every alert target now; exit status 1 when one fails."""
    from scheduler.alerts.service import send_test
    from scheduler.platforms.secrets import load_environment
    from scheduler.storage.audit import current_actor

    config, _settings = load(config_path)
    if not config.alerts.targets:
        raise ConfigError(
            "no alert target is configured",
            where="config.yaml alerts.targets",
            hint="add a target naming the variable that holds its Apprise URL "
            "(docs/alerts.md shows e-mail, Slack and a webhook)",
        )
    results = send_test(config, load_environment(config.base_dir), current_actor(), utc_now())
    for result in results:
        events = ", ".join(result.events)
        if result.error is None:
            console.print(styled(("sent", "green"), f" to {result.target} (hears: {events})"))
        else:
            console.print(styled(("not sent", "red"), f" to {result.target}: {result.error}"))
    failed = [result for result in results if result.error is not None]
    if failed:
        console.print(
            styled((f"{len(failed)} of {len(results)} target(s) did not take it", "bold red"))
        )
    raise typer.Exit(1 if failed else 0)


def watch_command(
    config_path: Path | None = ConfigOption,
    database_url: str | None = typer.Option(
        None,
        "--database-url",
        help="Database URL (default: $CAMPAIGN_DATABASE_URL or config.yaml).",
    ),
) -> None:
    """For cron or a systemd timer: alert when no daemon is alive while posts are due,
    raise the digest when no daemon does, and send waiting alerts. Exit status 1
    when no daemon is alive while posts are due."""
    from scheduler.alerts.service import watch_once
    from scheduler.daemon.accounts import build_publisher
    from scheduler.daemon.identity import HEARTBEAT_WALL_S, STALE_HEARTBEATS
    from scheduler.daemon.logsetup import configure_logging
    from scheduler.platforms.secrets import load_environment
    from scheduler.tokens.store import describe_writer

    _config, settings = load(config_path)
    configure_logging(settings.log_format, settings.log_level)
    with opened(config_path, database_url) as context:
        config = context.config
        environ = load_environment(config.base_dir)
        clock = SystemClock()

        def verify(label: str) -> AccountIdentity:
            publisher = build_publisher(
                config,
                config.account(label),
                environ,
                clock,
                sessions=context.sessions,
                writer=describe_writer("campaign watch"),
            )
            try:
                return publisher.verify()
            finally:
                publisher.close()

        result = watch_once(
            config,
            context.sessions,
            clock,
            environ,
            stale_after=timedelta(seconds=HEARTBEAT_WALL_S * STALE_HEARTBEATS),
            verify=verify,
        )
    check = result.check
    if check.unattended:
        console.print(
            styled(
                ("no daemon is alive", "bold red"),
                f" while {check.due} publication(s) are due within "
                f"{config.alerts.no_daemon_within_h:g} h and {check.overdue} are overdue: "
                "start `campaign run`"
                + (" (alert raised)" if check.raised else " (alerted before)"),
            )
        )
    else:
        console.print(
            f"{check.alive} daemon(s) alive; {check.due} publication(s) due within "
            f"{config.alerts.no_daemon_within_h:g} h"
        )
    console.print(f"{result.raised} new event(s); {result.tried} alert(s) sent or tried")
    raise typer.Exit(1 if check.unattended else 0)
