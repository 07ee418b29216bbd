"""``campaign check [PATHS] [--strict] [--json]``: every problem in the post files.

Exit status: 0 when clean, 1 when there are errors (or, with ``--strict``,
warnings), 2 when the campaign file itself cannot be used.

Past times are judged on the clock that will publish (see
:func:`scheduler.content.rules.check_past`): the real time, reading the queue
(when there is one) so that posts already out are not reported; or, with
``--at TIME``, a rehearsal's clock at TIME (the queue is not read: a rehearsal
plays every post). Tests register the command with a frozen clock.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from itertools import groupby
from pathlib import Path
from typing import Any

import typer
from rich.text import Text

from scheduler.cli.bill_print import bill_as_dict, bill_lines
from scheduler.cli.common import ConfigOption, console, load, parse_moment
from scheduler.clock import Clock, publishing_clock
from scheduler.content.resolved import CheckReport, Problem
from scheduler.printable import json_text, printable

PathsArgument = typer.Argument(
    None,
    help="Post files or folders to check (default: posts/ beside config.yaml).",
    metavar="PATHS",
    show_default=False,
)
StrictOption = typer.Option(False, "--strict", help="Fail (exit 1) on warnings too.")
JsonOption = typer.Option(False, "--json", help="Print the report as JSON for tools.")
AtOption = typer.Option(
    None,
    "--at",
    metavar="TIME",
    help="Judge past times as of this campaign time (2020-11-01T09:00, local), as a "
    "rehearsal's clock would, instead of now.",
)


def register(app: typer.Typer, clock: Clock | None = None) -> None:
    """Add ``campaign check`` to ``app``; ``clock`` gives the time of the check
    (default: the clock that will publish, :func:`~scheduler.clock.publishing_clock`)."""

    @app.command("check")
    def check_command(
        paths: list[Path] | None = PathsArgument,
        strict: bool = StrictOption,
        as_json: bool = JsonOption,
        at: str | None = AtOption,
        config: Path | None = ConfigOption,
    ) -> None:
        """Check post files against the campaign's rules; report every problem with its fix."""
        from scheduler.content.check import check_paths  # keeps other commands' start-up fast

        campaign, settings = load(config)
        moment = parse_moment(at, campaign.campaign.zone, "--at")
        notes: list[str] = []

        def settled() -> frozenset[str]:
            # Only when a post is past: the database layer costs start-up time.
            from scheduler.config import resolve_database_url
            from scheduler.storage.service import queue_settled_posts

            found, note = queue_settled_posts(campaign, resolve_database_url(campaign, settings))
            notes.extend([note] if note else [])
            return found

        if moment is None:
            now = (clock or publishing_clock()).now()
            report = check_paths(campaign, paths or None, now=now, settled=settled)
        else:
            report = check_paths(campaign, paths or None, now=moment)
        report.notes.extend(notes)
        if as_json:
            typer.echo(json_text(report_as_dict(report, strict), indent=2))
        else:
            print_report(report, strict)
        raise typer.Exit(0 if report.ok(strict) else 1)


def print_report(report: CheckReport, strict: bool) -> None:
    """Problems grouped by file, each with its fix, then a summary line."""
    groups = [
        (path, list(problems))
        for path, problems in groupby(report.problems, key=lambda problem: problem.path)
    ]
    if not console.is_terminal:
        # Piped or redirected: plain text in one write; Rich's per-line rendering
        # would dominate the run time of a check with thousands of problems.
        lines: list[str] = []
        for path, found in groups:
            lines.append(f"{path}  ({_counts(found)})")
            lines.extend(problem_text(problem).plain for problem in found)
            lines.append("")
        lines.extend(bill_lines(report.bill) if report.bill else [])
        lines.append(_summary(report, strict).plain)
        lines.extend(_note_text(note).plain for note in report.notes)
        typer.echo(printable("\n".join(lines)))
        return
    for path, found in groups:
        console.print(Text(f"{path}  ({_counts(found)})", style="bold"))
        for problem in found:
            console.print(problem_text(problem), soft_wrap=True)
        console.print()
    for line in bill_lines(report.bill) if report.bill else []:
        console.print(Text(line), soft_wrap=True)
    console.print(_summary(report, strict), soft_wrap=True)
    for note in report.notes:
        console.print(_note_text(note), soft_wrap=True)


def _note_text(note: str) -> Text:
    return Text("note: ", style="bold cyan") + Text(note)


def problem_text(problem: Problem) -> Text:
    """``path:line:column: severity: message [rule]`` and its fix, coloured."""
    colour = {"error": "red", "warning": "yellow"}.get(problem.severity, "cyan")
    text = Text("  ")
    text.append(f"{problem.path}:{problem.line}:{problem.column}: ")
    text.append(problem.severity, style=f"bold {colour}")
    text.append(f": {problem.message}")
    if problem.rule:
        text.append(f" [{problem.rule}]", style="dim")
    if problem.hint:
        text.append("\n      fix: ", style="green")
        text.append(problem.hint)
    return text


def _counts(problems: list[Problem]) -> str:
    errors = sum(1 for problem in problems if problem.severity == "error")
    warnings = sum(1 for problem in problems if problem.severity == "warning")
    notes = len(problems) - errors - warnings
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}" + (
        f", {_plural(notes, 'note')}" if notes else ""
    )


def _summary(report: CheckReport, strict: bool) -> Text:
    statuses = Counter(post.status for post in report.posts)
    by_status = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
    line = (
        f"{_plural(report.files_checked, 'file')}, {_plural(len(report.posts), 'post')}"
        + (f" ({by_status})" if by_status else "")
        + f": {_plural(len(report.errors), 'error')}, {_plural(len(report.warnings), 'warning')}"
    )
    if report.ok(strict):
        verdict = Text("ok  ", style="bold green")
    else:
        verdict = Text("FAILED  ", style="bold red")
    if statuses.get("draft"):
        line += f"; {_plural(statuses['draft'], 'draft')} will not be published until approved"
    if not strict and report.warnings and not report.errors:
        line += " (warnings fail only with --strict)"
    return verdict + Text(line)


def problem_as_dict(problem: Problem) -> dict[str, Any]:
    """One problem as plain JSON data (``fix`` is its hint)."""
    return {
        "severity": problem.severity,
        "path": problem.path,
        "line": problem.line,
        "column": problem.column,
        "rule": problem.rule,
        "message": problem.message,
        "fix": problem.hint,
        "post_id": problem.post_id,
    }


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def report_as_dict(report: CheckReport, strict: bool = False) -> dict[str, Any]:
    """The report as plain JSON data: ``ok``, counts, ``notes``, ``problems`` and ``posts``.

    Times are ISO 8601 in UTC; problem fields are those of
    :class:`~scheduler.content.resolved.Problem`.
    """
    return {
        "ok": report.ok(strict),
        "strict": strict,
        "files_checked": report.files_checked,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "notes": list(report.notes),
        "bill": bill_as_dict(report.bill) if report.bill else None,
        "problems": [problem_as_dict(problem) for problem in report.problems],
        "posts": [
            {
                "id": post.id,
                "message_id": post.message_id,
                "call": post.call,
                "language": post.language,
                "status": post.status,
                "publish_at": post.publish_at.isoformat(),
                "targets": list(post.targets),
                "texts": post.texts,
                "media": list(post.media),
                "images": [{"path": image.path, "alt": image.alt} for image in post.images],
                "video": dataclasses.asdict(post.video) if post.video else None,
                "link": post.link,
                "content_warning": post.content_warning,
                "link_card": post.link_card,
                "source_path": post.source_path,
                "source_line": post.source_line,
                "content_hash": post.content_hash,
            }
            for post in report.posts
        ],
    }
