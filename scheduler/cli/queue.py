"""The queue and its history: ``sync``, ``timeline``, ``history``, ``show``,
``cancel``, ``retry``, ``resolve``, ``pause`` and ``resume``.

Every command refuses a database whose schema is missing, older or newer than
this program (the message names ``campaign db upgrade``, in :mod:`scheduler.cli.db`).
Times print in the campaign's timezone; ``--json`` and ``--csv`` carry UTC
times plus ``*_local`` ones. The reading commands are in
:mod:`scheduler.cli.queue_read` and :mod:`scheduler.cli.queue_history`, the
shared options in :mod:`scheduler.cli.queue_common`.
"""

from __future__ import annotations

from pathlib import Path

import typer

from scheduler.cli.check import problem_as_dict, problem_text
from scheduler.cli.common import ConfigOption, DatabaseOption, console, styled
from scheduler.cli.queue_common import (
    AccountOption,
    Context,
    JsonOption,
    ReasonOption,
    check_account,
    opened,
    parse_moment,
)
from scheduler.cli.queue_history import history
from scheduler.cli.queue_read import show, timeline
from scheduler.clock import publishing_clock, utc_now
from scheduler.errors import ConfigError
from scheduler.printable import json_text
from scheduler.storage import actions
from scheduler.storage.lookup import publication_number
from scheduler.storage.sync import SyncDiff
from scheduler.validation_words import counted

# Used by the other command modules (``campaign web`` takes the same options).
__all__ = ["DatabaseOption", "parse_moment", "register"]


def _target(identifier: str) -> str | int:
    """A post id, or a publication number: ``46`` as the timeline and `campaign show`
    print it, or ``p46`` as `campaign history` does."""
    number = publication_number(identifier)
    return identifier if number is None else number


# -- sync ------------------------------------------------------------------------
def _print_diff(context: Context, diff: SyncDiff, verbose: bool) -> None:
    styles = {
        "added": "green",
        "changed": "cyan",
        "cancelled": "yellow",
        "conflicts": "bold red",
        "live": "bold yellow",
        "drafts": "dim",
    }
    for section, style in styles.items():
        entries = getattr(diff, section)
        if not entries:
            continue
        console.print(styled((f"{section} ({len(entries)})", style)))
        for entry in entries:
            where = f"@{entry.account}" if entry.account else ""
            console.print(
                f"  {entry.post_id}{where}  {context.local(entry.scheduled_at)}  {entry.detail}",
                soft_wrap=True,  # a command in the detail stays on one line to copy
            )
    if verbose and diff.unchanged:
        console.print(f"unchanged ({len(diff.unchanged)})")
        for entry in diff.unchanged:
            console.print(f"  {entry.post_id}@{entry.account}  {entry.detail}", soft_wrap=True)
    counts = diff.counts()
    drafts = counts.pop("drafts")
    # Sections count publications (a post on two accounts is two), drafts count
    # posts: `campaign check` counts posts, so say which is which.
    publications = ", ".join(f"{count} {name}" for name, count in counts.items())
    summary = f"publications: {publications}; drafts: {drafts} post{'s' if drafts != 1 else ''}"
    prefix = "dry run, nothing written: " if diff.dry_run else ""
    console.print(f"{prefix}{summary}")


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
        now = publishing_clock().now()
        outcome = check_and_sync(context.config, context.sessions, now=now, dry_run=dry_run)
        report = outcome.report
        if as_json:
            data = {} if outcome.diff is None else outcome.diff.as_dict()
            data["written"] = outcome.diff is not None and not dry_run
            data["problems"] = [problem_as_dict(problem) for problem in report.problems]
            data["notes"] = list(report.notes)
            typer.echo(json_text(data, indent=2))
            if outcome.diff is None:
                raise typer.Exit(1)
            return
        # Warnings do not stop a sync, but a past or half-translated post is
        # worth seeing where the queue is changed, not only in `campaign check`.
        shown = report.problems if outcome.diff is None else report.warnings
        for problem in shown:
            console.print(problem_text(problem), soft_wrap=True)
        if outcome.diff is None:
            console.print(
                styled(
                    (f"{counted(len(report.errors), 'error')}; nothing was written.", "bold red")
                )
            )
            raise typer.Exit(1)
        if report.warnings:
            console.print(
                styled(
                    (counted(len(report.warnings), "warning"), "yellow"),
                    "; warnings do not stop a sync",
                )
            )
        _print_diff(context, outcome.diff, verbose)
        for note in report.notes:
            console.print(styled(("note:", "bold cyan"), f" {note}"), soft_wrap=True)


# -- operator actions ------------------------------------------------------------
def _report(result: actions.ActionResult) -> None:
    target = result.target
    if target is not None and target.message_id is not None:
        count = len(target.post_ids)
        console.print(
            f"message {target.message_id}: {count} language version"
            f"{'s' if count > 1 else ''} ({target.versions})",
            soft_wrap=True,
        )
    for change in result.changes:
        console.print(
            f"{result.action}: {change.post_id}@{change.account} {change.before} -> {change.after}"
        )
    for item in result.skipped:
        hint = ""
        if result.action == "retry" and item.why == "cancelled":
            hint = f"; `campaign retry {item.post_id} --account {item.account}` queues it again"
        console.print(
            styled((f"left alone: {item.post_id}@{item.account} ({item.why}{hint})", "dim")),
            soft_wrap=True,
        )


TargetArgument = typer.Argument(
    ...,
    metavar="ID",
    help="A post id, a message id (all its language versions) or a publication number "
    "(46, or p46 as the history prints it).",
)


def cancel(
    identifier: str = TargetArgument,
    reason: str = ReasonOption,
    account: str | None = AccountOption,
    config_path: Path | None = ConfigOption,
    database_url: str | None = DatabaseOption,
) -> None:
    """Cancel a post's publications that have not gone out; sync will not re-queue
    them (`campaign retry` does)."""
    with opened(config_path, database_url) as context:
        check_account(context.config, account)
        _report(
            actions.cancel(
                context.sessions, _target(identifier), reason=reason, account=account, now=utc_now()
            )
        )


def retry(
    identifier: str = TargetArgument,
    reason: str = ReasonOption,
    account: str | None = AccountOption,
    config_path: Path | None = ConfigOption,
    database_url: str | None = DatabaseOption,
) -> None:
    """Queue failed, missed or needs-review publications again, due at their time
    (now once it has passed); or, when there are none, cancelled ones (undoing
    `campaign cancel`)."""
    with opened(config_path, database_url) as context:
        check_account(context.config, account)
        _report(
            actions.retry(
                context.sessions, _target(identifier), reason=reason, account=account, now=utc_now()
            )
        )


def resolve(
    identifier: str = TargetArgument,
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
        check_account(context.config, account)
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
        check_account(context.config, account)
        hold = actions.pause(context.sessions, reason=reason, account=account, now=utc_now())
        console.print(f"paused {hold.scope} since {context.local(hold.since)}: {hold.reason}")


def resume(
    account: str | None = typer.Option(None, "--account", help="Resume only this account."),
    reason: str = typer.Option("", "--reason", help="Why (kept in the audit trail)."),
    config_path: Path | None = ConfigOption,
    database_url: str | None = DatabaseOption,
) -> None:
    """Lift a pause made with `campaign pause`."""
    with opened(config_path, database_url) as context:
        check_account(context.config, account)
        hold = actions.resume(context.sessions, account=account, reason=reason, now=utc_now())
        console.print(f"resumed {hold.scope} (paused since {context.local(hold.since)})")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    for command in (sync, timeline, history, show, cancel, retry, resolve, pause, resume):
        app.command()(command)
