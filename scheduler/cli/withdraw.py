"""``campaign withdraw ID --reason R [--account LABEL]``: take live posts down.

Deletes each live publication ``ID`` names (a post id, a message id for every
language version, or a publication number) from its platform and marks it
``withdrawn``; prints one line per publication. Safe to repeat. Exit status 1
when a delete did not go through (the post may still be live: run it again),
2 for errors a person can cause.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from scheduler.cli.common import ConfigOption, DatabaseOption, console, styled
from scheduler.cli.queue_common import AccountOption, ReasonOption, check_account, opened
from scheduler.clock import SystemClock, utc_now
from scheduler.storage.lookup import publication_number

if TYPE_CHECKING:
    from scheduler.platforms.base import Publisher

_WORDS = {
    "deleted": ("withdrawn", "green", "deleted from the platform"),
    "gone": ("withdrawn", "green", "it was no longer on the platform"),
    "recorded": ("withdrawn", "green", "another withdrawal recorded it meanwhile"),
}


def register(app: typer.Typer) -> None:
    """Add ``campaign withdraw`` to ``app``."""
    app.command("withdraw")(withdraw_command)


def withdraw_command(
    identifier: str = typer.Argument(
        ...,
        metavar="ID",
        help="A post id, a message id (all its language versions), or a publication number.",
    ),
    reason: str = ReasonOption,
    account: str | None = AccountOption,
    config_path: Path | None = ConfigOption,
    database_url: str | None = DatabaseOption,
) -> None:
    """Delete a live post from its platform (every language version of a message, or
    one account's with --account) and mark it withdrawn: retry refuses it and sync
    never publishes it again. Safe to repeat. Exit status 1 when a delete failed."""
    from scheduler.daemon.accounts import build_publisher
    from scheduler.platforms.secrets import load_environment
    from scheduler.storage.audit import current_actor
    from scheduler.tokens.store import describe_writer
    from scheduler.withdrawal.service import withdraw

    number = publication_number(identifier)
    target: str | int = identifier if number is None else number
    with opened(config_path, database_url) as context:
        config = context.config
        check_account(config, account)
        environ = load_environment(config.base_dir)
        built: dict[str, Publisher] = {}

        def publisher_for(label: str) -> Publisher:
            if label not in built:
                built[label] = build_publisher(
                    config,
                    config.account(label),
                    environ,
                    SystemClock(),
                    sessions=context.sessions,
                    writer=describe_writer("campaign withdraw"),
                )
            return built[label]

        try:
            result = withdraw(
                context.sessions, publisher_for, target, reason=reason, actor=current_actor(),
                now=utc_now, account=account,
            )  # fmt: skip
        finally:
            for publisher in built.values():
                publisher.close()
    for outcome in result.outcomes:
        where = f" ({outcome.url})" if outcome.url else ""
        if outcome.ok:
            word, style, how = _WORDS[outcome.result]
            console.print(
                styled((word, style), f" {outcome.post_id}@{outcome.account}{where}: {how}"),
                soft_wrap=True,
            )
        else:
            console.print(
                styled(
                    ("not withdrawn", "bold red"),
                    f" {outcome.post_id}@{outcome.account}{where}: {outcome.detail}",
                ),
                soft_wrap=True,
            )
    for item in result.skipped:
        why = "withdrawn before" if item.why == "withdrawn" else f"{item.why}: not live"
        console.print(styled((f"left alone: {item.post_id}@{item.account} ({why})", "dim")))
    raise typer.Exit(0 if result.ok else 1)
