"""``campaign rehearse``: the whole campaign against the local sandbox, with a
progress bar while it runs and a report at the end."""

from __future__ import annotations

import shlex
import signal
import statistics
import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from scheduler.cli.common import ConfigOption, console, fault_example, load, styled
from scheduler.config import CampaignConfig
from scheduler.content.bill import usd

if TYPE_CHECKING:
    from scheduler.daemon import rehearse as service
    from scheduler.daemon.rehearsal_report import RehearsalResult

MAX_SPEED = 250_000.0
SETTLED = ("published", "failed", "missed", "needs_review", "cancelled", "withdrawn")


def rehearse_command(
    speed: float | None = typer.Option(
        None,
        "--speed",
        min=1.0,
        max=MAX_SPEED,
        help="Campaign seconds per wall second (default: the whole campaign in about a "
        f"minute, about 50000); at most {MAX_SPEED:.0f}, beyond which an uploaded media id "
        "may expire (after a campaign day) before the post that uses it is sent.",
    ),
    faults: str | None = typer.Option(
        None,
        "--faults",
        help=f"Faults for the sandbox to inject, e.g. '{fault_example()}' (see docs/daemon.md).",
    ),
    database: Path | None = typer.Option(
        None, "--database", help="SQLite file to rehearse in (default: a new temporary one)."
    ),
    daemons: int = typer.Option(
        1, "--daemons", min=1, max=4, help="How many daemons publish the queue together."
    ),
    token_life_s: float | None = typer.Option(
        None,
        "--token-life-s",
        min=60.0,
        help="Campaign seconds the sandbox's OAuth 2.0 access tokens last (default: X's "
        "two hours). With an account on auth: oauth2 the speed is capped so each token "
        "lasts 8 wall seconds; a longer life lets a long campaign rehearse faster.",
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show the daemon's log."),
    config: Path | None = ConfigOption,
) -> None:
    """Rehearse the real campaign against the local sandbox, fast. Exit status 0 only
    when every publication ended as the fault plan predicts."""
    # Imported here: the sandbox and the text counters cost every other command time.
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from scheduler.daemon import rehearse as service
    from scheduler.daemon.logsetup import configure_logging
    from scheduler.daemon.rehearsal_files import check_faults

    campaign, _settings = load(config)
    # A bad plan is refused before anything starts (no progress bar, no folder).
    check_faults(faults)
    configure_logging("text", "INFO" if verbose else "ERROR")
    options = service.RehearsalOptions(
        speed=speed,
        faults=faults,
        database=database,
        daemons=daemons,
        token_life_s=token_life_s,
    )
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: options.stop.set())
    # Narrow columns so the whole line fits an 80-column terminal.
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(bar_width=12),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("rehearsing", total=None, detail="checking posts/")

        def show(snapshot: service.Progress) -> None:
            done = sum(snapshot.counts.get(state, 0) for state in SETTLED)
            local = snapshot.now.astimezone(campaign.campaign.zone)
            unpublished = done - snapshot.counts.get("published", 0)
            detail = f"{local:%d %b %H:%M}" + (f"  {unpublished} not sent" if unpublished else "")
            progress.update(task, total=snapshot.total, completed=done, detail=detail)

        options.on_progress = show
        result = service.run_rehearsal(campaign, options)
    print_report(result, campaign, config_path=config)
    raise typer.Exit(0 if result.ok else 1)


def _local(campaign: CampaignConfig, instant: datetime) -> str:
    return instant.astimezone(campaign.campaign.zone).strftime("%d %b %H:%M")


def _duration(seconds: float) -> str:
    """A duration for people: "91 ms", "4.2 s", "16 minutes", "5 h 20 min", "3 days"."""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    if minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{minutes / (24 * 60):,.0f} days"


def _span(days: list[date]) -> str:
    """How much campaign the rehearsal covered: "5 weeks", "3 days"."""
    if not days:
        return "the campaign"
    count = (days[-1] - days[0]).days + 1
    if count >= 14:
        return f"{round(count / 7)} weeks"
    return f"{count} day{'s' if count != 1 else ''}"


def program() -> str:
    """How to run this program again from a shell: the running ``campaign``
    script's full path, or ``<python> -m scheduler`` (``make``, ``python -m``)."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is None or script.name in ("__main__.py", "-c") or not script.exists():
        return f"{shlex.quote(sys.executable)} -m scheduler"
    return shlex.quote(str(script.resolve()))


def see_it_commands(
    result: RehearsalResult, campaign: CampaignConfig, config_path: Path | None = None
) -> list[str]:
    """Shell commands (one a line) that show the rehearsal: its history, and the
    dashboard with its clock at the rehearsal's last day."""
    run = program()
    config = f" --config {shlex.quote(str(config_path.resolve()))}" if config_path else ""
    url = shlex.quote(result.database_url)
    lines = [f"CAMPAIGN_DATABASE_URL={url} {run} history{config}"]
    days = sorted({day for counts in result.per_account_day.values() for day in counts})
    at = f" --at {days[-1]:%Y-%m-%d}T23:00" if days else ""
    lines.append(f"{run} web{config} --database-url {url}{at}")
    return lines


def _headline(title: str, campaign: CampaignConfig) -> str:
    """An alert's title without the hashtag before it and the event id after it."""
    title = title.removeprefix(f"{campaign.campaign.hashtag}: ")
    return title.rsplit(" [event ", 1)[0]


def print_alerts(result: RehearsalResult, campaign: CampaignConfig) -> None:
    """The alerts the rehearsal's own receiver got, one a line in the order they
    arrived, with the campaign time of their event; then any event whose alert
    did not arrive, or arrived twice."""
    occurred = {event.event_id: event.occurred_at for event in result.events}
    console.print(
        styled(
            ("\nalerts", "bold"),
            " (sent to the rehearsal's own receiver, not to config.yaml's targets): "
            f"{len(result.alerts)} for {len(result.events)} event(s)",
        )
    )
    for alert in result.alerts:
        at = occurred.get(alert.event_id)
        when = _local(campaign, at) if at else "?"
        console.print(f"  {when} {alert.kind}: {_headline(alert.title, campaign)}")
    for event in result.undelivered:
        console.print(styled(("alert not received:", "bold red"), f" {event.kind} {event.key}"))
    for event_id in result.repeated_alerts:
        console.print(styled(("alert received more than once:", "bold red"), f" event {event_id}"))


def print_report(
    result: RehearsalResult,
    campaign: CampaignConfig,
    *,
    config_path: Path | None = None,
) -> None:
    """The rehearsal report for the person running the campaign: per account and
    day, timing in plain words, faults and recoveries, review, the verdict, and
    the commands to look at it. The engineering figures stay on one labelled line."""
    from scheduler.daemon.rehearse import MAX_REQUEST_TIMEOUT_S

    days = sorted({day for counts in result.per_account_day.values() for day in counts})
    console.print(
        f"\nrehearsed {_span(days)} of campaign in {_duration(result.wall_seconds)} "
        "of real time, against the local sandbox (nothing was posted for real)"
    )
    if result.lateness_s:
        late = sorted(result.lateness_s)
        worst = late[-1]
        console.print(
            f"every post went out within {_duration(worst / result.speed)} (real time) of "
            f"its moment; the rehearsal runs {result.speed:,.0f} times faster than the "
            f"campaign, so that is {_duration(worst)} of campaign time"
        )
        p99 = late[min(len(late) - 1, int(len(late) * 0.99))]
        console.print(
            Text(
                f"for engineers: speed {result.speed:,.0f}x; lateness in campaign time "
                f"median {statistics.median(late):.0f} s, p99 {p99:.0f} s, max {worst:.0f} s; "
                f"late grace {result.grace.total_seconds():.0f} s; "
                f"HTTP timeouts at most {MAX_REQUEST_TIMEOUT_S:.0f} s",
                style="dim",
            )
        )
    labels = [account.label for account in campaign.accounts]
    empty: Counter[date] = Counter()
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
    console.print(
        styled(("posts published per account and day", "bold"), " (the campaign's local days)")
    )
    console.print(table)
    states = ", ".join(f"{state}: {count}" for state, count in sorted(result.states().items()))
    console.print(f"publications: {states}")
    for bill in result.bills:
        items = ", ".join(
            f"{count:,} × {price.what} at ${price.usd:.3f}"
            + (f" per {price.per}" if price.per != "request" else "")
            for price, count in bill.lines
            if count
        )
        console.print(
            f"{bill.platform} would bill about {usd(bill.total_usd)} for these requests "
            f"({items}; the prices are {bill.setting} in config.yaml); the attempts "
            f"recorded {usd(bill.recorded_usd)}"
        )
    if result.hits:
        console.print(Text("\nfaults injected and how each was recovered", style="bold"))
        for hit, story in result.hits:
            target = "; ".join(story) if story else "no publication in flight"
            console.print(
                f"  {_local(campaign, hit.at)} {hit.fault.kind} on {hit.endpoint} "
                f"({hit.account}, {hit.effect}): {target}"
            )
    elif result.faults:
        console.print("\nno fault of the plan was triggered")
    if result.review:
        console.print(Text("\nleft for review", style="bold yellow"))
        for name, reason in result.review:
            console.print(f"  {name}: {reason}")
    print_alerts(result, campaign)
    for line in result.unrecorded:
        console.print(styled(("on the platform but not recorded:", "yellow"), f" {line}"))
    for line in result.duplicates:
        console.print(styled(("duplicate:", "bold red"), f" {line}"))
    for outcome in result.surprises:
        console.print(
            styled(
                ("not as predicted:", "bold red"),
                f" {outcome.post_id}@{outcome.account_label} ended {outcome.state}, "
                f"expected {' or '.join(sorted(outcome.expected))} ({outcome.because})",
            )
        )
    if not result.settled:
        console.print(Text("the rehearsal did not settle in time", style="bold red"))
    console.print(f"\ndatabase: {result.database_path}", soft_wrap=True)
    console.print("see it with:")
    for line in see_it_commands(result, campaign, config_path):
        # soft_wrap: a command split across lines cannot be pasted back into a shell.
        console.print(f"  {line}", soft_wrap=True)
    if result.ok:
        console.print(styled(("PASS", "bold green"), ": every publication ended as predicted"))
    else:
        console.print(Text("FAIL", style="bold red"))
