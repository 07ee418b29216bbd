"""What went out and what did not: ``campaign history``.

Pages of 50 rows, newest first, each ending with the ``more:`` command that
shows the next (keyset paging, :mod:`scheduler.storage.history`); ``--csv`` and
``--json`` stream every matching row. The table fits the terminal
(:mod:`scheduler.cli.layout`): ids and links are never split; on a narrow
terminal the less important columns are left out and a row's link or error goes
on its own line.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

import typer

from scheduler.cli.common import ConfigOption, DatabaseOption, console
from scheduler.cli.layout import Column, Detail, print_table
from scheduler.cli.queue_common import (
    MAX_ROWS,
    AccountFilter,
    CallOption,
    Context,
    JsonOption,
    LanguageOption,
    PlatformOption,
    SinceOption,
    StateOption,
    UntilOption,
    build_filters,
    checked,
    opened,
)
from scheduler.errors import ConfigError
from scheduler.printable import json_text
from scheduler.storage import queries
from scheduler.storage.database import reading
from scheduler.storage.history_csv import history_csv_lines
from scheduler.storage.history_rows import HistoryCursor

HISTORY_COLUMNS = (
    Column("try", right=True), Column("when"), Column("post"), Column("account"),
    Column("outcome"), Column("HTTP", drop=2, right=True), Column("state", drop=1),
    Column("cost", drop=3, right=True),
)  # fmt: skip
LINK_OUTCOMES = ("published", "reconciled")


def _history_csv(context: Context, rows: Iterator[queries.HistoryRow]) -> None:
    # The dashboard's export writes the same lines (formulas neutralised).
    sys.stdout.writelines(history_csv_lines(rows, context.zone, newline="\n"))


def _history_json(context: Context, rows: Iterator[queries.HistoryRow]) -> None:
    sys.stdout.write("[")
    for index, row in enumerate(rows):
        sys.stdout.write(("," if index else "") + "\n  " + json_text(row.as_dict(context.zone)))
    sys.stdout.write("\n]\n")


def _detail(context: Context, row: queries.HistoryRow) -> Detail:
    if row.platform_url and (row.outcome in LINK_OUTCOMES or not row.is_attempt):
        return Detail(context.link(row.platform_url) or "", is_link=True)
    code = f"{row.platform_code}: " if row.platform_code else ""
    return Detail(f"{code}{row.platform_message}" if row.platform_message else "")


def print_history(context: Context, page: list[queries.HistoryRow]) -> None:
    """The history page as a table that fits the terminal."""
    cells = [
        [
            str(row.cursor),
            context.local(row.at),
            row.post_id,
            row.account,
            row.outcome or "in flight",
            str(row.http_status or ""),
            row.state,
            f"${row.cost_usd:.3f}" if row.cost_usd else "",
        ]
        for row in page
    ]
    kind = "Rehearsal history" if context.facts.is_rehearsal else "History"
    title = f"{kind}, newest first, times in {context.config.campaign.timezone}"
    details = [_detail(context, row) for row in page]
    print_table(console, title, HISTORY_COLUMNS, cells, details, "link or error")


def next_page_command(flags: list[tuple[str, str | None]], cursor: HistoryCursor) -> str:
    """``campaign history`` with the same flags (``(flag, value)`` pairs, None
    values left out) and ``--before`` the page's last row."""
    parts = ["campaign", "history"]
    for flag, value in flags:
        if value is not None:
            parts += [flag, value]
    return shlex.join([*parts, "--before", str(cursor)])


def history(
    platform: list[str] = PlatformOption,
    account: list[str] = AccountFilter,
    call: list[str] = CallOption,
    language: list[str] = LanguageOption,
    state: list[str] = StateOption,
    outcome: list[str] = typer.Option(
        [], "--outcome", help="Only rows that ended so (published, rejected, missed...)."
    ),
    since: str | None = SinceOption,
    until: str | None = UntilOption,
    limit: int | None = typer.Option(
        None,
        "--limit",
        min=0,
        max=MAX_ROWS,
        help="Rows per page (default 50; 0: all; --csv/--json: all by default).",
    ),
    before: str | None = typer.Option(
        None,
        "--before",
        metavar="ROW",
        help="The next page: rows older than this one (an attempt number, or p and a "
        "publication number), as the `more:` line prints it.",
    ),
    as_csv: bool = typer.Option(False, "--csv", help="Print CSV (every matching row)."),
    as_json: bool = JsonOption,
    config_path: Path | None = ConfigOption,
    database_url: str | None = DatabaseOption,
) -> None:
    """What went out and what did not: every attempt, and every publication that
    ended without one (missed, cancelled), newest first, with links and errors."""
    if as_csv and as_json:
        raise ConfigError("choose one of --csv and --json", where="--csv/--json")
    try:
        cursor = None if before is None else HistoryCursor.parse(before)
    except ValueError as error:
        raise ConfigError(
            str(error), where="--before", hint="copy it from the `more:` line"
        ) from None
    with opened(config_path, database_url) as context:
        filters = build_filters(context, platform, account, call, language, state, since, until)
        outcomes = checked(context.config, "outcome", outcome, "--outcome")
        with reading(context.sessions) as session:
            if as_csv or as_json:
                rows = queries.iter_history(
                    session, filters, outcomes=outcomes, before=cursor, limit=limit or None
                )
                (_history_csv if as_csv else _history_json)(context, rows)
                return
            page_size = 50 if limit is None else limit
            page = queries.history(
                session, filters, outcomes=outcomes, before=cursor, limit=page_size or None
            )
        if not page:
            console.print("Nothing in the history matches.")
            return
        print_history(context, page)
        if page_size and len(page) == page_size:
            flags: list[tuple[str, str | None]] = [
                *(("--platform", value) for value in platform),
                *(("--account", value) for value in account),
                *(("--call", value) for value in call),
                *(("--language", value) for value in language),
                *(("--state", value) for value in state),
                *(("--outcome", value) for value in outcome),
                ("--since", since),
                ("--until", until),
                ("--limit", None if limit is None else str(limit)),
                ("--config", None if config_path is None else str(config_path)),
                ("--database-url", database_url),
            ]
            console.print(f"more: {next_page_command(flags, page[-1].cursor)}", soft_wrap=True)
