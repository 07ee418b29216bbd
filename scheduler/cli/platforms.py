"""``campaign sandbox serve`` and ``campaign accounts check``.

``sandbox serve [--port N] [--faults SPEC]`` runs the local stand-in of every
platform on 127.0.0.1 until Ctrl-C and prints how to point the campaign at it.
``accounts check`` is the preflight table for every configured account, then
the tokens stored for them (when the database holds any); exit status 1 when
any account has a problem, 2 when config.yaml cannot be used.

The sandbox and the platform adapters are imported inside the commands:
loading the sandbox compiles a text counter's patterns (most of a second), which
no other ``campaign`` command should pay for at start-up.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from scheduler.cli.common import (
    ConfigOption,
    DatabaseOption,
    console,
    fault_example,
    load,
    styled,
)
from scheduler.config import CampaignConfig
from scheduler.errors import ConfigError
from scheduler.platforms import registry
from scheduler.validation_words import counted

if TYPE_CHECKING:
    from scheduler.clock import SystemClock
    from scheduler.platforms.base import AccountCheck
    from scheduler.sandbox.app import Sandbox
    from scheduler.tokens.report import TokenReport

DEFAULT_PORT = 8765
PortOption = typer.Option(
    DEFAULT_PORT, "--port", "-p", min=0, max=65535, help="Port on 127.0.0.1 (0: any free port)."
)

FaultsOption = typer.Option(
    None,
    "--faults",
    help=f"Faults to inject, e.g. '{fault_example()}:times=2' (see docs/platforms.md).",
)

sandbox_app = typer.Typer(
    help=f"The local stand-in for the {registry.display_names()} APIs.", no_args_is_help=True
)
accounts_app = typer.Typer(help="The accounts of config.yaml.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add ``campaign sandbox ...`` and ``campaign accounts ...`` to ``app``."""
    from scheduler.cli.connect import connect_command

    accounts_app.command("connect")(connect_command)
    app.add_typer(sandbox_app, name="sandbox")
    app.add_typer(accounts_app, name="accounts")


@sandbox_app.command("serve")
def serve_command(
    port: int = PortOption,
    faults: str | None = FaultsOption,
    config: Path | None = ConfigOption,
) -> None:
    """Serve the sandbox of every platform on 127.0.0.1 until Ctrl-C."""
    campaign, _settings = load(config)
    sandbox = start_sandbox(campaign, port, faults)
    print_sandbox_banner(campaign, sandbox)
    stopping = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stopping.set())
    with sandbox:
        while not stopping.wait(0.5):
            pass
    console.print("sandbox stopped")


@accounts_app.command("check")
def check_command(
    config: Path | None = ConfigOption, database_url: str | None = DatabaseOption
) -> None:
    """Check every account: credentials present, accepted, allowed to post, right account,
    token valid until the campaign ends, stored tokens readable and renewable.
    Exit status 1 on any problem."""
    from scheduler.clock import SystemClock
    from scheduler.config import resolve_database_url
    from scheduler.platforms.secrets import load_environment
    from scheduler.tokens.report import token_report_at, with_token_problems

    campaign, settings = load(config)
    environ = load_environment(campaign.base_dir)
    clock = SystemClock()
    url = database_url or resolve_database_url(campaign, settings)
    results = _checked(campaign, environ, clock, url)
    tokens = token_report_at(url, environ, clock.now())
    results = with_token_problems(results, tokens)
    print_checks(results, tokens)
    raise typer.Exit(0 if all(result.ok for result in results) else 1)


def _checked(
    campaign: CampaignConfig, environ: dict[str, str], clock: SystemClock, url: str
) -> list[AccountCheck]:
    """Every account checked; accounts whose tokens live in the token store
    (``auth:``) are checked with the database, when it can be opened."""
    from scheduler.daemon.accounts_check import check_accounts
    from scheduler.errors import StorageError
    from scheduler.storage.database import open_database

    if not any(account.auth for account in campaign.accounts):
        return check_accounts(campaign, environ, clock)
    try:
        engine, sessions = open_database(url)
    except StorageError:
        return check_accounts(campaign, environ, clock)
    try:
        return check_accounts(campaign, environ, clock, sessions)
    finally:
        engine.dispose()


def start_sandbox(config: CampaignConfig, port: int, faults: str | None) -> Sandbox:
    """A sandbox bound to ``port``, with ``faults`` parsed.

    :raises ConfigError: the fault text is malformed or the port is taken.
    """
    from scheduler.clock import SystemClock
    from scheduler.sandbox.app import build_sandbox
    from scheduler.sandbox.faults import FaultPlan

    try:
        plan = FaultPlan.parse(faults) if faults else FaultPlan()
    except ValueError as error:
        raise ConfigError(
            str(error), where="--faults", hint="write endpoint:kind[:key=value], separated by ';'"
        ) from None
    try:
        return build_sandbox(config, SystemClock(), plan, port)
    except OSError as error:
        raise ConfigError(
            f"cannot listen on 127.0.0.1:{port}: {error.strerror or error}",
            where="--port",
            hint="choose another port with --port, or stop what uses it",
        ) from None


def print_sandbox_banner(config: CampaignConfig, sandbox: Sandbox) -> None:
    """How to point the campaign at ``sandbox``: base URLs and the test credentials."""
    from scheduler.sandbox.credentials import sandbox_environment

    console.print(
        styled(
            (f"Sandbox for {registry.display_names()} on {sandbox.url}", "bold"),
            " (Ctrl-C stops it)",
        )
    )
    console.print("Point config.yaml at it:")
    for profile in registry.profiles():
        console.print(f'  {profile.base_url_setting}: "{sandbox.url}"')
    console.print("and use the test credentials it accepts (they are not secrets):")
    for name, value in sorted(sandbox_environment(config).items()):
        console.print(f"  export {name}={value}", soft_wrap=True)
    if sandbox.faults.faults:
        console.print(f"Faults armed: {len(sandbox.faults.faults)}")


def print_checks(results: list[AccountCheck], tokens: TokenReport | None = None) -> None:
    """The preflight table, the stored tokens (when there are any), then each
    problem in full."""
    table = Table(title="Accounts", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for column in ("account", "platform", "speaks for", "can post", "token expires", "result"):
        table.add_column(column, no_wrap=column != "speaks for", overflow="fold")
    for result in results:
        table.add_row(
            result.label,
            result.platform,
            _identity_cell(result),
            _can_post_cell(result),
            _expiry_cell(result),
            Text("ok", style="green") if result.ok else Text("PROBLEM", style="bold red"),
        )
    console.print(table)
    if tokens is not None:
        from scheduler.cli.tokens import print_token_report

        print_token_report(tokens, problems=False)  # they are the accounts' problems below
    failed = [result for result in results if not result.ok]
    for result in failed:
        for problem in result.problems:
            console.print(
                Text(f"{result.label}: ", style="bold red") + Text(problem), soft_wrap=True
            )
    if failed:
        console.print(f"{len(failed)} of {counted(len(results), 'account')} not ready")
    else:
        console.print(f"all {counted(len(results), 'account')} ready")


def _identity_cell(result: AccountCheck) -> Text:
    identity = result.identity
    if not result.credentials_present:
        return Text("credentials missing", style="red")
    if identity is None:
        return Text("refused or unreachable", style="red")
    return Text(f"@{identity.username}" if identity.username else identity.name)


def _can_post_cell(result: AccountCheck) -> Text:
    if result.identity is None:
        return Text("-")
    return Text("yes") if result.identity.can_write else Text("no", style="red")


def _expiry_cell(result: AccountCheck) -> Text:
    if result.identity is None:
        return Text("-")
    expires = result.identity.token_expires_at
    return Text("never" if expires is None else f"{expires:%Y-%m-%d %H:%M}")
