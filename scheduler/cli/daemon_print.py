"""How ``campaign status`` and ``campaign preflight`` print: Rich tables and
plain lines through the markup-free console, times in the campaign's zone, no
table printed empty, each pause's reason said once."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from rich import box
from rich.table import Table
from rich.text import Text

from scheduler.cli.bill_print import bill_lines
from scheduler.cli.common import console, styled
from scheduler.cli.layout import print_wrapped
from scheduler.config import CampaignConfig
from scheduler.storage.skew_holds import CLOCK_SKEW, hold_state

if TYPE_CHECKING:
    from scheduler.daemon.preflight import PreflightReport
    from scheduler.daemon.status import StatusReport


def _local(config: CampaignConfig, instant: Any) -> str:
    if instant is None:
        return "-"
    return str(instant.astimezone(config.campaign.zone).strftime("%Y-%m-%d %H:%M:%S"))


def status_json(report: StatusReport) -> dict[str, Any]:
    return {
        "now": report.now.isoformat(),
        "workers": [asdict(worker) for worker in report.workers],
        "counts": report.counts,
        "upcoming": [asdict(post) for post in report.upcoming],
        "overdue_count": report.overdue_count,
        "overdue": [asdict(post) for post in report.overdue],
        "holds": report.holds,
        "accounts": [asdict(account) for account in report.accounts],
        "alerts": [asdict(target) for target in report.alerts],
        "attention": report.attention,
        "rehearsal": None if report.rehearsal is None else asdict(report.rehearsal),
    }


def print_status(report: StatusReport, config: CampaignConfig) -> None:
    """The status as Rich tables, times in the campaign's timezone. Each pause's
    reason is printed once, under the accounts; the last lines say what needs
    a person."""
    if report.rehearsal is not None:
        console.print(
            styled(
                ("REHEARSAL", "bold yellow"),
                f": this database holds a rehearsal against the local sandbox "
                f"({report.rehearsal.speed:,.0f}x faster than the campaign); nothing was posted "
                "for real, and no daemon publishes from it",
            ),
            soft_wrap=True,
        )
    workers = Table("daemon", "host", "pid", "last heartbeat", "state", box=box.SIMPLE)
    for worker in report.workers[:10]:
        if worker.alive:
            state = Text("alive", style="green")
        else:
            state = Text(worker.stop_reason) if worker.stop_reason else Text("silent", style="red")
        workers.add_row(
            worker.worker_id,
            worker.hostname,
            str(worker.pid),
            _local(config, worker.heartbeat_at),
            state,
        )
    console.print(
        workers if report.workers else Text("no daemon has run on this database", style="yellow")
    )
    counts = ", ".join(f"{state}: {count}" for state, count in sorted(report.counts.items()))
    console.print(f"publications: {counts or 'none'}")
    accounts = Table("account", "platform", "today / cap", "state", box=box.SIMPLE)
    for account in report.accounts:
        if account.paused:
            account_state = styled((hold_state(account.paused).upper(), "bold red"))
        elif account.rate_limited_until:
            account_state = Text(f"rate limited until {_local(config, account.rate_limited_until)}")
        else:
            account_state = Text("ok")
        accounts.add_row(
            account.label,
            account.platform,
            f"{account.posts_today} / {account.daily_cap}",
            account_state,
        )
    console.print(accounts)
    # A pause's reason carries its fix, often several sentences: once, at full
    # width, rather than in a table cell and again in the list below.
    for scope, reason in report.holds.items():
        who = "the whole campaign" if scope == "campaign" else scope.removeprefix("account:")
        held = "is paused" if hold_state(reason) == "paused" else f"waits ({CLOCK_SKEW})"
        console.print(Text(f"{who} {held}:", style="bold red"))
        print_wrapped(console, reason, 2)
    upcoming = Table("next", "post", "account", "state", box=box.SIMPLE)
    for post in report.upcoming:
        upcoming.add_row(_local(config, post.due_at), post.post_id, post.account_label, post.state)
    if report.upcoming:
        console.print(upcoming)
    elif report.queued:
        console.print(f"{report.queued} queued, none of them still ahead: all are overdue")
    else:
        console.print("nothing queued")
    if report.alerts:
        alerts = Table("alert target", "waiting", "given up", "last sent", box=box.SIMPLE)
        for target in report.alerts:
            alerts.add_row(
                target.target,
                str(target.pending),
                str(target.failed),
                _local(config, target.last_sent_at),
            )
        console.print(alerts)
    for line in report.attention:
        console.print(styled(("!", "bold yellow"), f" {line}"), soft_wrap=True)


def print_preflight(report: PreflightReport) -> None:
    """The preflight as Rich tables and lists: no table is printed empty; a line
    says what an empty one would have meant."""
    accounts = Table("account", "platform", "result", box=box.SIMPLE)
    for check in report.accounts:
        result = (
            Text("ready", style="green")
            if check.ok
            else Text("; ".join(check.problems), style="red")
        )
        accounts.add_row(check.label, check.platform, result)
    console.print(accounts if report.accounts else "no account in config.yaml")
    if report.tokens.tokens:
        from scheduler.cli.tokens import print_token_report

        print_token_report(report.tokens, problems=False)  # in the accounts' results above
    quota = Table("account", "day", "planned", "cap", "headroom", box=box.SIMPLE)
    shown = [day for day in report.quota if day.planned or day.headroom < 0]
    for day in shown:
        quota.add_row(
            day.account_label,
            str(day.day),
            str(day.planned),
            str(day.daily_cap),
            Text(str(day.headroom), style="red" if day.headroom < 0 else ""),
        )
    days = sorted({day.day for day in report.quota})
    span = f"{days[0]} to {days[-1]}" if days else "the coming days"
    if shown:
        console.print(styled(("posts per account and day", "bold"), f", {span}"))
        console.print(quota)
    else:
        console.print(f"quota: nothing is queued from {span}")
    media = Table("image", "publications", "platforms", "result", box=box.SIMPLE)
    for use in report.media_used:
        result = Text(use.problem, style="red") if use.problem else Text("ok", style="green")
        media.add_row(use.path, str(use.publications), ", ".join(use.platforms), result)
    if report.media_used:
        console.print(styled(("images these days publish", "bold"), f", {span}"))
        console.print(media)
    else:
        console.print("media: no image to publish in these days")
    for line in bill_lines(report.bill) if report.bill is not None else []:
        console.print(Text(line), soft_wrap=True)
    for title, lines in (
        ("media", report.media),
        ("quota", report.quota_problems),
        ("queue", report.queue),
        ("bill", report.bill_problems),
    ):
        for line in lines:
            console.print(styled((f"{title}:", "red"), f" {line}"), soft_wrap=True)
    for note in report.notes:
        console.print(styled(("note:", "bold cyan"), f" {note}"), soft_wrap=True)
    console.print(
        Text("ready", style="bold green") if report.ok else Text("not ready", style="bold red")
    )
