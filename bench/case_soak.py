"""Case: the SIGKILL soak, 100 kills at random moments during a rehearsal.

The soak itself is the daemon's own benchmark, ``bench/soak.py`` (owned by
the daemon's engineer); this case runs it as a user would, asks it for JSON,
and puts its duplicates and losses in the table. When the script is not
there yet, the row says so and is skipped.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.report import Row, skipped, verdict
from bench.settings import ROOT, Settings

SOAK = ROOT / "bench" / "soak.py"
TARGET = "0 duplicates, 0 losses"


def _case(kills: int) -> str:
    return f"SIGKILL soak, {kills} kills during a rehearsal"


def run(settings: Settings, folder: Path) -> list[Row]:
    kills = settings.size(full=100, quick=5)
    if not SOAK.exists():
        return [
            skipped(
                _case(kills), TARGET, "bench/soak.py (the daemon's soak) is not in the tree yet"
            )
        ]
    output = folder / "soak.json"
    command = [
        sys.executable, str(SOAK), "--kills", str(kills), "--seed", str(settings.seed),
        "--json", str(output),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if not output.exists():
        tail = " / ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        return [
            skipped(
                _case(kills),
                TARGET,
                f"bench/soak.py wrote no JSON (exit {done.returncode}): {tail}",
            )
        ]
    result: dict[str, Any] = json.loads(output.read_text(encoding="utf-8"))
    duplicates = int(result.get("duplicates", -1))
    losses = int(result.get("losses", -1))
    unreconciled = int(result.get("unreconciled", 0))
    done_kills = int(result.get("kills", kills))
    states = ", ".join(f"{n} {state}" for state, n in result.get("publications", {}).items())
    return [
        Row(
            case=_case(done_kills),
            figure=f"{duplicates} duplicates, {losses} losses",
            target=TARGET,
            verdict=verdict(duplicates == 0 and losses == 0 and unreconciled == 0),
            note=(
                f"bench/soak.py (daemon engineer's) in {result.get('wall_seconds', '?')} s: "
                f"{states}; {unreconciled} left for review although on the platform"
            ),
            values=result,
        )
    ]
