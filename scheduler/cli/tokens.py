"""``campaign tokens ...``: the encrypted store of tokens the platforms rotate.

``new-key`` prints a fresh key for ``CAMPAIGN_TOKEN_KEYS``; ``list`` shows what
is stored (no key needed, no value shown); ``rotate-key`` encrypts every stored
token again with the newest key; ``forget ACCOUNT`` deletes an account's stored
tokens (the way out when the key is lost). Exit status 1 when ``list`` finds a
token the daemon could not use or renew, or ``rotate-key`` left an account as
it was; 2 for errors a person can cause.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from scheduler.cli.common import ConfigOption, DatabaseOption, console, error_console, styled
from scheduler.cli.queue_common import ReasonOption, opened
from scheduler.clock import SystemClock, utc_now
from scheduler.errors import ConfigError

if TYPE_CHECKING:
    from scheduler.tokens.report import TokenReport, TokenStatus

tokens_app = typer.Typer(
    help="The encrypted store of tokens the platforms rotate (key in $CAMPAIGN_TOKEN_KEYS).",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``campaign tokens ...`` to ``app``."""
    app.add_typer(tokens_app, name="tokens")


@tokens_app.command("new-key")
def new_key_command() -> None:
    """Print a new random key for CAMPAIGN_TOKEN_KEYS (the key alone on standard output)."""
    from scheduler.tokens.cipher import TOKEN_KEYS_ENV, new_key

    typer.echo(new_key())
    error_console.print(
        f"Put it first in {TOKEN_KEYS_ENV} (NEW or NEW,OLD), in the environment of every "
        "daemon and command of this database, or in the .env file beside config.yaml; "
        'keep it secret. Changing keys: docs/platforms.md, "Rotating the key".',
        soft_wrap=True,
    )


@tokens_app.command("list")
def list_command(
    config_path: Path | None = ConfigOption,
    database_url: str | None = DatabaseOption,
) -> None:
    """Every stored token: account, kind, expiry, who wrote it and when; never a value.
    Exit status 1 when a token cannot be opened with the key or renewed."""
    from scheduler.platforms.secrets import load_environment
    from scheduler.tokens.report import token_report

    with opened(config_path, database_url) as context:
        now = utc_now()
        report = token_report(context.sessions, load_environment(context.config.base_dir), now)
    if not report.tokens:
        console.print("no tokens stored")
        return
    print_token_report(report)
    raise typer.Exit(1 if any(token.problem for token in report.tokens) else 0)


@tokens_app.command("rotate-key")
def rotate_key_command(
    config_path: Path | None = ConfigOption,
    database_url: str | None = DatabaseOption,
) -> None:
    """Encrypt every stored token again with the first key of CAMPAIGN_TOKEN_KEYS,
    so the keys after it can be removed. Exit status 1 when an account was left as it was."""
    from scheduler.platforms.secrets import load_environment
    from scheduler.storage.audit import current_actor
    from scheduler.tokens.cipher import TOKEN_KEYS_ENV
    from scheduler.tokens.store import TokenStore, describe_writer

    with opened(config_path, database_url) as context:
        store = TokenStore(
            context.sessions,
            load_environment(context.config.base_dir),
            writer=describe_writer("campaign tokens rotate-key"),
            clock=SystemClock(),
        )
        result = store.rotate_key(actor=current_actor())
    for account, kinds in result.rotated.items():
        noun = "token" if len(kinds) == 1 else "tokens"
        console.print(f"{account}: re-encrypted the {' and '.join(kinds)} {noun}")
    for account, reason in result.failed.items():
        console.print(
            Text(f"{account}: left as it was: ", style="bold red") + Text(reason), soft_wrap=True
        )
    if not result.rotated and not result.failed:
        console.print("no tokens stored; nothing to re-encrypt")
    elif result.rotated and result.key_count == 1:
        console.print(
            f"{TOKEN_KEYS_ENV} holds one key, so the tokens were encrypted again with that "
            "same key. To change the key: put a new one first (NEW,OLD), run this again, "
            "then remove OLD.",
            soft_wrap=True,
        )
    elif not result.failed:
        console.print(
            f"every stored token is now encrypted with the first key of {TOKEN_KEYS_ENV}; "
            "the others can be removed from it on every host",
            soft_wrap=True,
        )
    raise typer.Exit(1 if result.failed else 0)


@tokens_app.command("forget")
def forget_command(
    account: str = typer.Argument(..., help="The account label (x-main)."),
    kind: list[str] = typer.Option(
        [], "--kind", help="Only this kind (access, refresh); repeatable. Default: every kind."
    ),
    reason: str = ReasonOption,
    config_path: Path | None = ConfigOption,
    database_url: str | None = DatabaseOption,
) -> None:
    """Delete an account's stored tokens, with no key needed (a lost key, a revoked
    authorization); the account must then be authorized again. Kept in the audit trail."""
    from scheduler.storage.audit import current_actor
    from scheduler.tokens.kinds import TokenKind
    from scheduler.tokens.store import TokenStore, describe_writer

    known = [member.value for member in TokenKind]
    unknown = [name for name in kind if name not in known]
    if unknown:
        raise ConfigError(
            f"unknown token kind {unknown[0]!r}", where="--kind", hint=f"use {' or '.join(known)}"
        )
    if not reason.strip():
        raise ConfigError("`campaign tokens forget` needs a reason", where="--reason")
    with opened(config_path, database_url) as context:
        store = TokenStore(
            context.sessions,
            {},
            writer=describe_writer("campaign tokens forget"),
            clock=SystemClock(),
        )
        deleted = store.forget(account, kind, actor=current_actor(), reason=reason)
        if not deleted:
            from scheduler.storage.tokens import all_tokens

            stored = sorted({token.account_label for token in all_tokens(context.sessions)})
            what = f"{'/'.join(kind)} tokens" if kind else "tokens"
            raise ConfigError(
                f"account {account!r} has no stored {what}",
                where="ACCOUNT",
                hint=(
                    f"accounts with stored tokens: {', '.join(stored)}"
                    if stored
                    else "no account has stored tokens"
                ),
            )
    noun = "token" if len(deleted) == 1 else "tokens"
    console.print(f"deleted the stored {' and '.join(deleted)} {noun} of {account}")


def print_token_report(report: TokenReport, *, problems: bool = True) -> None:
    """The stored tokens as a table (times in UTC), then (with ``problems``) each
    problem in full; a line saying why when the store could not be read."""
    if report.unavailable:
        console.print(
            styled(("stored tokens not checked:", "yellow"), f" {report.unavailable}"),
            soft_wrap=True,
        )
    if not report.tokens:
        return
    table = Table(title="Stored tokens", box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("account", "kind", "expires (UTC)", "result"):
        table.add_column(column, no_wrap=True)
    table.add_column("written (UTC), by", overflow="fold")
    for token in report.tokens:
        table.add_row(
            token.account_label,
            token.kind,
            _utc(token.expires_at) if token.expires_at else "not given",
            _result(token),
            f"{_utc(token.written_at)} by {token.written_by}",
        )
    console.print(table)
    if any(token.expired and not token.problem for token in report.tokens):
        console.print("expired: renewed with the account's refresh token on its next use")
    for token in report.tokens if problems else ():
        if token.problem:
            console.print(
                Text(f"{token.account_label} {token.kind}: ", style="bold red")
                + Text(token.problem),
                soft_wrap=True,
            )


def _result(token: TokenStatus) -> Text:
    if token.problem:
        return Text("PROBLEM", style="bold red")
    if token.expired:
        return Text("expired", style="yellow")
    return Text("ok", style="green")


def _utc(instant: datetime) -> str:
    return f"{instant:%Y-%m-%d %H:%M}"
