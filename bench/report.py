"""One row per case, the table printed at the end, and the same as JSON.

A :class:`Row` holds the figures as numbers (seconds, bytes, posts per second)
and as the words the table shows; ``verdict`` is ``pass`` or ``miss`` against
the target, ``info`` for rows that only show growth, ``skip`` when the case
could not run (the note says why).
"""

from __future__ import annotations

import json
import math
import platform
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

POLLER_MEAN_S = 30.0
POLLER_WORST_S = 60.0


@dataclass
class Row:
    """One line of the table.

    ``figure``/``floor`` are what the table prints; ``values`` the raw numbers
    behind them (units in the key names: ``_s`` seconds, ``_mb`` megabytes);
    ``ratio`` is our figure over the floor (None without a floor).
    """

    case: str
    figure: str
    floor: str = "-"
    ratio: float | None = None
    target: str = "-"
    verdict: str = "info"
    note: str = ""
    values: dict[str, Any] = field(default_factory=dict)


def verdict(ok: bool) -> str:
    """``pass`` or ``miss``."""
    return "pass" if ok else "miss"


def seconds(value: float) -> str:
    """A duration for the table: ms below a second, else seconds."""
    if value < 1.0:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1) of ``values`` (not empty)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def skipped(case: str, target: str, why: str) -> Row:
    """A row for a case that could not run."""
    return Row(case=case, figure="-", target=target, verdict="skip", note=why)


def contrast_line(rows: Sequence[Row]) -> str | None:
    """The comparison with a once-a-minute poller, from the spread lateness row."""
    for row in rows:
        if "p50_s" in row.values and row.values.get("spread"):
            return (
                f"A scheduler that polls once a minute publishes on average {POLLER_MEAN_S:.0f} s "
                f"and at worst {POLLER_WORST_S:.0f} s late; this daemon, measured above "
                f"({row.values['posts']} posts over {row.values['span_s']:.0f} s): "
                f"p50 {seconds(row.values['p50_s'])}, p99 {seconds(row.values['p99_s'])}, "
                f"worst {seconds(row.values['max_s'])}."
            )
    return None


def print_table(rows: Sequence[Row], console: Console) -> None:
    """The table, then each row's note, then the poller contrast."""
    table = Table(box=box.SIMPLE_HEAD, show_lines=False)
    for name, justify in (
        ("case", "left"),
        ("our figure", "right"),
        ("floor", "right"),
        ("ratio", "right"),
        ("target", "left"),
        ("result", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else "-"
        style = {"pass": "green", "miss": "red", "skip": "yellow"}.get(row.verdict, "")
        table.add_row(row.case, row.figure, row.floor, ratio, row.target, Text(row.verdict, style))
    console.print(table)
    for row in rows:
        if row.note:
            console.print(f"- {row.case}: {row.note}", highlight=False, soft_wrap=True)
    line = contrast_line(rows)
    if line:
        console.print(line, highlight=False, soft_wrap=True)


def markdown_table(rows: Sequence[Row]) -> str:
    """The table in Markdown, for docs/performance.md, then the poller contrast."""
    lines = [
        "| case | our figure | floor | ratio | target | result |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else "-"
        cells = (row.case, row.figure, row.floor, ratio, row.target, row.verdict)
        lines.append("| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |")
    contrast = contrast_line(rows)
    return "\n".join(lines) + (f"\n\n{contrast}" if contrast else "") + "\n"


def write_json(
    path: Path, rows: Sequence[Row], *, command: str, quick: bool, seed: int, wall_s: float
) -> None:
    """The run as JSON: when, how, on what, every row and the poller contrast."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "quick": quick,
        "seed": seed,
        "wall_s": round(wall_s, 1),
        "machine": {
            "python": platform.python_version(),
            "system": platform.system(),
            "cpus": _cpus(),
        },
        "code": code_version(),
        "rows": [asdict(row) for row in rows],
        "contrast": contrast_line(rows),
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def code_version() -> dict[str, Any]:
    """The commit measured and the product files that differed from it (git status)."""
    import subprocess

    root = Path(__file__).resolve().parent.parent

    def git(*arguments: str) -> str:
        done = subprocess.run(
            ["git", *arguments], cwd=root, capture_output=True, text=True, check=False
        )
        return done.stdout.rstrip("\n") if done.returncode == 0 else ""

    changed = [line[3:] for line in git("status", "--porcelain", "--", "scheduler").splitlines()]
    return {"commit": git("rev-parse", "--short", "HEAD") or None, "uncommitted": changed}


def _cpus() -> int | None:
    import os

    return os.cpu_count()
