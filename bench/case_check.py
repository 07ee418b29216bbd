"""Case: ``campaign check`` on 10,000 generated posts, against its floor.

Both sides run as fresh processes on the same files, so both wall times
include starting Python and importing libraries: ``campaign check`` (output
piped, as in CI) and :mod:`bench.check_floor` (the C YAML loader, pydantic and
``parse_tweet`` on every X text, nothing else). Each runs ``repeat`` times,
alternately; the best of each counts.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bench.campaign import BenchCampaign
from bench.post_files import write_post_files
from bench.report import Row, seconds, verdict
from bench.settings import ROOT, Settings

TARGET_RATIO = 1.5


def _timed(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, done


def run(settings: Settings, folder: Path) -> list[Row]:
    size = settings.size(full=10_000, quick=600)
    campaign = BenchCampaign.create(folder, settings.seed, x_accounts=0, real_accounts=True)
    posts = write_post_files(folder / "posts", size, settings.seed)
    files = len(list((folder / "posts").glob("*.yaml")))
    ours_command = [
        sys.executable, "-m", "scheduler", "check", "posts", "--config", str(campaign.config_path),
    ]  # fmt: skip
    floor_command = [sys.executable, "-m", "bench.check_floor", str(folder / "posts")]
    ours: list[float] = []
    floors: list[float] = []
    note = ""
    for _ in range(settings.repeat):
        elapsed, done = _timed(ours_command, folder)
        ours.append(elapsed)
        if done.returncode != 0:
            tail = (done.stdout or done.stderr).strip().splitlines()[-3:]
            note = f"campaign check exited {done.returncode}: " + " / ".join(tail)
        elapsed, floor_done = _timed(floor_command, ROOT)
        floors.append(elapsed)
        if floor_done.returncode != 0:
            raise RuntimeError(f"the check floor failed: {floor_done.stderr.strip()[-500:]}")
    best, floor = min(ours), min(floors)
    counted, refused = (int(part) for part in floor_done.stdout.split())
    ratio = best / floor
    if not note:
        note = (
            f"{posts} posts in {files} files; best of {settings.repeat}; the floor counted "
            f"{counted} X texts with parse_tweet ({refused} refused), "
            f"{floor / max(counted, 1) * 1000:.2f} ms per post all included"
        )
    return [
        Row(
            case=f"check {posts:,} posts (YAML files)",
            figure=seconds(best),
            floor=seconds(floor),
            ratio=ratio,
            target=f"<= {TARGET_RATIO}x",
            verdict=verdict(ratio <= TARGET_RATIO and done.returncode == 0),
            note=note,
            values={"posts": posts, "files": files, "ours_s": ours, "floor_s": floors},
        )
    ]
