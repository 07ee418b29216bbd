"""``python -m bench [CASE...] [--quick] [--seed N] [--repeat N] [--json FILE]``.

Runs the named cases (default: all, in the order of the table), prints the
table and writes the same as JSON (default ``bench/results/latest.json``, or
``bench/results/quick.json`` with ``--quick``; the folder is git-ignored), and
the table in Markdown beside it (``latest.md``), for docs/performance.md.
Every case builds its data from the seed in a temporary directory that is
removed afterwards (``--keep`` keeps it and prints where). Exit status: 0
when every case that ran met its target, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from bench import (
    case_check,
    case_lateness,
    case_multi,
    case_publish,
    case_share,
    case_soak,
    case_startup,
    case_store,
    case_video,
)
from bench.report import Row, code_version, markdown_table, print_table, write_json
from bench.settings import DEFAULT_POSTGRES_URL, ROOT, Settings

Case = Callable[[Settings, Path], list[Row]]

CASES: dict[str, tuple[Case, str]] = {
    "check": (case_check.run, "campaign check on 10,000 posts vs YAML + pydantic + parse_tweet"),
    "sync": (case_store.run_sync, "campaign sync of 10,000 posts vs a Core bulk insert"),
    "publish": (
        case_publish.run,
        "500 posts with a logo via campaign run vs a bare tweepy / atproto / Mastodon.py loop",
    ),
    "video": (case_video.run, "50 posts with a 20 MB video, 4 accounts: CPU per MB, peak memory"),
    "lateness": (case_lateness.run, "1,000 posts over a minute, 100 at once: p50/p99 lateness"),
    "startup": (case_startup.run, "start with 10k/100k/1M queued; idle CPU for 60 s at 100k"),
    "history": (case_store.run_history, "history first page with 1,000,000 attempts"),
    "multi": (case_multi.run, "1, 2, 4 daemons on PostgreSQL, 2,000 due, 50 ms creates"),
    "share": (case_share.run, "2 daemons vs 1: CPU per post; SIGKILL the preferred daemon"),
    "soak": (case_soak.run, "bench/soak.py: 100 SIGKILLs during a rehearsal"),
}
RESULTS = ROOT / "bench" / "results"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Each cost of the campaign scheduler measured against its floor.",
        epilog="cases: " + "; ".join(f"{name}: {text}" for name, (_, text) in CASES.items()),
    )
    parser.add_argument("cases", nargs="*", metavar="CASE", help="cases to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument(
        "--seed", type=int, default=Settings.seed, help="seed of the generated data"
    )
    parser.add_argument(
        "--repeat", type=int, default=Settings.repeat, help="runs of the cheap cases; best kept"
    )
    parser.add_argument(
        "--json", type=Path, help="where to write the JSON (default: bench/results/)"
    )
    parser.add_argument(
        "--postgres-url", default=DEFAULT_POSTGRES_URL, help="PostgreSQL server for the multi case"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated data and logs")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample every daemon with py-spy into bench/results/profiles/ (figures then include its cost)",
    )
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    options = parser.parse_args(argv)
    unknown = [name for name in options.cases if name not in CASES]
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; known: {', '.join(CASES)}")
    return options


def run_case(name: str, settings: Settings, folder: Path, console: Console) -> list[Row]:
    """One case's rows; a case that fails becomes a ``miss`` row naming the error."""
    case, description = CASES[name]
    console.print(f"[bold]{name}[/]: {description}", highlight=False)
    began = time.perf_counter()
    load_before = _load()
    try:
        rows = case(settings, folder)
    except Exception as error:
        traceback.print_exc()
        rows = [Row(case=name, figure="-", verdict="miss", note=f"the case failed: {error!r}")]
    load_after = _load()
    console.print(
        f"  {name} done in {time.perf_counter() - began:.0f} s; load average "
        f"{load_before:.1f} before, {load_after:.1f} after",
        highlight=False,
    )
    for row in rows:
        row.values["load_average"] = [load_before, load_after]
    return rows


def _load() -> float:
    """The machine's one-minute load average (other work competing for the cores)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def main(argv: list[str] | None = None) -> int:
    options = parse(sys.argv[1:] if argv is None else argv)
    # Piped or redirected: wide enough for the table on one line per row.
    console = Console(width=None if sys.stdout.isatty() else 160)
    if options.list:
        for name, (_, text) in CASES.items():
            console.print(f"{name:10} {text}", highlight=False)
        return 0
    settings = Settings(
        quick=options.quick,
        seed=options.seed,
        repeat=max(1, options.repeat),
        postgres_url=options.postgres_url,
        profile_dir=RESULTS / "profiles" if options.profile else None,
    )
    names = options.cases or list(CASES)
    began = time.perf_counter()
    rows: list[Row] = []
    workspace = Path(tempfile.mkdtemp(prefix="campaign-bench-"))
    try:
        for name in names:
            folder = workspace / name
            folder.mkdir()
            rows.extend(run_case(name, settings, folder, console))
    finally:
        if options.keep:
            console.print(f"generated data and logs kept in {workspace}", highlight=False)
        else:
            import shutil

            shutil.rmtree(workspace, ignore_errors=True)
    wall_s = time.perf_counter() - began
    command = "python -m bench" + "".join(
        f" {shlex.quote(arg)}" for arg in (argv if argv is not None else sys.argv[1:])
    )
    target = options.json or RESULTS / ("quick.json" if options.quick else "latest.json")
    write_json(target, rows, command=command, quick=options.quick, seed=options.seed, wall_s=wall_s)
    target.with_suffix(".md").write_text(markdown_table(rows), encoding="utf-8")
    print_table(rows, console)
    code = code_version()
    changed = len(code["uncommitted"])
    console.print(
        f"code measured: commit {code['commit']}"
        + (f" plus uncommitted changes in {changed} product file(s)" if changed else ""),
        highlight=False,
    )
    console.print(
        f"{len(names)} case(s) in {wall_s / 60:.1f} min; JSON in {target}", highlight=False
    )
    return 0 if all(row.verdict in ("pass", "info", "skip") for row in rows) else 1
