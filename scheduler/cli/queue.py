"""The queue and its history: ``db``, ``sync``, ``timeline``, ``history``, ``show``,
``cancel``, ``retry``, ``resolve``, ``pause`` and ``resume``.

Every command but ``db upgrade`` refuses a database whose schema is missing,
older or newer than this program (the message names ``campaign db upgrade``).
Times print in the campaign's timezone; ``--json`` and ``--csv`` carry UTC
times plus ``*_local`` ones.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import typer
from rich import box
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from scheduler.cli.common import ConfigOption, console, load
from scheduler.clock import utc_now
from scheduler.config import CampaignConfig, RuntimeSettings, resolve_database_url
from scheduler.errors import ConfigError
from scheduler.storage import actions, queries
from scheduler.storage.database import (
    current_revision,
    describe_url,
    head_revision,
    make_engine,
    open_database,
    reading,
    upgrade_database,
)
from scheduler.storage.models import PublicationState
from scheduler.storage.sync import SyncDiff

DatabaseOption = typer.Option(
    None, "--database-url", help="Database URL (default: $CAMPAIGN_DATABASE_URL or config.yaml)."
)
PlatformOption = typer.Option(
    [], "--platform", help="Only this platform (x, facebook); repeatable."
)
AccountFilter = typer.Option([], "--account", help="Only this account label; repeatable.")
CallOption = typer.Option([], "--call", help="Only this call (join-the-treaty...); repeatable.")
LanguageOption = typer.Option([], "--language", help="Only this language (en, fr, es); repeatable.")
StateOption = typer.Option([], "--state", help="Only publications in this state; repeatable.")
SinceOption = typer.Option(None, "--since", help="From this local date or time (inclusive).")
UntilOption = typer.Option(None, "--until", help="Up to this local date or time (exclusive).")
JsonOption = typer.Option(False, "--json", help="Print JSON instead of a table.")
AccountOption = typer.Option(None, "--account", help="Only this account's publication.")
ReasonOption = typer.Option(..., "--reason", help="Why (kept in the audit trail).")

db_app = typer.Typer(help="The database schema: create or upgrade it.", no_args_is_help=True)


@dataclass
class Context:
    """What a command works with: the campaign, its timezone and the database."""

    config: CampaignConfig
    sessions: sessionmaker[Session]

    @property
    def zone(self) -> ZoneInfo:
        return self.config.campaign.zone

    def local(self, instant: datetime | None) -> str:
        """``2020-11-23 09:00`` in the campaign's timezone, or ``-``."""
        return instant.astimezone(self.zone).strftime("%Y-%m-%d %H:%M") if instant else "-"


def _url(config: CampaignConfig, settings: RuntimeSettings, database_url: str | None) -> str:
    return database_url or resolve_database_url(config, settings)


@contextmanager
def opened(config_path: Path | None, database_url: str | None) -> Iterator[Context]:
    """The campaign and a checked database for one command; disposed afterwards."""
    config, settings = load(config_path)
    engine, sessions = open_database(_url(config, settings, database_url))
    try:
        yield Context(config, sessions)
    finally:
        engine.dispose()


def parse_moment(text: str | None, zone: ZoneInfo, flag: str) -> datetime | None:
    """``2020-11-23`` (local midnight), ``2020-11-23T10:00`` (local) or with an offset.

    :raises ConfigError: for anything else, naming ``flag``.
    """
    if text is None:
        return None
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), tzinfo=zone)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"{text!r} is not a date or time",
            where=flag,
            hint="write 2020-11-23, 2020-11-23T10:00 (campaign time) or 2020-11-23T09:00Z",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _states(values: list[str]) -> tuple[PublicationState, ...]:
    try:
        return tuple(PublicationState(value.replace(" ", "_")) for value in values)
    except ValueError:
        known = ", ".join(state.value for state in PublicationState)
        raise ConfigError(
            f"unknown state in {values}; states are {known}", where="--state"
        ) from None


def _filters(
    context: Context,
    platform: list[str],
    account: list[str],
    call: list[str],
    language: list[str],
    state: list[str],
    since: str | None,
    until: str | None,
) -> queries.QueueFilter:
    for label in account:
        context.config.account(label)
    return queries.QueueFilter(
        platforms=tuple(platform),
        accounts=tuple(account),
        calls=tuple(call),
        languages=tuple(language),
        states=_states(state),
        since=parse_moment(since, context.zone, "--since"),
        until=parse_moment(until, context.zone, "--until"),
    )


def _target(identifier: str) -> str | int:
    """A post id, or a publication number (digits) as `campaign show` prints it."""
    return int(identifier) if identifier.isdigit() else identifier


# -- db --------------------------------------------------------------------------
@db_app.command("upgrade")
def db_upgrade(
    config_path: Path | None = ConfigOption, database_url: str | None = DatabaseOption
) -> None:
    """Create the database's tables, or bring them up to this program's schema."""
    settings = RuntimeSettings()
    url = database_url or settings.database_url or _url(*load(config_path), None)
    engine = make_engine(url)
    try:
        before = current_revision(engine)
        upgrade_database(url)
        after = current_revision(engine)
    finally:
        engine.dispose()
    where = describe_url(engine)
    if before == after:
        console.print(f"{where} is up to date (schema {after}).")
    else:
        console.print(f"{where}: schema {before or 'none'} -> {after}.")


@db_app.command("current")
def db_current(
    config_path: Path | None = ConfigOption, database_url: str | None = DatabaseOption
) -> None:
    """Print the database's schema revision and whether it is this program's."""
    settings = RuntimeSettings()
    url = database_url or settings.database_url or _url(*load(config_path), None)
    engine = make_engine(url)
    try:
        found = current_revision(engine)
    finally:
        engine.dispose()
    expected = head_revision()
    verdict = "up to date" if found == expected else "run `campaign db upgrade`"
    console.print(
        f"{describe_url(engine)}: schema {found or 'none'} (this program: {expected}); {verdict}"
    )


# -- sync ------------------------------------------------------------------------
def _print_diff(context: Context, diff: SyncDiff, verbose: bool) -> None:
    styles = {
        "added": "green",
        "changed": "cyan",
        "cancelled": "yellow",
        "conflicts": "bold red",
        "drafts": "dim",
    }
    for section, style in styles.items():
        entries = getattr(diff, section)
        if not entries:
            continue
        console.print(f"[{style}]{section} ({len(entries)})[/]")
        for entry in entries:
            where = f"@{entry.account}" if entry.account else ""
            console.print(
                f"  {entry.post_id}{where}  {context.local(entry.scheduled_at)}  {entry.detail}",
                markup=False,
            )
    if verbose and diff.unchanged:
        console.print(f"unchanged ({len(diff.unchanged)})")
        for entry in diff.unchanged:
            console.print(f"  {entry.post_id}@{entry.account}  {entry.detail}", markup=False)
    counts = ", ".join(f"{count} {name}" for name, count in diff.counts().items())
    prefix = "dry run, nothing written: " if diff.dry_run else ""
    console.print(f"{prefix}{counts}")


def sync(
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the diff; write nothing."),
    as_json: bool = JsonOption,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="List unchanged publications too."),
    config_path: Path | None = ConfigOption,
    database_url: str | None = DatabaseOption,
) -> None:
    """Check every post, then bring the queue in line with posts/ (one transaction)."""
    from scheduler.storage.service import check_and_sync

    with opened(config_path, database_url) as context:
        outcome = check_and_sync(context.config, context.sessions, now=utc_now(), dry_run=dry_run)
        if outcome.diff is None:
            for problem in outcome.report.errors:
                console.print(str(problem), markup=False)
            console.print(
                f"[bold red]{len(outcome.report.errors)} error(s); nothing was written.[/]"
            )
            raise typer.Exit(1)
        if as_json:
            typer.echo(json.dumps(outcome.diff.as_dict(), indent=2, ensure_ascii=False))
        else:
            _print_diff(context, outcome.diff, verbose)


# -- timeline and history --------------------------------------------------------
def timeline(
    platform: list[str] = PlatformOption,
    account: list[str] = AccountFilter,
    call: list[str] = CallOption,
    language: list[str] = LanguageOption,
    state: list[str] = StateOption,
    since: str | None = SinceOption,
    until: str | None = UntilOption,
    limit: int = typer.Option(0, "--limit", help="At most this many rows (0: all)."),
    as_json: bool = JsonOption,
    config_path: Path | None = ConfigOption,
    database_url: str | None = DatabaseOption,
) -> None:
    """The upcoming queue (pending, retrying, publishing) in campaign time."""
    with opened(config_path, database_url) as context:
        filters = _filters(context, platform, account, call, language, state, since, until)
        with reading(context.sessions) as session:
            rows = queries.timeline(session, filters, limit=limit or None)
        campaign = context.config.campaign
        if as_json:
            data = [
                {
                    **row.as_dict(context.zone),
                    "countdown": queries.countdown(campaign, row.scheduled_at),
                }
                for row in rows
            ]
            typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
            return
        if not rows:
            console.print("Nothing queued matches. `campaign sync` queues the approved posts.")
            return
        table = _table(
            f"Queue ({len(rows)}), times in {campaign.timezone}",
            "#", "when", "T", "account", "call", "lang", "state", "post",
        )  # fmt: skip
        for row in rows:
            table.add_row(
                str(row.publication_id), context.local(row.scheduled_at), queries.countdown(campaign, row.scheduled_at),
                row.account, row.call, row.language, row.state, row.post_id,
            )  # fmt: skip
        console.print(table)


def _table(title: str, *columns: str) -> Table:
    """A compact table: times, numbers and states never wrap; text folds, never cut."""
    table = Table(title=title, box=box.SIMPLE_HEAD, collapse_padding=True)
    for column in columns:
        short = column in ("#", "when", "T", "state", "attempt", "started", "HTTP", "outcome")
        table.add_column(column, no_wrap=short, overflow="fold")
    return table


def _history_csv(context: Context, rows: Iterator[queries.HistoryRow]) -> None:
    times = ("started_at", "ended_at", "scheduled_at")
    fields = [*queries.HistoryRow.FIELDS, *(f"{name}_local" for name in times)]
    writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row.as_dict(context.zone))


def _history_json(context: Context, rows: Iterator[queries.HistoryRow]) -> None:
    sys.stdout.write("[")
    for index, row in enumerate(rows):
        sys.stdout.write(
            ("," if index else "")
            + "\n  "
            + json.dumps(row.as_dict(context.zone), ensure_ascii=False)
        )
    sys.stdout.write("\n]\n")


def history(
    platform: list[str] = PlatformOption,
    account: list[str] = AccountFilter,
    call: list[str] = CallOption,
    language: list[str] = LanguageOption,
    state: list[str] = StateOption,
    outcome: list[str] = typer.Option(
        [], "--outcome", help="Only attempts that ended so (published, rejected...)."
    ),
    since: str | None = SinceOption,
    until: str | None = UntilOption,
    limit: int | None = typer.Option(
        None, "--limit", help="Rows per page (default 50; 0: all; --csv/--json: all by default)."
    ),
    before: int | None = typer.Option(
        None, "--before", help="The next page: attempts older than this attempt number."
    ),
    as_csv: bool = typer.Option(False, "--csv", help="Print CSV (every matching attempt)."),
    as_json: bool = JsonOption,
    config_path: Path | None = ConfigOption,
    database_url: str | None = DatabaseOption,
) -> None:
    """What went out and what failed: every attempt, newest first, with links and errors."""
    if as_csv and as_json:
        raise ConfigError("choose one of --csv and --json", where="--csv/--json")
    with opened(config_path, database_url) as context:
        filters = _filters(context, platform, account, call, language, state, since, until)
        with reading(context.sessions) as session:
            if as_csv or as_json:
                rows = queries.iter_history(
                    session, filters, outcomes=tuple(outcome), before=before, limit=limit or None
                )
                (_history_csv if as_csv else _history_json)(context, rows)
                return
            page_size = 50 if limit is None else limit
            page = queries.history(
                session, filters, outcomes=tuple(outcome), before=before, limit=page_size or None
            )
        if not page:
            console.print("No attempts match.")
            return
        table = _table(
            f"History, newest first, times in {context.config.campaign.timezone}",
            "attempt", "started", "post", "account", "outcome", "HTTP", "state", "link or error",
        )  # fmt: skip
        for row in page:
            detail = (
                row.platform_url if row.outcome == "published" else (row.platform_message or "")
            )
            table.add_row(
                str(row.attempt_id), context.local(row.started_at), row.post_id, row.account,
                row.outcome or "in flight", str(row.http_status or ""), row.state, detail or "",
            )  # fmt: skip
        console.print(table)
        if page_size and len(page) == page_size:
            console.print(f"more: campaign history --before {page[-1].attempt_id}")


# -- one post --------------------------------------------------------------------
def show(
    identifier: str = typer.Argument(..., metavar="ID", help="A post id."),
    config_path: Path | None = ConfigOption,
    database_url: str | None = DatabaseOption,
) -> None:
    """One post: its content, its publications and every attempt."""
    with opened(config_path, database_url) as context, reading(context.sessions) as session:
        detail = queries.post_detail(session, identifier)
        post = detail.post
        removed = (
            f"  [yellow]file removed {context.local(post.removed_at)}[/]" if post.removed_at else ""
        )
        console.print(f"[bold]{post.id}[/]  {post.status.value}  revision {post.revision}{removed}")
        console.print(
            f"  {post.source_path}:{post.source_line}  call {post.call}  language {post.language}"
        )
        console.print(
            f"  {context.local(post.publish_at)} {context.config.campaign.timezone}"
            f"  ({queries.countdown(context.config.campaign, post.publish_at)})"
        )
        for platform, text in post.texts.items():
            console.print(f"  [dim]{platform}:[/] {escape(str(text))}")
        for path in post.media:
            console.print(f"  [dim]media:[/] {escape(str(path))}")
        for publication in detail.publications:
            url = f"  {publication.platform_url}" if publication.platform_url else ""
            why = escape(publication.last_error or publication.cancel_reason or "")
            console.print(
                f"[bold]#{publication.id} {publication.account_label}[/] ({publication.platform})"
                f"  {publication.state.value}  due {context.local(publication.next_attempt_at)}{url}"
                + (f"  [dim]{why}[/]" if why else "")
            )
            for attempt in publication.attempts:
                status = f"HTTP {attempt.http_status}" if attempt.http_status else ""
                code = f"code {attempt.platform_code}" if attempt.platform_code else ""
                console.print(
                    f"    attempt {attempt.id}  {context.local(attempt.started_at)}"
                    f"  {attempt.outcome or 'in flight'}  {status} {code}"
                    f"  {escape(attempt.platform_message or '')}  [dim]{escape(attempt.worker_id)}[/]"
                )
        for entry in detail.audit:
            console.print(
                f"[dim]{context.local(entry.at)} {escape(entry.actor)} {entry.action}"
                f" {escape(entry.target)}: {escape(entry.detail or '')} ({escape(entry.reason)})[/]"
            )


# -- operator actions ------------------------------------------------------------
def _report(result: actions.ActionResult) -> None:
    for change in result.changes:
        console.print(
            f"{result.action}: {change.post_id}@{change.account} {change.before} -> {change.after}"
        )
    for account, state in result.skipped:
        console.print(f"[dim]left alone: {account} ({state})[/]")


def cancel(
    identifier: str = typer.Argument(
        ..., metavar="ID", help="A post id (or a publication number)."
    ),
    reason: str = ReasonOption,
    account: str | None = AccountOption,
    config_path: Path | None = ConfigOption,
    database_url: str | None = DatabaseOption,
) -> None:
    """Cancel a post's publications that have not gone out; sync will not re-queue them."""
    with opened(config_path, database_url) as context:
        if account:
            context.config.account(account)
        _report(
            actions.cancel(
                context.sessions, _target(identifier), reason=reason, account=account, now=utc_now()
            )
        )


def retry(
    identifier: str = typer.Argument(
        ..., metavar="ID", help="A post id (or a publication number)."
    ),
    reason: str = ReasonOption,
    account: str | None = AccountOption,
    config_path: Path | None = ConfigOption,
    database_url: str | None = DatabaseOption,
) -> None:
    """Queue failed, missed or needs-review publications again, due now."""
    with opened(config_path, database_url) as context:
        if account:
            context.config.account(account)
        _report(
            actions.retry(
                context.sessions, _target(identifier), reason=reason, account=account, now=utc_now()
            )
        )


def resolve(
    identifier: str = typer.Argument(
        ..., metavar="ID", help="A post id (or a publication number)."
    ),
    published: str | None = typer.Option(None, "--published", help="It is out: its public URL."),
    not_published: bool = typer.Option(
        False, "--not-published", help="It is not out: queue it again."
    ),
    reason: str = typer.Option("", "--reason", help="Why (needed with --not-published)."),
    account: str | None = AccountOption,
    config_path: Path | None = ConfigOption,
    database_url: str | None = DatabaseOption,
) -> None:
    """Settle a publication that needs review: published (with its URL) or not."""
    if (published is None) == (not not_published):
        raise ConfigError(
            "give exactly one of --published URL and --not-published", where="resolve"
        )
    with opened(config_path, database_url) as context:
        if account:
            context.config.account(account)
        result = actions.resolve(
            context.sessions, _target(identifier), published_url=published, reason=reason,
            account=account, now=utc_now(),
        )  # fmt: skip
        _report(result)


def pause(
    reason: str = ReasonOption,
    account: str | None = typer.Option(None, "--account", help="Pause only this account."),
    config_path: Path | None = ConfigOption,
    database_url: str | None = DatabaseOption,
) -> None:
    """Stop every daemon from publishing (the whole campaign, or one account)."""
    with opened(config_path, database_url) as context:
        if account:
            context.config.account(account)
        hold = actions.pause(context.sessions, reason=reason, account=account, now=utc_now())
        console.print(
            f"paused {hold.scope} since {context.local(hold.since)}: {hold.reason}", markup=False
        )


def resume(
    account: str | None = typer.Option(None, "--account", help="Resume only this account."),
    reason: str = typer.Option("", "--reason", help="Why (kept in the audit trail)."),
    config_path: Path | None = ConfigOption,
    database_url: str | None = DatabaseOption,
) -> None:
    """Lift a pause made with `campaign pause`."""
    with opened(config_path, database_url) as context:
        if account:
            context.config.account(account)
        hold = actions.resume(context.sessions, account=account, reason=reason, now=utc_now())
        console.print(f"resumed {hold.scope} (paused since {context.local(hold.since)})")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.add_typer(db_app, name="db")
    for command in (sync, timeline, history, show, cancel, retry, resolve, pause, resume):
        app.command()(command)
