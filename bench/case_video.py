"""Case: 50 posts with a 20 MB video each, published by ``campaign run`` over four
X accounts at once, against the sandbox with no processing delay.

Our figures: the daemon's CPU seconds per uploaded megabyte, against the floor
(:mod:`bench.video_floor`, a bare loop making the same calls), within
:data:`TARGET_RATIO`; and the daemon's peak resident memory while four
accounts upload at once, under :data:`MEMORY_TARGET_MB` (the file is streamed
in 1 MB chunks, never read whole).
"""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import timedelta
from pathlib import Path

from bench.campaign import queued_posts
from bench.live import LiveRun
from bench.processes import run_helper
from bench.report import Row, verdict
from bench.settings import Settings
from scheduler.clock import utc_now
from scheduler.content.resolved import PostVideo, ResolvedPost
from scheduler.sandbox.credentials import sandbox_credentials

TARGET_RATIO = 1.3
MEMORY_TARGET_MB = 150.0
ACCOUNTS = 4
VIDEO = "videos/bench.mp4"
LEAD_S = 8.0


def write_video(path: Path, megabytes: int) -> None:
    """A file of ``megabytes`` MB that X's stand-in takes as an MP4 (its ``ftyp`` box;
    the rest is random, so nothing compresses it along the way)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    with path.open("wb") as file:
        file.write(head)
        remaining = megabytes * 1_000_000 - len(head)
        while remaining > 0:
            block = min(remaining, 1 << 20)
            file.write(os.urandom(block))
            remaining -= block


def _posts(labels: list[str], count: int, seed: int, tag: str) -> list[ResolvedPost]:
    due = utc_now() + timedelta(seconds=LEAD_S)
    return [
        dataclasses.replace(post, video=PostVideo(VIDEO), content_hash="")
        for post in queued_posts(labels, [due] * count, seed=seed, logo=False, tag=tag)
    ]


def _floor(settings: Settings, folder: Path, count: int, megabytes: int) -> tuple[float, float]:
    """(the loop's CPU seconds, megabytes it sent)."""
    with LiveRun(folder, settings.seed, ACCOUNTS, f"sqlite:///{folder / 'floor.db'}") as live:
        live.sandbox.x.media_check_after_s = 0
        write_video(folder / "media" / VIDEO, megabytes)
        posts = _posts(live.labels, count, settings.seed, "f")
        spec = {
            "url": live.sandbox.url,
            "credentials": {label: sandbox_credentials("x", label) for label in live.labels},
            "posts": [
                {
                    "account": post.targets[0],
                    "text": post.texts["x"],
                    "media": str(folder / "media" / VIDEO),
                }
                for post in posts
            ],
        }
        path = folder / "floor-spec.json"
        path.write_text(json.dumps(spec), encoding="utf-8")
        result = json.loads(run_helper("bench.video_floor", str(path)))
        if live.sandbox.x.count() != count:
            raise RuntimeError(f"the floor loop stored {live.sandbox.x.count()} of {count} posts")
        return float(result["cpu_s"]), float(result["megabytes"])


def run(settings: Settings, folder: Path) -> list[Row]:
    count = settings.size(full=50, quick=8)
    megabytes = settings.size(full=20, quick=5)
    floor_cpu, floor_mb = _floor(settings, folder / "floor", count, megabytes)
    ours = folder / "ours"
    with LiveRun(ours, settings.seed, ACCOUNTS, f"sqlite:///{ours / 'bench.db'}") as live:
        live.sandbox.x.media_check_after_s = 0
        write_video(ours / "media" / VIDEO, megabytes)
        live.queue(_posts(live.labels, count, settings.seed, "o"))
        daemon = live.start_daemon()
        daemon.wait_ready()
        cpu_before = daemon.cpu_seconds()
        settled = live.wait_settled(count, timeout_s=LEAD_S + 600)
        daemon_cpu = daemon.cpu_seconds() - cpu_before
        peak = daemon.peak_rss_mb()
        published = len(live.published_at())
        daemon.stop()
    name = f"publish {count} posts with a {megabytes} MB video"
    if not settled or published != count:
        return [
            Row(
                case=name,
                figure=f"{published} of {count} published",
                target=f"<= {TARGET_RATIO}x",
                verdict="miss",
                note=f"not every video post was published in time; see {ours.name}/daemon.log",
            )
        ]
    ours_mb = count * megabytes
    per_mb, floor_per_mb = daemon_cpu / ours_mb, floor_cpu / floor_mb
    ratio = per_mb / floor_per_mb
    return [
        Row(
            case=f"{name}: CPU per MB",
            figure=f"{per_mb * 1000:.1f} ms/MB",
            floor=f"{floor_per_mb * 1000:.1f} ms/MB",
            ratio=ratio,
            target=f"<= {TARGET_RATIO}x",
            verdict=verdict(ratio <= TARGET_RATIO),
            note=(
                f"{ACCOUNTS} accounts at once, processing delay 0; daemon CPU {daemon_cpu:.1f} s "
                f"for {ours_mb} MB, bare loop {floor_cpu:.1f} s for {floor_mb:.0f} MB"
            ),
            values={"daemon_cpu_s": daemon_cpu, "floor_cpu_s": floor_cpu, "megabytes": ours_mb},
        ),
        Row(
            case=f"{name}: daemon peak memory",
            figure=f"{peak:.0f} MB" if peak is not None else "unknown",
            target=f"< {MEMORY_TARGET_MB:.0f} MB",
            verdict=verdict(peak is not None and peak < MEMORY_TARGET_MB),
            note="peak resident memory (VmHWM) of the daemon, four accounts uploading at once",
            values={"peak_rss_mb": peak or 0.0},
        ),
    ]
