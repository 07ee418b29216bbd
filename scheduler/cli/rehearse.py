"""``campaign rehearse``: the whole campaign against the local sandbox, with a
progress bar while it runs and a report at the end."""

from __future__ import annotations

import signal
import statistics
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import typer
from rich import box
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from scheduler.cli.common import ConfigOption, console, load
from scheduler.config import CampaignConfig
from scheduler.daemon import rehearse as service
from scheduler.daemon.logsetup import configure_logging
from scheduler.daemon.rehearsal_report import RehearsalResult

MAX_SPEED = 250_000.0
SETTLED = ("published", "failed", "missed", "needs_review", "cancelled")


def rehearse_command(
    speed: float | None = typer.Option(
        None,
        "--speed",
        min=1.0,
        max=MAX_SPEED,
        help="Campaign seconds per wall second (default: the whole campaign in about a "
        f"minute, about 50000); at most {MAX_SPEED:.0f}, beyond which an X media id expires "
        "(after a campaign day) before the post that uses it is sent.",
    ),
    faults: str | None = typer.Option(
        None,
        "--faults",
        help="Faults for the sandbox to inject, e.g. "
        "'x.create_post:drop_after;facebook.photos:fb_code:code=2' (see docs/daemon.md).",
    ),
    database: Path | None = typer.Option(
        None, "--database", help="SQLite file to rehearse in (default: a new temporary one)."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show the daemon's log."),
    config: Path | None = ConfigOption,
) -> None:
    """Rehearse the real campaign against the local sandbox, fast. Exit status 0 only
    when every publication ended as the fault plan predicts."""
    campaign, _settings = load(config)
    configure_logging("text", "INFO" if verbose else "ERROR")
    options = service.RehearsalOptions(speed=speed, faults=faults, database=database)
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: options.stop.set())
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("rehearsing", total=None, detail="checking and syncing posts/")

        def show(snapshot: service.Progress) -> None:
            done = sum(snapshot.counts.get(state, 0) for state in SETTLED)
            local = snapshot.now.astimezone(campaign.campaign.zone)
            detail = f"campaign time {local:%a %d %b %H:%M}  " + "  ".join(
                f"{state}: {count}" for state, count in sorted(snapshot.counts.items())
            )
            progress.update(task, total=snapshot.total, completed=done, detail=detail)

        options.on_progress = show
        result = service.run_rehearsal(campaign, options)
    print_report(result, campaign)
    raise typer.Exit(0 if result.ok else 1)


def _local(campaign: CampaignConfig, instant: datetime) -> str:
    return instant.astimezone(campaign.campaign.zone).strftime("%d %b %H:%M")


def print_report(result: RehearsalResult, campaign: CampaignConfig) -> None:
    """The rehearsal report: per account and day, faults and recoveries, review, verdict."""
    console.print(
        f"\nrehearsed at {result.speed:,.0f}x in {result.wall_seconds:.1f} s "
        f"(late grace {result.grace.total_seconds() / 60:.0f} campaign min, "
        f"HTTP timeouts {service.MAX_REQUEST_TIMEOUT_S:.0f} s at most)"
    )
    labels = [account.label for account in campaign.accounts]
    empty: Counter[date] = Counter()
    days = sorted({day for counts in result.per_account_day.values() for day in counts})
    table = Table("day", *labels, box=box.SIMPLE)
    for day in days:
        table.add_row(
            f"{day:%a %d %b}",
            *(str(result.per_account_day.get(label, empty).get(day, "")) for label in labels),
        )
    table.add_row(
        "total",
        *(str(sum(result.per_account_day.get(label, empty).values())) for label in labels),
        style="bold",
    )
    console.print("[bold]posts published per account and day[/] (the campaign's local days)")
    console.print(table)
    states = ", ".join(f"{state}: {count}" for state, count in sorted(result.states().items()))
    console.print(f"publications: {states}")
    if result.lateness_s:
        late = sorted(result.lateness_s)
        p99 = late[min(len(late) - 1, int(len(late) * 0.99))]
        console.print(
            f"lateness after the scheduled time: median {statistics.median(late) / 60:.1f} min, "
            f"p99 {p99 / 60:.1f} min (campaign time; {p99 / result.speed * 1000:.0f} ms of wall time)"
        )
    if result.hits:
        console.print("\n[bold]faults injected and how each was recovered[/]")
        for hit, story in result.hits:
            target = "; ".join(story) if story else "no publication in flight"
            console.print(
                f"  {_local(campaign, hit.at)} {hit.fault.kind} on {hit.endpoint} "
                f"({hit.account}, {hit.effect}): {escape(target)}"
            )
    elif result.faults:
        console.print("\nno fault of the plan was triggered")
    if result.review:
        console.print("\n[bold yellow]left for review[/]")
        for name, reason in result.review:
            console.print(f"  {escape(name)}: {escape(reason)}")
    for line in result.unrecorded:
        console.print(f"[yellow]on the platform but not recorded:[/] {escape(line)}")
    for line in result.duplicates:
        console.print(f"[bold red]duplicate:[/] {escape(line)}")
    for outcome in result.surprises:
        console.print(
            f"[bold red]not as predicted:[/] {escape(outcome.post_id)}@{outcome.account_label} "
            f"ended {outcome.state}, expected {' or '.join(sorted(outcome.expected))} "
            f"({escape(outcome.because)})"
        )
    if not result.settled:
        console.print("[bold red]the rehearsal did not settle in time[/]")
    console.print(f"\ndatabase: {result.database_path}")
    console.print(f"  see it with: CAMPAIGN_DATABASE_URL={result.database_url} campaign history")
    verdict = "[bold green]PASS[/]" if result.ok else "[bold red]FAIL[/]"
    console.print(f"{verdict}: every publication ended as predicted" if result.ok else f"{verdict}")
